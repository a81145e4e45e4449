"""`make bench`: this commit against the previous one and against Rasa's stock configuration.

Not a test: it prints figures. In one run on one machine it starts three
stacks (the real action server, the Rasa server and the redacting SQL
tracker store, as `make run`):

  * this commit: this working tree and its model (models/send-assistant.tar.gz);
  * the base: a git worktree of ``--base`` (default the parent commit, HEAD~1;
    `make bench BASE=main`) in results/bench/base, started the way that commit
    starts its Rasa server; its model is this one when the training inputs
    (config, domain, data, addons) are the same, otherwise trained there;
  * Rasa's default config: this tree with a model trained from the installed
    Rasa's own default_config.yml on the same data (trained once and cached in
    results/bench/stock/, keyed by a hash of what it was trained from).

Each stack is started alone (its start time is the time until the Rasa
server answers), and all three are kept up. Then, for each level of 1, 10
and 50 concurrent conversations, the messages are sent in rounds that
alternate the configurations (the order rotates every round), so the noise of
a shared machine falls on them alike. For each configuration and level:
messages a second, p50/p95/p99 latency through the REST webhook, the Rasa
server's CPU time per message (user + system, from /proc) and the action
server's, and the load average during the run. Memory is the Rasa server's
RSS after start and at the end.

``--profile SECONDS`` also records the Rasa server of this commit and of the
base with py-spy at 10 concurrent conversations and prints the top functions.
``--accuracy`` adds the old comparison: training time, model size and
held-out NLU scores of our config and Rasa's, both trained afresh (slow).

The tables are printed and written to results/bench.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.stack import ROOT, Stack, process_cpu_seconds, rss_mb, running_stack  # noqa: E402

RESULTS = ROOT / "results" / "bench"
MODEL = ROOT / "models" / "send-assistant.tar.gz"
RASA_DEFAULT = (
    Path(importlib.util.find_spec("rasa").submodule_search_locations[0])  # type: ignore[index]
    / "engine"
    / "recipes"
    / "config_files"
    / "default_config.yml"
)
# What a model is trained from: if these are the same in two trees, so is the model.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "addons")
# A realistic conversation: a disagreement, then follow-ups.
SCRIPT = [
    "hi",
    "the council have refused to do an ehc needs assessment for my son",
    "how long have i got to appeal",
    "is it free",
    "how do i contact them",
    "thanks",
]
ENV = {
    **os.environ,
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}
# Every message comes from 127.0.0.1: the guard's limits would stop the bench.
RATE_LIMITS = {"SEND_RATE_PER_CONVERSATION": "100000", "SEND_RATE_PER_ADDRESS": "10000000"}


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def rasa(*args: str, log: Path, cwd: Path = ROOT) -> float:
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as handle:
        subprocess.run(
            [sys.executable, "-m", "rasa", *args], cwd=cwd, env=ENV, check=True, stdout=handle, stderr=subprocess.STDOUT
        )
    return time.monotonic() - start


# --- the three configurations -------------------------------------------------------------------


@dataclass
class Config:
    name: str
    root: Path
    model: Path
    note: str
    stack: Optional[Stack] = None
    start_s: float = float("nan")
    rss_start: float = float("nan")
    rss_end: float = float("nan")
    # per level: latencies, elapsed seconds, CPU seconds of the Rasa and action servers, load averages
    runs: Dict[int, Dict[str, Any]] = field(default_factory=dict)


def base_worktree(ref: str) -> Tuple[Path, str]:
    """A detached git worktree of ``ref`` in results/bench/base (made afresh)."""
    sha = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    path = RESULTS / "base"
    if path.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)
        shutil.rmtree(path, ignore_errors=True)
    git("worktree", "prune")
    git("worktree", "add", "--detach", str(path), sha)
    # The spaCy pipeline the config names (build/spacy_en_lookup) is not in git.
    if not (path / "build").exists():
        (path / "build").symlink_to((ROOT / "build").resolve())
    return path, sha


def base_model(base: Path, sha: str) -> Tuple[Path, str]:
    """This tree's model if the base's training inputs are the same as ours; otherwise trained there."""
    same = subprocess.run(["git", "diff", "--quiet", sha, "--", *TRAINING_INPUTS], cwd=ROOT).returncode == 0
    if same:
        return MODEL, "same training inputs: this commit's model"
    print("[base] training inputs differ: training the base's model...", flush=True)
    (base / "models").mkdir(exist_ok=True)
    seconds = rasa(
        "train", "--fixed-model-name", "send-assistant", "--out", "models", log=base / "models" / "train.log", cwd=base
    )
    return base / "models" / "send-assistant.tar.gz", f"its own model, trained here in {seconds:.0f} s"


def files_hash(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        for file in sorted([path] if path.is_file() else path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file.name).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def stock_model(epochs: Optional[int] = None) -> Tuple[Path, str]:
    """Our data trained with Rasa's default config; cached by what it was trained from.

    The installed default_config.yml is copied first (Rasa writes an assistant_id
    into a config that has none, and that file is in the shared virtual environment).
    ``epochs`` overrides its epochs (100 for each of its four TensorFlow models):
    the same architecture, so the same cost per message, but not the same
    predictions; for a quick figure when the full training (about 30 minutes on
    an idle 2-core machine) does not fit.
    """
    import yaml

    config = yaml.safe_load(RASA_DEFAULT.read_text(encoding="utf-8"))
    config["assistant_id"] = "bench-rasa-default"
    if epochs:
        for item in config["pipeline"] + config["policies"]:
            if "epochs" in item:
                item["epochs"] = epochs
    folder = RESULTS / "stock"
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(config, sort_keys=False)
    key = hashlib.sha256(text.encode()).hexdigest()[:8] + files_hash([ROOT / "domain.yml", ROOT / "data"])[:8]
    config_file = folder / f"config-{key}.yml"
    config_file.write_text(text, encoding="utf-8")
    model = folder / f"model-{key}.tar.gz"
    if not model.exists():
        print(
            f"[Rasa default] training{f' with {epochs} epochs' if epochs else ' (about 30 minutes on 2 idle cores)'}"
            "; cached afterwards...",
            flush=True,
        )
        seconds = rasa(
            "train",
            "--config",
            str(config_file),
            "--out",
            str(folder),
            "--fixed-model-name",
            f"model-{key}",
            "--force",
            log=folder / f"train-{key}.log",
        )
        (folder / f"model-{key}.json").write_text(json.dumps({"train_s": seconds}))
    how = (
        f"its epochs cut to {epochs} (same architecture and cost per message; not the same predictions)"
        if epochs
        else "as it is"
    )
    return model, f"Rasa's default_config.yml {how}, trained on this data (cached: {model.relative_to(ROOT)})"


# --- load ---------------------------------------------------------------------------------------


async def conversation(
    session: aiohttp.ClientSession, url: str, latencies: List[float], errors: Counter, budget: List[int]
) -> None:
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
                    errors[f"status {response.status}, {len(body or [])} replies"] += 1
                elif any("Sorry, something went wrong" in (r.get("text") or "") for r in body):
                    errors["the guard's apology"] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            errors[type(error).__name__] += 1
        latencies.append(time.monotonic() - start)
        if turn % len(SCRIPT) == 0:
            sender = f"bench-{uuid.uuid4().hex}"


async def send(url: str, concurrency: int, messages: int) -> Tuple[List[float], float, Counter]:
    latencies: List[float] = []
    errors: Counter = Counter()
    budget = [messages]
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        start = time.monotonic()
        await asyncio.gather(*(conversation(session, url, latencies, errors, budget) for _ in range(concurrency)))
        return latencies, time.monotonic() - start, errors


def chunk(config: Config, level: int, messages: int) -> None:
    """One round at one level on one configuration, with its CPU time and the machine's load."""
    stack = config.stack
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    pids = (stack.rasa_process.pid, stack.action_process.pid)
    cpu_before = [process_cpu_seconds(pid) for pid in pids]
    load_before = os.getloadavg()[0]
    latencies, elapsed, errors = asyncio.run(send(url, level, messages))
    cpu = [process_cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before)]
    run = config.runs.setdefault(
        level, {"latencies": [], "elapsed": [], "rasa_cpu": [], "action_cpu": [], "load": [], "errors": Counter()}
    )
    run["latencies"] += latencies
    run["elapsed"].append(elapsed)
    run["rasa_cpu"].append(cpu[0])
    run["action_cpu"].append(cpu[1])
    run["load"] += [load_before, os.getloadavg()[0]]
    run["errors"].update(errors)


