"""`make load`: many families talking to the assistant at once, with the real servers.

`make load CLUSTER=2` (``--cluster 2``) runs it on the cluster instead
(scripts/cluster.py: Rasa servers and 2 action servers behind nginx, Redis,
a PostgreSQL with fsync on, as in production), in two parts:

* **open loop**: 200 families, each sending a message every 15 to 30 seconds
  (about 9 a second), for 5 minutes; the bar is 0 errors and p95 at most
  500 ms (results/load_cluster.md; the script fails if it is not met);
* **closed loop**: one cluster with 1 Rasa server and one with N, both up,
  measured in alternating 20-second rounds at 10 and 50 concurrent families
  with no pause between messages (as fast as the servers answer), so the
  machine's other work falls on both alike: messages a second, latency,
  CPU per message (results/load_scaling.md).

Not a test: it prints figures. It starts the full stack as `make run` does
(scripts/stack.py: the action server, the Rasa server, the redacting SQL
tracker store on a fresh SQLite file, or on ``--database-url``), then runs
``--users`` concurrent simulated families for ``--duration`` seconds. Each
family holds realistic multi-turn conversations (SCRIPTS: a disagreement in
its own words, follow-up questions, sometimes a whole callback request), with
a think time of ``--think-min`` to ``--think-max`` seconds between messages,
and a fresh conversation id for every conversation.

The guard's rate limits are raised for the run (RATE_LIMITS): all simulated
families come from one address, 127.0.0.1, which the per-address limit would
otherwise stop at 120 messages a minute.

An error is any non-200 response, an empty reply, an exception or timeout, or
a reply that is the guard's apology ("Sorry, something went wrong") or its
rate-limit reply. The table (messages per second, p50/p95/p99 latency, errors)
is printed and written to results/load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

import aiohttp
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.stack import ROOT, process_cpu_seconds, rss_mb, running_stack  # noqa: E402
from storage.db import create_engine  # noqa: E402

MODEL = ROOT / "models" / "send-assistant.tar.gz"
RATE_LIMITS = {"SEND_RATE_PER_CONVERSATION": "1000", "SEND_RATE_PER_ADDRESS": "1000000"}
CALLBACK = "<callback request>"  # a step that runs the whole callback form
# Replies that mean the message was not handled normally (content/topics.yml).
FAILURE_MARKERS = {"unavailable": "Sorry, something went wrong", "rate limited": "wait a minute"}

# Conversations in families' own words (not the training data), with follow-ups.
SCRIPTS: List[List[str]] = [
    [
        "hi",
        "the council have said no to doing an ehc needs assessment for my son",
        "how long do I have",
        "what is mediation",
        "is it free",
        "thanks",
    ],
    [
        "my daughters plan says she should get speech therapy every week but the school isnt doing it",
        "who can help with that",
        "talk to someone",
        CALLBACK,
        "thanks",
    ],
    [
        "they sent a letter saying they are going to cease my sons ehcp",
        "how long have i got to appeal",
        "do i need to go to mediation first",
        "is it free",
        "bye",
    ],
    [
        "the draft plan is really vague, it doesnt say how many hours of support he gets",
        "what is disagreement resolution",
        "is it free",
        "how do i contact sendias",
        "thanks",
    ],
    [
        "the LA named a mainstream school but we want a specialist one",
        "do i have to do mediation",
        "how long do I have",
        "talk to someone",
        "thanks",
    ],
    [
        "hello",
        "we asked for a new assessment because his needs changed and they refused",
        "what is mediation",
        "talk to someone",
        CALLBACK,
        "thank you",
    ],
    ["I want to complain about how the council handled our case", "how do I do that", "thanks"],
    [
        "the senco says my son doesnt need extra help but hes really struggling",
        "what is disagreement resolution",
        "talk to someone",
        "thanks",
    ],
]


@dataclass
class Results:
    latencies: List[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    conversations: int = 0
    callbacks: int = 0  # forms completed (with or without consent)
    stored: int = 0  # requests in the database afterwards (consent given)


class Family:
    """One simulated family: conversations one after another until the time is up."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        results: Results,
        rng: random.Random,
        think: tuple,
        deadline: float,
    ) -> None:
        self.session, self.url, self.results, self.rng = session, url, results, rng
        self.think, self.deadline = think, deadline

    def time_left(self) -> bool:
        return time.monotonic() < self.deadline

    async def pause(self) -> None:
        """Think time, cut short at the end of the run (so it does not count in the elapsed time)."""
        await asyncio.sleep(max(0.0, min(self.rng.uniform(*self.think), self.deadline - time.monotonic())))

    async def say(self, sender: str, message: str) -> Optional[list]:
        """One message; its latency and any error are recorded. The replies, or None after an error."""
        start = time.monotonic()
        try:
            async with self.session.post(self.url, json={"sender": sender, "message": message}) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            self.results.latencies.append(time.monotonic() - start)
            self.results.errors[type(error).__name__] += 1
            return None
        self.results.latencies.append(time.monotonic() - start)
        if status != 200:
            self.results.errors[f"HTTP {status}"] += 1
            return None
        text = " ".join(r.get("text") or "" for r in body or [] if isinstance(r, dict))
        if not text.strip():
            self.results.errors["empty reply"] += 1
            return None
        for name, marker in FAILURE_MARKERS.items():
            if marker in text:
                self.results.errors[f"{name} reply"] += 1
                return None
        return body

    async def callback_request(self, sender: str) -> None:
        """The callback form, as a family fills it in (answers typed or buttons pressed)."""
        replies = await self.say(sender, "/request_callback")
        if replies is None:
            return
        buttons = [b.get("payload") for r in replies for b in r.get("buttons") or []]
        number = f"07700 900{self.rng.randrange(1000):03d}"  # Ofcom's drama range
        answers = [
            "/affirm" if "/affirm" in buttons else "about my child's EHC plan",
            "phone",
            number,
            self.rng.choice(["Weekday mornings", "after 3pm", "Any time"]),
            self.rng.choice(["/affirm", "/affirm", "/deny"]),
        ]
        for answer in answers:
            if not self.time_left():
                return
            await self.pause()
            if await self.say(sender, answer) is None:
                return
        self.results.callbacks += 1

    async def run(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, self.think[1]))  # families do not all arrive at once
        while self.time_left():
            sender = f"load-{uuid.uuid4().hex}"
            self.results.conversations += 1
            for step in self.rng.choice(SCRIPTS):
                if not self.time_left():
                    return
                if step == CALLBACK:
                    await self.callback_request(sender)
                elif await self.say(sender, step) is None:
                    break
                await self.pause()


