"""`make bench`: measure this assistant against Rasa's stock configuration.

Not a test: it prints figures. For each configuration (ours, config.yml; and
Rasa's default pipeline and policies, read from the installed Rasa's own
default_config.yml, trained on the same data) it measures, in the same run on the same machine:

  * training time (a forced, fresh training) and model size;
  * held-out intent accuracy and macro F1 (tests/nlu/holdout.yml);
  * Rasa server memory (RSS) after start and after the load;
  * through the REST webhook, with the real action server: p50/p95/p99 latency
    and messages per second for 1, 10 and 50 concurrent conversations.

The table is printed and written to results/bench.md.
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.stack import ROOT, running_stack, rss_mb  # noqa: E402

RESULTS = ROOT / "results" / "bench"
RASA_DEFAULT = Path(importlib.util.find_spec("rasa").submodule_search_locations[0]) / \
    "engine" / "recipes" / "config_files" / "default_config.yml"
CONFIGS = {"ours (config.yml)": ROOT / "config.yml", "Rasa default": RASA_DEFAULT}
LEVELS = (1, 10, 50)
MESSAGES_PER_LEVEL = 400
# A realistic conversation: a disagreement, then follow-ups.
SCRIPT = [
    "hi",
    "the council have refused to do an ehc needs assessment for my son",
    "how long have i got to appeal",
    "is it free",
    "how do i contact them",
    "thanks",
]
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
       "TF_CPP_MIN_LOG_LEVEL": "2"}


def rasa(*args: str, log: Path) -> float:
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as handle:
        subprocess.run([sys.executable, "-m", "rasa", *args], cwd=ROOT, env=ENV, check=True,
                       stdout=handle, stderr=subprocess.STDOUT)
    return time.monotonic() - start


async def conversation(session: aiohttp.ClientSession, url: str, latencies: List[float],
                       errors: List[str], budget: List[int]) -> None:
    sender = f"bench-{uuid.uuid4().hex}"
    turn = 0
    while budget[0] > 0:
        budget[0] -= 1
        message = SCRIPT[turn % len(SCRIPT)]
        turn += 1
        start = time.monotonic()
        try:
            async with session.post(url, json={"sender": sender, "message": message}) as response:
                body = await response.json(content_type=None)
                if response.status != 200 or not body:
                    errors.append(f"status {response.status}, {len(body or [])} replies")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            errors.append(type(error).__name__)
        latencies.append(time.monotonic() - start)
        if turn % len(SCRIPT) == 0:
            sender = f"bench-{uuid.uuid4().hex}"


async def load(url: str, concurrency: int) -> Dict[str, float]:
    latencies: List[float] = []
    errors: List[str] = []
    budget = [MESSAGES_PER_LEVEL]
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        start = time.monotonic()
        await asyncio.gather(*(conversation(session, url, latencies, errors, budget)
                               for _ in range(concurrency)))
        elapsed = time.monotonic() - start
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
            "mps": len(latencies) / elapsed, "errors": len(errors), "n": len(latencies)}


def holdout_scores(model: Path, out: Path) -> Tuple[float, float]:
    rasa("test", "nlu", "--model", str(model), "--nlu", "tests/nlu/holdout.yml", "--out", str(out),
         "--no-plot", log=out.with_suffix(".log"))
    report = json.loads((out / "intent_report.json").read_text())
    return report["accuracy"], report["macro avg"]["f1-score"]


def bench_config(name: str, config: Path, index: int) -> Dict[str, object]:
    work = RESULTS / f"config{index}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"[{name}] training...", flush=True)
    seconds = rasa("train", "--config", str(config), "--out", str(work), "--fixed-model-name", "model",
                   "--force", log=work / "train.log")
    model = work / "model.tar.gz"
    row: Dict[str, object] = {"config": name, "train_s": seconds, "size_mb": model.stat().st_size / 2**20}
    print(f"[{name}] held-out NLU test...", flush=True)
    row["accuracy"], row["macro_f1"] = holdout_scores(model, work / "nlu")
    with running_stack(model, work, name="bench") as stack:
        row["rss_start_mb"] = rss_mb(stack.rasa_process.pid)
        url = f"{stack.rasa_url}/webhooks/rest/webhook"
        for level in LEVELS:
            print(f"[{name}] {level} concurrent conversations...", flush=True)
            row[level] = asyncio.run(load(url, level))
        row["rss_end_mb"] = rss_mb(stack.rasa_process.pid)
    return row


def table(rows: List[Dict[str, object]]) -> str:
    lines = [
        f"Machine: {os.cpu_count()} cores; {MESSAGES_PER_LEVEL} messages per level; "
        f"script of {len(SCRIPT)} turns per conversation.",
        "",
        "| configuration | training (s) | model (MB) | held-out accuracy | held-out macro F1 "
        "| Rasa RSS start / after load (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['config']} | {r['train_s']:.0f} | {r['size_mb']:.1f} | {r['accuracy']:.3f} "
            f"| {r['macro_f1']:.3f} | {r['rss_start_mb']:.0f} / {r['rss_end_mb']:.0f} |"
        )
    lines += ["", "| configuration | concurrent | p50 (ms) | p95 (ms) | p99 (ms) | messages/s | errors |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
        for level in LEVELS:
            m = r[level]
            lines.append(
                f"| {r['config']} | {level} | {m['p50']:.0f} | {m['p95']:.0f} | {m['p99']:.0f} "
                f"| {m['mps']:.1f} | {m['errors']}/{m['n']} |"
            )
    return "\n".join(lines)


def main() -> None:
    rows = [bench_config(name, config, i) for i, (name, config) in enumerate(CONFIGS.items())]
    text = table(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (ROOT / "results" / "bench.md").write_text(text + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()