def summary(run: Dict[str, Any]) -> Dict[str, float]:
    ordered = sorted(run["latencies"])
    n = len(ordered)

    def pct(p: float) -> float:
        return ordered[min(n - 1, int(p * n))] * 1000

    return {
        "n": n,
        "mps": n / sum(run["elapsed"]),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "rasa_cpu_ms": 1000 * sum(run["rasa_cpu"]) / n,
        "action_cpu_ms": 1000 * sum(run["action_cpu"]) / n,
        "load_min": min(run["load"]),
        "load_max": max(run["load"]),
        "errors": sum(run["errors"].values()),
    }


# --- profile ------------------------------------------------------------------------------------


# Where the Rasa server's time goes, by what Rasa is doing (the first that matches a sample's stack).
PROFILE_CATEGORIES = [
    ("validating action responses (jsonschema)", ["(jsonschema/"]),
    ("tracker store: saving", ["save_tracker (rasa/core/processor.py"]),
    ("tracker store: reading", ["get_tracker (rasa/core/processor.py"]),
    ("NLU (parse_message)", ["parse_message (rasa/core/processor.py"]),
    ("dialogue policies (next action)", ["_predict_next_with_tracker (rasa/core/processor.py"]),
    ("calling the action server", ["run (rasa/core/actions/action.py"]),
    ("channels and guard", ["(channels/"]),
]


