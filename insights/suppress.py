"""Small numbers are never shown: any count from 1 to 4 becomes "fewer than 5".

The usual rule for published public-sector statistics, so that no family can
be singled out ("the one WhatsApp conversation at 3am on a Sunday"). Zero stays
0. A percentage is shown only when both its parts are 0 or at least 5, since
"25%" of 4 would give the count away. Charts draw a suppressed count as an
empty bar marked "<5".

The report's tables hold :class:`Value` objects only, made here, so no page,
CSV or chart can show a raw small count by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

THRESHOLD = 5
FEWER = "fewer than 5"
MARK = "<5"  # on a chart


@dataclass(frozen=True)
class Value:
    """One cell: the text shown (page and CSV) and the height drawn in a chart."""

    text: str
    plot: float = 0.0
    suppressed: bool = False

    @property
    def csv(self) -> str:
        """In the CSV: plain digits without thousands separators, or the same words."""
        return self.text.replace(",", "") if not self.suppressed else self.text


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def count(number: int) -> Value:
    """A count as shown: '0', 'fewer than 5' or '1,234'."""
    number = int(number)
    if number < 0:
        raise ValueError("a count cannot be negative")
    if is_small(number):
        return Value(FEWER, 0.0, True)
    return Value(f"{number:,}", float(number))


def share(part: int, whole: int) -> Value:
    """``part`` as a percentage of ``whole``, unless either is a small number."""
    if whole == 0:
        return Value("-", 0.0)
    if is_small(part) or is_small(whole):
        return Value(FEWER, 0.0, True)
    percent = 100.0 * part / whole
    return Value(f"{percent:.0f}%" if percent >= 1 or part == 0 else "under 1%", percent)


def text(words: str) -> Value:
    """A cell that is not a count (a label, a time)."""
    return Value(words)


def duration(seconds: Optional[float], based_on: int) -> Value:
    """A time such as '18 hours' or '2.5 days', shown only when it is based on 5 or more cases."""
    if seconds is None or based_on == 0:
        return Value("-")
    if is_small(based_on):
        return Value(f"not shown ({FEWER} requests)", 0.0, True)
    hours = seconds / 3600
    if hours < 1:
        return Value(f"{seconds / 60:.0f} minutes", hours)
    if hours < 48:
        return Value(f"{hours:.0f} hours", hours)
    return Value(f"{hours / 24:.1f} days", hours)
