"""Fill a database with synthetic conversations, then time the insights report on it.

    make synthetic                                   # 100,000 conversations into var/synthetic.db
    make synthetic SYNTHETIC_DB=postgresql://... CONVERSATIONS=20000

The conversations (insights/synthetic.py) cover the 30 days up to
yesterday, in the events table's real format, with a realistic mix of
channels, hours, disagreements, follow-ups, fallbacks, callbacks, crises and
feedback. It refuses a database that already holds conversations, so it can
never mix synthetic data into the service's own. The report's time is printed,
not checked: it depends on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from insights import report  # noqa: E402
from insights.period import LONDON, Period  # noqa: E402
from insights.synthetic import Generator  # noqa: E402
from insights.synthetic_store import write_fast  # noqa: E402
from storage import db  # noqa: E402


def holds_conversations(url: str) -> bool:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return False
            return connection.execute(sa.text("SELECT 1 FROM events LIMIT 1")).first() is not None
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a database URL, e.g. sqlite:///var/synthetic.db")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", default=str(ROOT / "results" / "synthetic-report.html"))
    args = parser.parse_args()
    if holds_conversations(args.database):
        print(f"{db.safe_url(args.database)} already holds conversations: give an empty database.", file=sys.stderr)
        return 1
    yesterday = dt.datetime.now(LONDON).date() - dt.timedelta(days=1)
    period = Period.last_days(30, yesterday)
    print(
        f"Writing {args.conversations:,} synthetic conversations ({period.describe()}) "
        f"to {db.safe_url(args.database)} ...",
        flush=True,
    )
    started = time.monotonic()
    generator = Generator(period, seed=args.seed)
    events = write_fast(
        args.database,
        generator.conversations(args.conversations),
        progress=lambda n: print(f"  {n:,} events", end="\r", flush=True),
    )
    print(
        f"\nWrote {events:,} events in {time.monotonic() - started:.0f} s "
        f"({events / max(1, args.conversations):.1f} per conversation)."
    )
    cpu = time.process_time()
    made = report.make(args.database, period, Path(args.out))
    cpu = time.process_time() - cpu
    where = "including SQLite's work" if args.database.startswith("sqlite") else "PostgreSQL's not included"
    print(
        f"Report on {made.conversations:,} conversations ({events:,} events): {made.seconds:.1f} s "
        f"(CPU time of this process, {where}: {cpu:.1f} s). Page: {made.html}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