def profile(config: Config, seconds: int, out: Path) -> str:
    """py-spy on the Rasa server under 10 concurrent conversations: where its time goes."""
    py_spy = Path(sys.executable).parent / "py-spy"
    if not py_spy.exists():
        return f"(py-spy is not installed in {py_spy.parent}: pip install py-spy)"
    raw = out.with_suffix(".txt")
    recorder = subprocess.Popen(
        [
            str(py_spy),
            "record",
            "--pid",
            str(config.stack.rasa_process.pid),
            "--duration",
            str(seconds),
            "--rate",
            "50",
            "--format",
            "raw",
            "--threads",
            "--output",
            str(raw),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"{config.stack.rasa_url}/webhooks/rest/webhook"
    while recorder.poll() is None:
        asyncio.run(send(url, 10, 60))
    return profile_summary(raw)


def profile_summary(raw: Path) -> str:
    """Shares of the event loop's busy samples, by category: what limits one server's throughput."""
    loop: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():
            continue
        if "_run_module_as_main" not in stack:  # not the event loop (the tracker store's threads)
            continue
        if stack.rsplit(";", 1)[-1].startswith("serve (sanic/server/runners.py"):
            name = "waiting in the event loop's poll (for I/O, the database threads, or a CPU)"
        else:
            name = next(
                (name for name, keys in PROFILE_CATEGORIES if any(k in stack for k in keys)),
                "other: Sanic, Rasa's message handling",
            )
        loop[name] += int(samples)
    total = sum(loop.values())
    if not total:
        return "(no samples)"
    lines = [f"event loop: {total} samples (100%)"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in loop.most_common()]
    return "\n".join(lines)


# --- the optional accuracy comparison (the old `make bench`) ------------------------------------


def accuracy() -> str:
    import yaml

    rows = []
    for index, (name, config) in enumerate(
        {"ours (config.yml)": ROOT / "config.yml", "Rasa default": RASA_DEFAULT}.items()
    ):
        work = RESULTS / f"accuracy{index}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        if config == RASA_DEFAULT:  # a copy: Rasa would write an assistant_id into the shared venv's file
            settings = {**yaml.safe_load(config.read_text(encoding="utf-8")), "assistant_id": "bench-rasa-default"}
            config = work / "config.yml"
            config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        print(f"[{name}] training afresh...", flush=True)
        seconds = rasa(
            "train",
            "--config",
            str(config),
            "--out",
            str(work),
            "--fixed-model-name",
            "model",
            "--force",
            log=work / "train.log",
        )
        model = work / "model.tar.gz"
        rasa(
            "test",
            "nlu",
            "--model",
            str(model),
            "--nlu",
            "tests/nlu/holdout.yml",
            "--out",
            str(work / "nlu"),
            "--no-plot",
            log=work / "nlu.log",
        )
        report = json.loads((work / "nlu" / "intent_report.json").read_text())
        rows.append(
            f"| {name} | {seconds:.0f} | {model.stat().st_size / 2**20:.1f} | {report['accuracy']:.3f} "
            f"| {report['macro avg']['f1-score']:.3f} |"
        )
    return "\n".join(
        [
            "| configuration | training (s) | model (MB) | held-out accuracy | held-out macro F1 |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )


# --- the run ------------------------------------------------------------------------------------


def table(configs: List[Config], levels: List[int], header: List[str]) -> str:
    lines = header + [
        "",
        "| configuration | start (s) | Rasa RSS after start / at end (MB) |",
        "|---|---|---|",
    ]
    lines += [f"| {c.name} | {c.start_s:.0f} | {c.rss_start:.0f} / {c.rss_end:.0f} |" for c in configs]
    lines += [
        "",
        "| configuration | concurrent | messages/s | p50 (ms) | p95 (ms) | p99 (ms) "
        "| Rasa CPU ms/message | action server CPU ms/message | load average | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for level in levels:
        for c in configs:
            s = summary(c.runs[level])
            lines.append(
                f"| {c.name} | {level} | {s['mps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | {s['p99']:.0f} "
                f"| {s['rasa_cpu_ms']:.1f} | {s['action_cpu_ms']:.1f} "
                f"| {s['load_min']:.1f}-{s['load_max']:.1f} | {s['errors']}/{s['n']} |"
            )
    this, others = configs[0], configs[1:]
    lines.append("")
    for other in others:
        ratios = ", ".join(
            f"{summary(this.runs[lv])['mps'] / summary(other.runs[lv])['mps']:.2f}x at {lv}" for lv in levels
        )
        lines.append(f"This commit against {other.name}: messages a second {ratios}.")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare with (default HEAD~1)")
    parser.add_argument("--levels", default="1,10,50", help="concurrent conversations (default 1,10,50)")
    parser.add_argument("--messages", type=int, default=600, help="messages per level and configuration (default 600)")
    parser.add_argument("--rounds", type=int, default=3, help="alternations per level (default 3)")
    parser.add_argument("--no-stock", action="store_true", help="leave out Rasa's default config")
    parser.add_argument(
        "--stock-epochs",
        type=int,
        default=None,
        metavar="N",
        help="train Rasa's default config with N epochs instead of 100 (a quicker, rougher figure)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="SECONDS",
        help="also profile this commit's and the base's Rasa server with py-spy",
    )
    parser.add_argument("--accuracy", action="store_true", help="also train both configs afresh and test NLU")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    if not MODEL.exists():
        print(f"{MODEL} is missing: run `make train` first", file=sys.stderr)
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)

    head = git("rev-parse", "--short", "HEAD") + (
        " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    )
    base, sha = base_worktree(args.base)
    model, model_note = base_model(base, sha)
    configs = [
        Config("this commit", ROOT, MODEL, f"{head}, models/send-assistant.tar.gz"),
        Config(
            f"base {sha[:7]}",
            base,
            model,
            f"{args.base} = {sha[:7]} ({git('log', '-1', '--format=%s', sha)[:70]}); {model_note}",
        ),
    ]
    if not args.no_stock:
        stock, stock_note = stock_model(args.stock_epochs)
        configs.append(Config("Rasa default config", ROOT, stock, f"this commit's code; {stock_note}"))

    load_start = os.getloadavg()
    with contextlib.ExitStack() as stacks:
        for c in configs:
            print(f"[{c.name}] starting...", flush=True)
            started = time.monotonic()
            c.stack = stacks.enter_context(
                running_stack(c.model, RESULTS / "logs", name=c.name.split()[0], env=RATE_LIMITS, root=c.root)
            )
            c.start_s = time.monotonic() - started
            asyncio.run(send(f"{c.stack.rasa_url}/webhooks/rest/webhook", 2, 2 * len(SCRIPT)))  # warm up
            c.rss_start = rss_mb(c.stack.rasa_process.pid)
        for level in levels:
            for round_ in range(args.rounds):
                order = configs[round_ % len(configs) :] + configs[: round_ % len(configs)]
                for c in order:
                    print(f"[{c.name}] {level} concurrent, round {round_ + 1}/{args.rounds}...", flush=True)
                    chunk(c, level, max(level, args.messages // args.rounds))
        profiles = []
        for c in configs[:2] if args.profile else []:
            print(f"[{c.name}] profiling for {args.profile} s...", flush=True)
            profiles.append(f"{c.name}: {profile(c, args.profile, RESULTS / f'profile-{c.name.split()[0]}')}")
        for c in configs:
            c.rss_end = rss_mb(c.stack.rasa_process.pid)
    load_end = os.getloadavg()

    header = [
        f"Machine: {os.cpu_count()} cores, shared with other work (load average {load_start[0]:.1f} at the "
        f"start, {load_end[0]:.1f} at the end; per row below, during its rounds). {args.messages} messages "
        f"per level and configuration in {args.rounds} alternating rounds; a {len(SCRIPT)}-turn conversation "
        f"script through the REST webhook; real action server and redacting SQL tracker store (SQLite).",
        "",
        *[f"- {c.name}: {c.note}" for c in configs],
    ]
    text = table(configs, levels, header)
    if profiles:
        text += "\n\nProfiles (py-spy, 10 concurrent conversations):\n\n```\n" + "\n\n".join(profiles) + "\n```"
    if args.accuracy:
        text += "\n\n" + accuracy()
    (ROOT / "results" / "bench.md").write_text(text + "\n")
    print()
    print(text)
    subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
