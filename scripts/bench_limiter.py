"""Micro-benchmark of the guard's rate limiter: the cost of one message with 60,000 keys in the table.

    .venv/bin/python -m scripts.bench_limiter [--keys 60000] [--messages 2000]

Prints figures; it is not a test (timings depend on the machine). "Before" is
the limiter as it was until issue 10, copied here for the comparison: above
10,000 keys it scanned the whole table on every message. "After" is
channels.guard.SlidingWindow, which keeps keys in the order of their newest
message and drops idle ones from the front.

Both run on the same fake clock: the table holds ``--keys`` keys that each sent
a message within the last minute (as when that many families, or one client
with as many made-up ids, wrote in the last minute), then ``--messages`` new
keys each send one, with the clock moving 1 ms a message, so old keys expire
as they would at that rate.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict, deque
from typing import Deque, Dict

from channels.guard import SlidingWindow


class ScanningWindow:
    """The limiter before issue 10 (channels/guard.py at 4bef80f), unchanged."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: Dict[str, Deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = self.clock()
        events = self._events[key]
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        if len(self._events) > 10_000:
            for key in [k for k, v in self._events.items() if not v or now - v[-1] >= self.window]:
                del self._events[key]


def per_message_seconds(window_class, keys: int, messages: int) -> float:
    now = [0.0]
    window = window_class(limit=20, window=60.0, clock=lambda: now[0])
    step = 60.0 / keys  # the table fills exactly one window
    for n in range(keys):
        now[0] = n * step
        if isinstance(window, ScanningWindow):
            window._events[f"family-{n}"].append(now[0])  # as allow() would, without its minutes of scans
        else:
            window.allow(f"family-{n}")
    started = time.perf_counter()
    for n in range(messages):
        now[0] += 0.001
        window.allow(f"new-{n}")
    return (time.perf_counter() - started) / messages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=60_000)
    parser.add_argument("--messages", type=int, default=2_000)
    args = parser.parse_args(argv)
    before = per_message_seconds(ScanningWindow, args.keys, args.messages)
    after = per_message_seconds(SlidingWindow, args.keys, args.messages)
    print(f"Rate limiter with {args.keys:,} keys in the table, {args.messages:,} messages from new keys:")
    print(f"  before (whole table scanned above 10,000 keys): {before * 1e3:8.3f} ms per message")
    print(f"  after  (idle keys dropped in time order):       {after * 1e3:8.3f} ms per message")
    print(f"  {before / after:,.0f} times faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
