"""What the sentence encoder costs: the pipeline with and without it, in one run.

Not a test: it prints figures. For each NAME=CONFIG (default: `config.yml`, and
the same pipeline without `addons.sentence_featurizer.SentenceFeaturizer`) it
measures, on the same machine in the same run:
  * `rasa train` of the whole model (forced) and the model's size;
  * the dense featurizers' own time per message (each `process` call timed
    inside the real, loaded pipeline: wall-clock, and CPU time of the process,
    which other work on a shared machine disturbs less) and the whole NLU
    parse, over every training example's text, one message at a time;
  * the Rasa server's memory (RSS) after start and after the messages, and its
    end-to-end latency through the REST webhook (one conversation at a time,
    the real action server behind it).
Table printed and written to results/bench_encoder.md. Other configurations
to compare can be given as NAME=CONFIG (e.g. Rasa's LanguageModelFeaturizer).
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List

import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.stack import ROOT, rss_mb, running_stack  # noqa: E402

OUT = ROOT / "results" / "bench_encoder"
ENCODER = "addons.sentence_featurizer.SentenceFeaturizer"
ENV = {
    **os.environ,
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
# Every message comes from 127.0.0.1: raise the guard's rate limits, as scripts/load.py does,
# or most replies would be "please wait a minute".
RATE_LIMITS = {"SEND_RATE_PER_CONVERSATION": "1000", "SEND_RATE_PER_ADDRESS": "1000000"}
SCRIPT = [
    "hi",
    "the council have refused to do an ehc needs assessment for my son",
    "how long have i got to appeal",
    "is it free",
    "how do i contact them",
    "thanks",
]
SERVER_MESSAGES = 300
# Dense featurizers whose own time is measured, wherever they appear in a pipeline.
TIMED = {
    ENCODER: ("addons.sentence_featurizer", "SentenceFeaturizer"),
    "LanguageModelFeaturizer": ("rasa.nlu.featurizers.dense_featurizer.lm_featurizer", "LanguageModelFeaturizer"),
}


def pct(values: List[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def training_texts() -> List[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [m.get("text") for m in load_data(str(ROOT / "data" / "nlu")).intent_examples]


def without_encoder(config: Path, target: Path) -> Path:
    data = yaml.safe_load(config.read_text())
    data["pipeline"] = [c for c in data["pipeline"] if c.get("name") != ENCODER]
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def component_times(model: Path) -> Dict[str, Dict[str, float]]:
    """Per-message milliseconds for each dense featurizer and the whole parse (in a child process)."""
    out = model.parent / "component_times.yml"
    subprocess.run(
        [sys.executable, __file__, "--time-components", str(model), str(out)],
        cwd=ROOT,
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return yaml.safe_load(out.read_text())


def _time_components(model: str, out: str) -> None:
    import importlib
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # and no message text in any log
    logging.getLogger().setLevel(logging.WARNING)

    spent: Dict[str, List[float]] = {"NLU parse": []}

    def timed(name: str, method: Callable) -> Callable:
        def wrapper(self, messages, *args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            result = method(self, messages, *args, **kwargs)
            spent.setdefault(name, []).append(time.perf_counter() - start)
            spent.setdefault(f"{name} CPU", []).append(time.process_time() - cpu)
            return result

        return wrapper

    for name, (module, cls) in TIMED.items():
        try:
            klass = getattr(importlib.import_module(module), cls)
        except ImportError:
            continue
        klass.process = timed(name, klass.process)
    agent = Agent.load(model)
    texts = training_texts()

    async def parse_all() -> None:
        for text in texts[:20]:  # warm up
            await agent.parse_message(text)
        for values in spent.values():
            values.clear()
        for text in texts:
            start = time.perf_counter()
            await agent.parse_message(text)
            spent["NLU parse"].append(time.perf_counter() - start)

    asyncio.run(parse_all())
    Path(out).write_text(
        yaml.safe_dump(
            {
                name: {"p50": pct(v, 0.5) * 1000, "p95": pct(v, 0.95) * 1000, "n": len(v)}
                for name, v in spent.items()
                if v
            }
        )
    )


def server_latency(url: str) -> Dict[str, float]:
    latencies = []
    sender = f"bench-{uuid.uuid4().hex}"
    for turn in range(SERVER_MESSAGES + len(SCRIPT)):
        if turn % len(SCRIPT) == 0:
            sender = f"bench-{uuid.uuid4().hex}"
        start = time.monotonic()
        response = requests.post(url, json={"sender": sender, "message": SCRIPT[turn % len(SCRIPT)]}, timeout=60)
        response.raise_for_status()
        if turn >= len(SCRIPT):  # the first conversation warms up
            latencies.append(time.monotonic() - start)
    return {"p50": pct(latencies, 0.5) * 1000, "p95": pct(latencies, 0.95) * 1000}


def bench(name: str, config: Path, index: int) -> Dict[str, object]:
    work = OUT / f"config{index}"
    work.mkdir(parents=True, exist_ok=True)
    for old in glob.glob(str(work / "*.tar.gz")):
        os.unlink(old)
    print(f"[{name}] rasa train...", flush=True)
    start = time.monotonic()
    with open(work / "train.log", "w", encoding="utf-8") as log:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "rasa",
                "train",
                "--config",
                str(config),
                "--out",
                str(work),
                "--fixed-model-name",
                "model",
                "--force",
            ],
            cwd=ROOT,
            env=ENV,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    row: Dict[str, object] = {"name": name, "train_s": time.monotonic() - start}
    model = work / "model.tar.gz"
    row["size_mb"] = model.stat().st_size / 2**20
    print(f"[{name}] component times...", flush=True)
    row["times"] = component_times(model)
    print(f"[{name}] server...", flush=True)
    with running_stack(model, work, name="bench", env={**ENV, **RATE_LIMITS}) as stack:
        row["rss_start"] = rss_mb(stack.rasa_process.pid)
        row["server"] = server_latency(f"{stack.rasa_url}/webhooks/rest/webhook")
        row["rss_end"] = rss_mb(stack.rasa_process.pid)
    return row


def table(rows: List[Dict[str, Any]]) -> str:
    lines = [
        f"Machine: {os.cpu_count()} cores. Featurizer and NLU times: every training example's text, "
        f"one message at a time, inside the loaded pipeline. Server: {SERVER_MESSAGES} messages "
        "through the REST webhook, one conversation at a time.",
        "",
        "| pipeline | rasa train (s) | model (MB) | dense featurizer p50 / p95 (ms) | its CPU p50 / p95 (ms) "
        "| NLU parse p50 / p95 (ms) | server p50 / p95 (ms) | Rasa RSS start / end (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        times = r["times"]
        wall = [
            f"{t['p50']:.1f} / {t['p95']:.1f}" for n, t in times.items() if n != "NLU parse" and not n.endswith(" CPU")
        ]
        cpu = [f"{t['p50']:.1f} / {t['p95']:.1f}" for n, t in times.items() if n.endswith(" CPU")]
        nlu = times["NLU parse"]
        lines.append(
            f"| {r['name']} | {r['train_s']:.0f} | {r['size_mb']:.1f} | {', '.join(wall) or 'none'} "
            f"| {', '.join(cpu) or 'none'} "
            f"| {nlu['p50']:.1f} / {nlu['p95']:.1f} | {r['server']['p50']:.0f} / {r['server']['p95']:.0f} "
            f"| {r['rss_start']:.0f} / {r['rss_end']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--time-components":
        _time_components(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="*", help="NAME=CONFIG (default: without and with the encoder)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    configs = [tuple(c.split("=", 1)) for c in args.configs] or [
        ("without the sentence encoder", str(without_encoder(ROOT / "config.yml", OUT / "without_encoder.yml"))),
        ("with it (config.yml)", str(ROOT / "config.yml")),
    ]
    rows = [bench(name, Path(path).resolve(), i) for i, (name, path) in enumerate(configs)]
    text = table(rows)
    (ROOT / "results" / "bench_encoder.md").write_text(text + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()