def stored_requests(url: str) -> int:
    """Callback requests in the database: the forms really reached the store."""
    engine = create_engine(url)
    try:
        if not sa.inspect(engine).has_table("callback_requests"):  # made with the first request
            return 0
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM callback_requests")).scalar_one()
    finally:
        engine.dispose()


async def run_load(url: str, users: int, duration: float, think: tuple, seed: int) -> tuple:
    results = Results()
    rng = random.Random(seed)
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.monotonic()
        deadline = start + duration
        families = [Family(session, url, results, random.Random(rng.random()), think, deadline) for _ in range(users)]
        await asyncio.gather(*(family.run() for family in families))
        elapsed = time.monotonic() - start
    return results, elapsed


def percentile(ordered: List[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


def table(args, results: Results, elapsed: float, rss: tuple, load: tuple) -> str:
    ordered = sorted(results.latencies)
    errors = sum(results.errors.values())
    detail = ", ".join(f"{n} {name}" for name, n in results.errors.most_common()) or "none"
    return "\n".join(
        [
            f"Load test: {args.users} concurrent families for {args.duration:.0f} s, think time "
            f"{args.think_min:g}-{args.think_max:g} s, fresh conversation id per conversation; real action "
            f"server and Rasa server, redacting SQL tracker store ({args.database or 'fresh SQLite file'}); "
            f"guard rate limits raised for the run ({', '.join(f'{k}={v}' for k, v in RATE_LIMITS.items())}).",
            f"Machine: {os.cpu_count()} cores, shared with other work during the run "
            f"(load average {load[0]:.1f} before, {load[1]:.1f} after).",
            "",
            "| users | duration (s) | messages | messages/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) "
            "| errors | conversations | callback forms completed / stored | Rasa RSS start / end (MB) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {args.users} | {elapsed:.0f} | {len(ordered)} | {len(ordered) / elapsed:.1f} "
            f"| {percentile(ordered, 0.50):.0f} | {percentile(ordered, 0.95):.0f} | {percentile(ordered, 0.99):.0f} "
            f"| {ordered[-1] * 1000 if ordered else float('nan'):.0f} | {errors} | {results.conversations} "
            f"| {results.callbacks} / {results.stored} | {rss[0]:.0f} / {rss[1]:.0f} |",
            "",
            f"Errors: {detail}.",
        ]
    )


# --- on the cluster -----------------------------------------------------------------------------


class LoadSampler:
    """The machine's 1-minute load average, every 5 s in a thread (what else was running)."""

    def __init__(self) -> None:
        import threading

        self.samples: List[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(5)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "n/a"
        return f"{min(self.samples):.1f} to {max(self.samples):.1f} (mean {sum(self.samples) / len(self.samples):.1f})"


def cpu_of(servers) -> float:
    return sum(process_cpu_seconds(server.process.pid) for server in servers)


def stats(latencies: List[float]) -> dict:
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "p50": percentile(ordered, 0.50),
        "p95": percentile(ordered, 0.95),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1] * 1000 if ordered else float("nan"),
    }


def open_loop(args) -> Tuple[str, bool]:
    """200 families every 15-30 s for 5 minutes on N Rasa servers: the table, and whether the bar was met."""
    from scripts.cluster import running_cluster

    print(
        f"Starting the cluster: {args.cluster} Rasa servers, {args.actions} action servers (artifacts/load-cluster/)...",
        flush=True,
    )
    with running_cluster(
        MODEL,
        ROOT / "artifacts" / "load-cluster",
        rasa_servers=args.cluster,
        action_servers=args.actions,
        env=RATE_LIMITS,
        database_url=args.database,
        durable_database=True,
    ) as cluster:
        url = f"{cluster.url}/webhooks/rest/webhook"
        rss_start = [rss_mb(s.process.pid) for s in cluster.rasa]
        cpu_start = (cpu_of(cluster.rasa), cpu_of(cluster.actions))
        print(
            f"{args.users} families, a message every {args.think_min:g}-{args.think_max:g} s, "
            f"for {args.duration:.0f} s...",
            flush=True,
        )
        with LoadSampler() as machine:
            results, elapsed = asyncio.run(
                run_load(url, args.users, args.duration, (args.think_min, args.think_max), args.seed)
            )
        rss_end = [rss_mb(s.process.pid) for s in cluster.rasa]
        cpu = (cpu_of(cluster.rasa) - cpu_start[0], cpu_of(cluster.actions) - cpu_start[1])
        results.stored = stored_requests(cluster.database_url)
    figures = stats(results.latencies)
    errors = sum(results.errors.values())
    n = max(1, figures["n"])
    met = errors == 0 and figures["p95"] <= 500
    detail = ", ".join(f"{k} {name}" for name, k in results.errors.most_common()) or "none"
    text = "\n".join(
        [
            f"Load test on the cluster: {args.users} families at once for {args.duration:.0f} s, each sending a message "
            f"every {args.think_min:g}-{args.think_max:g} s after its reply, a fresh conversation id per conversation "
            "(scripts/load.py SCRIPTS, some with a whole callback request); through nginx to "
            f"{args.cluster} Rasa servers, {args.actions} action servers, Redis, PostgreSQL (fsync on); "
            f"guard rate limits raised for the run.",
            f"Machine: {os.cpu_count()} cores, shared with other work; load average during the run {machine.summary()}.",
            "",
            "| families | duration (s) | messages | messages/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | errors "
            "| callback forms completed / stored | Rasa CPU ms/message | action CPU ms/message "
            "| Rasa RSS each, start / end (MB) | bar: 0 errors, p95 <= 500 ms |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {args.users} | {elapsed:.0f} | {figures['n']} | {figures['n'] / elapsed:.1f} | {figures['p50']:.0f} "
            f"| {figures['p95']:.0f} | {figures['p99']:.0f} | {figures['max']:.0f} | {errors} "
            f"| {results.callbacks} / {results.stored} | {1000 * cpu[0] / n:.1f} | {1000 * cpu[1] / n:.1f} "
            f"| {' + '.join(f'{a:.0f} / {b:.0f}' for a, b in zip(rss_start, rss_end))} | {'met' if met else 'NOT met'} |",
            "",
            f"Errors: {detail}.",
        ]
    )
    return text, met


async def closed_round(url: str, users: int, seconds: float, seed: int) -> Tuple[Results, float]:
    return await run_load(url, users, seconds, (0.0, 0.0), seed)


def closed_loop(args) -> str:
    """1 Rasa server against N, both clusters up, alternating rounds at 10 and 50 families with no pauses."""
    from scripts.cluster import running_cluster

    sizes = [1, args.cluster] if args.cluster != 1 else [1]
    runs: dict = {}
    with contextlib.ExitStack() as stack:
        clusters = {}
        for size in sizes:  # one after the other: starts are CPU-heavy
            print(f"Starting a cluster with {size} Rasa server(s)...", flush=True)
            clusters[size] = stack.enter_context(
                running_cluster(
                    MODEL,
                    ROOT / "artifacts" / f"load-closed-{size}",
                    rasa_servers=size,
                    action_servers=args.actions,
                    env=RATE_LIMITS,
                    durable_database=True,
                )
            )
        for cluster in clusters.values():  # warm up: the first messages trace nothing, but fill caches
            asyncio.run(closed_round(f"{cluster.url}/webhooks/rest/webhook", 10, 10, args.seed))
        rss = {size: [rss_mb(s.process.pid) for s in c.rasa] for size, c in clusters.items()}
        with LoadSampler() as machine:
            for level in (10, 50):
                for round_ in range(args.rounds):
                    order = sizes if round_ % 2 == 0 else sizes[::-1]
                    for size in order:
                        cluster = clusters[size]
                        print(f"  {size} Rasa server(s), {level} families, round {round_ + 1}...", flush=True)
                        before = (cpu_of(cluster.rasa), cpu_of(cluster.actions))
                        results, elapsed = asyncio.run(
                            closed_round(
                                f"{cluster.url}/webhooks/rest/webhook", level, args.round_seconds, args.seed + round_
                            )
                        )
                        run = runs.setdefault(
                            (size, level),
                            {"latencies": [], "elapsed": 0.0, "errors": Counter(), "rasa_cpu": 0.0, "action_cpu": 0.0},
                        )
                        run["latencies"] += results.latencies
                        run["elapsed"] += elapsed
                        run["errors"].update(results.errors)
                        run["rasa_cpu"] += cpu_of(cluster.rasa) - before[0]
                        run["action_cpu"] += cpu_of(cluster.actions) - before[1]
    lines = [
        f"Closed loop on the cluster: 1 Rasa server against {args.cluster}, each behind nginx with "
        f"{args.actions} action servers, Redis and PostgreSQL (fsync on), both clusters up at once; "
        f"{args.rounds} rounds of {args.round_seconds:g} s per level and configuration, alternating, each family "
        "sending its next message as soon as it has the reply (scripts/load.py SCRIPTS).",
        f"Machine: {os.cpu_count()} cores, shared with other work; load average during the runs {machine.summary()}.",
        "",
        "| Rasa servers | families | messages | messages/s | p50 (ms) | p95 (ms) | p99 (ms) | errors "
        "| Rasa CPU ms/message | action CPU ms/message |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for level in (10, 50):
        for size in sizes:
            run = runs[(size, level)]
            figures = stats(run["latencies"])
            n = max(1, figures["n"])
            lines.append(
                f"| {size} | {level} | {figures['n']} | {figures['n'] / run['elapsed']:.1f} | {figures['p50']:.0f} "
                f"| {figures['p95']:.0f} | {figures['p99']:.0f} | {sum(run['errors'].values())} "
                f"| {1000 * run['rasa_cpu'] / n:.1f} | {1000 * run['action_cpu'] / n:.1f} |"
            )
    lines += [
        "",
        "Rasa server memory after start (MB): "
        + "; ".join(f"{size} server(s): {', '.join(f'{m:.0f}' for m in rss[size])}" for size in sizes)
        + ".",
    ]
    return "\n".join(lines)


def cluster_load(args) -> int:
    ok = True
    if args.part in ("both", "open"):
        text, ok = open_loop(args)
        out = args.out or ROOT / "results" / "load_cluster.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        print("\n" + text, flush=True)
    if args.part in ("both", "closed"):
        text = closed_loop(args)
        out = ROOT / "results" / "load_scaling.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        print("\n" + text, flush=True)
    return 0 if ok else 1


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=None, help="concurrent families (default 50; cluster 200)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load (default 120; cluster 300)")
    parser.add_argument(
        "--think-min", type=float, default=None, help="shortest pause between messages (s; default 1, cluster 15)"
    )
    parser.add_argument(
        "--think-max", type=float, default=None, help="longest pause between messages (s; default 3, cluster 30)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for scripts and think times")
    parser.add_argument(
        "--database",
        default=None,
        help="SEND_DATABASE_URL for the run (default: a fresh SQLite file in artifacts/load/; "
        "on the cluster a throwaway PostgreSQL)",
    )
    parser.add_argument(
        "--cluster",
        type=int,
        default=0,
        help="run on the cluster with this many Rasa servers (open loop, then 1 vs N closed loop)",
    )
    parser.add_argument("--actions", type=int, default=2, help="action servers on the cluster (default 2)")
    parser.add_argument(
        "--part",
        choices=("both", "open", "closed"),
        default="both",
        help="on the cluster: the open-loop run, the closed-loop comparison, or both",
    )
    parser.add_argument("--round-seconds", type=float, default=20, help="closed loop: seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="closed loop: rounds per level and configuration")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    cluster = args.cluster > 0
    for name, single, on_cluster in (
        ("users", 50, 200),
        ("duration", 120, 300),
        ("think_min", 1.0, 15.0),
        ("think_max", 3.0, 30.0),
    ):
        if getattr(args, name) is None:
            setattr(args, name, on_cluster if cluster else single)
    if not MODEL.exists():
        print(f"{MODEL} is missing: run `make train` first", file=sys.stderr)
        return 2
    if cluster:
        return cluster_load(args)
    args.out = args.out or ROOT / "results" / "load.md"
    print("Starting the stack (logs in artifacts/load/)...", flush=True)
    with running_stack(
        MODEL, ROOT / "artifacts" / "load", name="load", env=RATE_LIMITS, database_url=args.database
    ) as stack:
        url = f"{stack.rasa_url}/webhooks/rest/webhook"
        rss_start, load_start = rss_mb(stack.rasa_process.pid), os.getloadavg()[0]
        print(f"{args.users} families for {args.duration:.0f} s...", flush=True)
        results, elapsed = asyncio.run(
            run_load(url, args.users, args.duration, (args.think_min, args.think_max), args.seed)
        )
        rss_end, load_end = rss_mb(stack.rasa_process.pid), os.getloadavg()[0]
        results.stored = stored_requests(stack.database_url)
    text = table(args, results, elapsed, (rss_start, rss_end), (load_start, load_end))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print()
    print(text)
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
