"""The days a report covers: whole days in UK time, both ends included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Period:
    """From the start of ``first`` to the end of ``last`` (UK time)."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @classmethod
    def parse(cls, first: str, last: str) -> Period:
        """From 'YYYY-MM-DD' strings, with a plain message for anything else."""
        try:
            return cls(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        except ValueError as error:
            if "before it starts" in str(error):
                raise
            raise ValueError(f"dates are written year-month-day, like 2026-11-01 ({error})") from None

    @classmethod
    def last_days(cls, days: int, today: dt.date) -> Period:
        """The ``days`` days up to and including ``today``."""
        if days < 1:
            raise ValueError("a report covers at least 1 day")
        return cls(today - dt.timedelta(days=days - 1), today)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(0), tzinfo=LONDON)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period (exclusive)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)

    @property
    def start_epoch(self) -> float:
        return self.start.timestamp()

    @property
    def end_epoch(self) -> float:
        return self.end.timestamp()

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        """'1 November 2026 to 30 November 2026'."""
        return f"{_day(self.first)} to {_day(self.last)}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
