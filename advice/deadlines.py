"""The deadline calculator: read a date as families in England write it, and
work out the last day to contact the mediation adviser and to appeal.

A wrong date can cost a family its appeal, so this module is exact, says how
it counted, and asks a gentle question back rather than guess. It is pure: no
Rasa, no clock (``today`` is always passed in), no logging (a date a family
types is personal; never log it or the text it came in). The wording lives in
``content/deadlines.yml``, each text with its source in
``../shared/reference/facts.md`` or the law.

The API, in the order a conversation uses it::

    reading = read_date(text, today)                       # -> DateReading
    if not reading.ok:
        reply = question(reading, asking=LETTER)           # a gentle question back
    else:
        deadlines = work_out(APPEAL, reading.date, today,   # -> Deadlines
                             certificate=None)
        reply = explain(deadlines, letter=reading)         # -> str (paragraphs)

``read_date(text, today, *, not_before=None) -> DateReading``
    Finds the one date in a message: "18 March", "18/03/2026" (day first,
    always), "18.3.26", "18th March 2026", "March 18", "the 18th", "last
    Tuesday", "yesterday", "3 weeks ago", "a fortnight ago", also inside a
    sentence. ``DateReading.date`` is set when it is usable; otherwise
    ``reason`` is ``FUTURE`` (after today), ``TOO_OLD`` (more than a year
    before today), ``BEFORE_LETTER`` (before ``not_before``: pass the letter's
    date when reading a certificate's) or ``UNREADABLE`` (no date, a vague one
    such as "next month" or "in March", a date that does not exist, or two
    different dates: then ``dates_found`` lists them).

``work_out(kind, start, today, certificate=None, *, bank_holidays=None) -> Deadlines``
    ``kind`` is ``APPEAL`` (an appeal that needs a mediation certificate),
    ``PLACEMENT`` (an appeal only about the school or college named in the
    plan) or ``DISCRIMINATION`` (a disability discrimination claim against a
    school; ``start`` is the day it happened). Returns the last day to contact
    the mediation adviser (``APPEAL`` only) and the last day the tribunal must
    receive the appeal or claim, each a :class:`Deadline` with the plain date,
    the date after the tribunal's holiday rule, and the days left. Raises
    ``ValueError`` for dates that :func:`read_date` would have questioned.

``explain(deadlines, render=None, *, letter=None, certificate=None) -> str``
    (also ``wording=`` and ``bank_holidays=`` for tests)
    The family-facing answer, in paragraphs separated by a blank line, dates
    as "Wednesday 20 January 2027". ``letter`` and ``certificate`` are the
    readings the dates came from, so the answer can say what was assumed
    ("you did not give a year") or that a day the letter arrived is not the
    date printed on it.

``question(reading, asking=LETTER, render=None) -> str``
    The gentle question for a reading that is not ``ok``. ``asking`` is
    ``LETTER``, ``CERTIFICATE`` or ``DISCRIMINATION``.

``render`` fills the content placeholders such as ``{sendias.phone}``: pass
``Content.render`` (the default is ``get_content().render``). Values such as
``{date}`` are filled in here first.

For `make content-check` and reviewers: ``wording_problems(render)`` (a text
without a source, or a reply over grade 8), ``to_verify()`` (texts resting on
a fact facts.md marks "verify") and ``examples(render)`` (fixed examples of
every reply, never the clock: for docs/replies.md).

Counting (facts.md, "How to count a deadline"): "2 months from" a date is the
same day number two calendar months later, or the last day of that month when
it has no such day (:func:`add_months`). The tribunal's holiday rule (rule 12)
moves an appeal deadline that ends from 25 December to 1 January to the next
working day in January, and one that ends in August to the first working day
in September; working days are Monday to Friday except England's bank holidays
(from the ``holidays`` library, as in office_hours.py). It does not move the
mediation adviser's 2 months or a discrimination claim.

Reading dates: ``dateparser`` (UK order: ``DATE_ORDER`` DMY, English, relative
to ``today``, past dates preferred when the year is missing) does the reading.
This module only finds the parts of a message that look like a date, so that
"2 months", "20 weeks", "year 7", "section F" or "SEND35" are never read as
one, and handles two things dateparser does not do as families mean them: "the
18th" is the most recent 18th on or before today, and "last Tuesday" is the
most recent Tuesday before today. A written date (with a month) wins over a
day-only or relative one in the same message ("dated 18 March, came
yesterday"); two different dates of the same sort get a question back.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Container, Dict, List, Mapping, Optional, Sequence, Tuple

import dateparser
import holidays
import yaml

from advice.content import CONTENT_DIR, ContentError, tidy

DEADLINES_FILE = CONTENT_DIR / "deadlines.yml"

# Kinds of decision (which rules apply).
APPEAL = "appeal"
PLACEMENT = "placement"
DISCRIMINATION = "discrimination"
KINDS = (APPEAL, PLACEMENT, DISCRIMINATION)

# What a question asks for.
LETTER = "letter"
CERTIFICATE = "certificate"

# Why a reading has no date.
FUTURE = "future"
TOO_OLD = "too_old"
UNREADABLE = "unreadable"
BEFORE_LETTER = "before_letter"
# The message gives the day the letter (or certificate) arrived, not the date on it.
ARRIVAL = "arrival"
REASONS = (FUTURE, TOO_OLD, UNREADABLE, BEFORE_LETTER, ARRIVAL)

# How the tribunal's holiday rule moved a deadline.
CHRISTMAS = "christmas"
AUGUST = "august"

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

Render = Callable[[str], str]


# --------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day number ``months`` calendar months later (or earlier, if negative).

    When that month has no such day, the last day of that month: 31 December
    plus 2 months is 28 February (29 in a leap year). facts.md, "How to count
    a deadline".
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def long_date(day: dt.date) -> str:
    """'Wednesday 20 January 2027' (English names whatever the machine's locale)."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def england_bank_holidays() -> Container[dt.date]:
    """Bank holidays in England (and Wales), from the ``holidays`` library."""
    return holidays.UK(subdiv="ENG")  # type: ignore[attr-defined]  # made at import by holidays' loader


def is_working_day(day: dt.date, bank_holidays: Container[dt.date]) -> bool:
    """Monday to Friday, and not a bank holiday in England (Christmas Day and
    Good Friday are bank holidays in the library too)."""
    return day.weekday() < 5 and day not in bank_holidays


def first_working_day_from(day: dt.date, bank_holidays: Container[dt.date]) -> dt.date:
    while not is_working_day(day, bank_holidays):
        day += dt.timedelta(days=1)
    return day


def tribunal_holiday_rule(day: dt.date, bank_holidays: Container[dt.date]) -> Tuple[dt.date, Optional[str]]:
    """Where the tribunal's holiday rule (rule 12) moves an appeal deadline.

    Ending on any day from 25 December to 1 January: the next working day
    after 1 January. Ending in August: the first working day in September.
    Otherwise unchanged. Returns the date and ``CHRISTMAS``, ``AUGUST`` or None.
    """
    if (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day == 1):
        year = day.year + 1 if day.month == 12 else day.year
        return first_working_day_from(dt.date(year, 1, 2), bank_holidays), CHRISTMAS
    if day.month == 8:
        return first_working_day_from(dt.date(day.year, 9, 1), bank_holidays), AUGUST
    return day, None


@dataclass(frozen=True)
class Deadline:
    """One last day.

    ``plain`` is the date the counting gives; ``last_day`` the date after the
    tribunal's holiday rule (the same as ``plain`` when it does not apply);
    ``moved`` says which part of the rule moved it. ``non_working_day``: the
    last day is a Saturday, Sunday or bank holiday. ``days_left``: 0 when
    today is the last day, negative when it has passed.
    """

    plain: dt.date
    last_day: dt.date
    moved: Optional[str]
    non_working_day: bool
    days_left: int

    @property
    def passed(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class Deadlines:
    """Everything :func:`explain` says, worked out for one decision.

    ``mediation`` is the last day to contact the mediation adviser (``APPEAL``
    only, else None). ``appeal`` is the last day the tribunal must receive the
    appeal, or the discrimination claim. ``from_letter`` is 2 months from the
    letter (for discrimination, the last day of the 6 months);
    ``from_certificate`` 1 month from the certificate, when there is one;
    ``certificate_later`` whether that ends later than ``from_letter``.
    For ``PLACEMENT`` the appeal deadline is always the 2 months: an appeal
    only about the school or college needs no certificate, and facts.md says
    nothing of one from optional mediation extending it. ``other_parts`` is
    then the later day a certificate may give if the appeal is also about
    other parts of the plan (None when it gives no later day).
    """

    kind: str
    start: dt.date
    certificate: Optional[dt.date]
    today: dt.date
    mediation: Optional[Deadline]
    appeal: Deadline
    from_letter: dt.date
    from_certificate: Optional[dt.date]
    certificate_later: bool
    other_parts: Optional[Deadline] = None


def _deadline(plain: dt.date, today: dt.date, bank_holidays: Container[dt.date], holiday_rule: bool) -> Deadline:
    last_day, moved = tribunal_holiday_rule(plain, bank_holidays) if holiday_rule else (plain, None)
    return Deadline(
        plain=plain,
        last_day=last_day,
        moved=moved,
        non_working_day=not is_working_day(last_day, bank_holidays),
        days_left=(last_day - today).days,
    )


def _as_date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"{name} must be a date, not {type(value).__name__}")


def work_out(
    kind: str,
    start: dt.date,
    today: dt.date,
    certificate: Optional[dt.date] = None,
    *,
    bank_holidays: Optional[Container[dt.date]] = None,
) -> Deadlines:
    """The deadlines for one decision (see the module docstring).

    ``start`` is the date on the decision letter (for ``DISCRIMINATION``, the
    day it happened); ``certificate`` the date on the mediation certificate,
    if the family has one. The appeal deadline is the later of 2 months from
    the letter and 1 month from the certificate, then the tribunal's holiday
    rule. The rule applies to that one time limit, so it is applied after
    choosing the later date (which never gives a later day than applying it
    to each first).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    today = _as_date(today, "today")
    start = _as_date(start, "start")
    if start > today:
        raise ValueError("the start date is after today: ask again (see read_date)")
    if certificate is not None:
        certificate = _as_date(certificate, "certificate")
        if kind == DISCRIMINATION:
            raise ValueError("a discrimination claim has no mediation certificate")
        if certificate < start:
            raise ValueError("the certificate is dated before the letter: ask again")
        if certificate > today:
            raise ValueError("the certificate date is after today: ask again")
    holidays_ = england_bank_holidays() if bank_holidays is None else bank_holidays

    if kind == DISCRIMINATION:
        # "6 months starting with" the day: the day before the same date 6
        # months later. With no such date, the day before that month's last day.
        last = add_months(start, 6) - dt.timedelta(days=1)
        return Deadlines(
            kind=kind,
            start=start,
            certificate=None,
            today=today,
            mediation=None,
            appeal=_deadline(last, today, holidays_, holiday_rule=False),
            from_letter=last,
            from_certificate=None,
            certificate_later=False,
        )

    from_letter = add_months(start, 2)
    from_certificate = add_months(certificate, 1) if certificate is not None else None
    later = from_certificate is not None and from_certificate > from_letter
    if kind == PLACEMENT:
        # later implies from_certificate is set.
        other = _deadline(from_certificate, today, holidays_, holiday_rule=True) if later else None  # type: ignore[arg-type]
        return Deadlines(
            kind=kind,
            start=start,
            certificate=certificate,
            today=today,
            mediation=None,
            appeal=_deadline(from_letter, today, holidays_, holiday_rule=True),
            from_letter=from_letter,
            from_certificate=from_certificate,
            certificate_later=later,
            other_parts=other,
        )
    plain: dt.date = from_certificate if later else from_letter  # type: ignore[assignment]  # later implies it is set
    mediation = _deadline(from_letter, today, holidays_, holiday_rule=False)
    return Deadlines(
        kind=kind,
        start=start,
        certificate=certificate,
        today=today,
        mediation=mediation,
        appeal=_deadline(plain, today, holidays_, holiday_rule=True),
        from_letter=from_letter,
        from_certificate=from_certificate,
        certificate_later=later,
    )


# --------------------------------------------------------------------------
# Reading a date
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DateReading:
    """What :func:`read_date` found.

    ``date`` is set only when it can be used (then ``reason`` is None).
    ``assumed`` is ``"year"`` or ``"month"`` when the family did not type it.
    ``relative``: the date was counted back from today ("3 weeks ago", "last
    Tuesday", "yesterday"). ``arrival``: the message talks about when the
    letter came, which is not the date printed on it.
    """

    date: Optional[dt.date]
    reason: Optional[str] = None
    dates_found: Tuple[dt.date, ...] = ()
    assumed: Optional[str] = None
    relative: bool = False
    arrival: bool = False

    @property
    def ok(self) -> bool:
        return self.date is not None

    def as_slot(self) -> Dict[str, Any]:
        """A plain mapping for a Rasa slot (the conversation keeps it between messages)."""
        return {
            "date": self.date.isoformat() if self.date else None,
            "reason": self.reason,
            "dates_found": len(self.dates_found),
            "assumed": self.assumed,
            "relative": self.relative,
            "arrival": self.arrival,
        }

    @classmethod
    def from_slot(cls, value: Any) -> Optional[DateReading]:
        """The reading kept by :meth:`as_slot`, or None for anything else."""
        if not isinstance(value, Mapping):
            return None
        try:
            day = dt.date.fromisoformat(value["date"]) if value.get("date") else None
            found = int(value.get("dates_found") or 0)
        except (TypeError, ValueError):
            return None
        return cls(
            date=day,
            reason=value.get("reason") if value.get("reason") in REASONS else (None if day else UNREADABLE),
            # Only how many were found matters after this (two dates: a question back).
            dates_found=tuple(dt.date.min for _ in range(min(found, 5))),
            assumed=value.get("assumed") if value.get("assumed") in ("year", "month") else None,
            relative=bool(value.get("relative")),
            arrival=bool(value.get("arrival")),
        )


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b\.?"
)
_WEEKDAY_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])"
_MONTH_NUMBER = r"(?:1[0-2]|0?[1-9])"
_ORDINAL = r"(?:st|nd|rd|th)"
# A number followed by one of these is a length of time or a count, not a day.
_UNIT = r"(?:days?|weeks?|fortnights?|months?|years?|yrs?|hours?|hrs?|mins?|minutes?)\b"
# "the 7th year", "his 10th birthday": an ordinal that is not a day of the month.
_NOT_A_DAY = (
    r"(?:year|birthday|grade|class|form|time|week|month|day|floor|place|century"
    r"|anniversary|attempt|school|child|son|daughter|meeting|review|letter|email|call)s?\b"
)
# "the 2nd of last month": not a day this module can place (a question back).
_NOT_OF_MONTH = r"(?!\s+of\s+(?:last|this|next|the|that)\b)"
_COUNT = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_YEAR = rf"(?:,?\s+(?:(?:19|20)\d{{2}}\b|'?\d{{2}}\b(?!\s*{_UNIT})(?![:.]\d)))"

# Each pattern is one sort of date; "rank" says how much it says: 2 a day and
# a month (and maybe a year), 1 a day of the month only, 0 counted back from today.
_PATTERNS: Sequence[Tuple[str, int, str]] = (
    # 18 March, Wed 18th of March 2026, the 18th March '26
    ("day_month", 2, rf"(?:\b{_WEEKDAY},?\s+)?(?:\bthe\s+)?\b{_DAY}\s*{_ORDINAL}?\s+(?:of\s+)?{_MONTH}{_YEAR}?"),
    # March 18, March 18th, 2026
    (
        "month_day",
        2,
        rf"(?:\b{_WEEKDAY},?\s+)?\b{_MONTH}\s+(?:the\s+)?{_DAY}(?:\s*{_ORDINAL})?\b"
        rf"(?!\s*{_UNIT})(?!\s*[:.]\d)(?:,?\s+(?:19|20)\d{{2}}\b)?",
    ),
    # 18/03/2026, 18.3.26, 18-3-2026 (day first, always); 18/3
    (
        "numeric",
        2,
        rf"(?<![\w/.\-]){_DAY}(?P<sep>[/.\-]){_MONTH_NUMBER}(?P=sep)(?:\d{{4}}|\d{{2}})(?![/.\-]?\d)"
        rf"|(?<![\w/.\-]){_DAY}/{_MONTH_NUMBER}(?![/.\-]?\d)",
    ),
    # the 18th, on the 18th, dated 18th, on the 18.
    (
        "day_only",
        1,
        rf"\bthe\s+{_DAY}\s*{_ORDINAL}\b(?!\s+(?:of\s+)?{_MONTH})(?!\s+{_NOT_A_DAY}){_NOT_OF_MONTH}"
        rf"|\b(?:on|dated|from)\s+{_DAY}\s*{_ORDINAL}\b(?!\s+(?:of\s+)?{_MONTH})(?!\s+{_NOT_A_DAY})"
        rf"{_NOT_OF_MONTH}"
        rf"|\b(?:on|dated)\s+the\s+{_DAY}(?=\s*(?:[,.;!?]|$))"
        rf"|^\s*{_DAY}\s*{_ORDINAL}\s*[.!]?\s*$",
    ),
    # last Tuesday, on Monday, this Friday (a question back: dateparser cannot read it)
    (
        "weekday",
        0,
        rf"(?:\b(?:last|this|next|on|past)\s+)?\b{_WEEKDAY_FULL}(?:\s+just\s+gone)?"
        rf"(?!,?\s+(?:the\s+)?\d)(?!,?\s+{_MONTH}\s+\d)",
    ),
    # yesterday, the day before yesterday, 3 weeks ago, a fortnight ago
    (
        "ago",
        0,
        rf"\b(?:the\s+)?day\s+before\s+yesterday\b|\byesterday\b"
        rf"|\b(?:{_COUNT}\s+{_UNIT}\s*(?:,|and)?\s*)*{_COUNT}\s+{_UNIT}\s+ago\b",
    ),
    # "today" only where it says when the letter is dated or came: "can I
    # appeal today?" is not a date.
    (
        "today",
        0,
        r"\b(?:dated|sent|came|arrived|received|got\s+it|got\s+the\s+letter)\s+"
        r"(?:in\s+)?today\b|^\s*(?:it\s+was\s+)?today\s*[.!]?\s*$",
    ),
)
_FINDER = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, _, pattern in _PATTERNS),
    re.IGNORECASE | re.MULTILINE,
)
_RANK = {name: rank for name, rank, _ in _PATTERNS}
# Whether a written date gave its year: "18 March 2026", "18 March '26", "18.3.26".
_HAS_YEAR = {
    "day_month": re.compile(rf"{_MONTH}{_YEAR}$", re.IGNORECASE),
    "month_day": re.compile(r"\b(?:19|20)\d{2}$"),
    "numeric": re.compile(r"^\d{1,2}([/.\-])\d{1,2}\1\d{2,4}$"),
}
_WEEKDAY_AT_START = re.compile(rf"^\s*({_WEEKDAY})", re.IGNORECASE)
_ARRIVAL = re.compile(
    r"\b(?:got|get|received?|arrived?|came|come|delivered|opened|through\s+the\s+door)\b",
    re.IGNORECASE,
)
# Words that say the date given is the one printed on it ("dated 18 March, came today").
_PRINTED = re.compile(r"\b(?:dated|date on|date printed|printed|it says|says|written|issued)\b", re.IGNORECASE)
_FORTNIGHT = re.compile(r"\b(a|an|one|1)\s+fortnight\b", re.IGNORECASE)
_COUNT_WORDS = (
    "a",
    "an",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def _parser_settings(today: dt.date) -> Dict[str, Any]:
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_LOCALE_DATE_ORDER": False,
    }


def _parse(text: str, today: dt.date) -> Optional[dt.date]:
    """dateparser, in English, day first, relative to ``today``."""
    parsed = dateparser.parse(text, languages=["en"], settings=_parser_settings(today))
    return parsed.date() if parsed is not None else None


def _day_only(text: str, today: dt.date) -> Optional[dt.date]:
    """'the 18th': the most recent 18th on or before today (months without one skipped)."""
    number = int(re.search(r"\d{1,2}", text).group())  # type: ignore[union-attr]
    for back in range(0, 13):
        first = add_months(today.replace(day=1), -back)
        if number <= calendar.monthrange(first.year, first.month)[1]:
            day = first.replace(day=number)
            if day <= today:
                return day
    return None


def _weekday(text: str, today: dt.date) -> Optional[dt.date]:
    """'last Tuesday', 'on Tuesday': the most recent Tuesday before today.

    "this Tuesday" and "next Tuesday" return None (a question back).
    """
    words = text.lower().split()
    if words[0] in ("this", "next"):
        return None
    name = next(word for word in words if word in {n.lower() for n in WEEKDAY_NAMES})
    parsed = _parse(name, today)  # dateparser prefers the past: 1 to 7 days ago
    if parsed is None or not 1 <= (today - parsed).days <= 7:
        return None
    return parsed


def _ago(text: str, today: dt.date) -> Optional[dt.date]:
    """'3 weeks ago', 'a fortnight ago', '2 weeks and 3 days ago'.

    Months and years ago are too vague to count a deadline from ("2 months
    ago" is rarely exact): None, so the family is asked for the date.
    """
    if re.search(r"\b(?:months?|years?|yrs?|hours?|hrs?|mins?|minutes?)\b", text, re.IGNORECASE):
        return None
    text = _FORTNIGHT.sub("2 weeks", text)
    match = re.match(r"\s*(\w+)\s+fortnights?\s+ago", text, re.IGNORECASE)
    if match:  # "2 fortnights ago"
        count = match.group(1).lower()
        number = int(count) if count.isdigit() else _COUNT_WORDS.index(count) or 1
        text = f"{number * 2} weeks ago"
    return _parse(text, today)


def _read_one(kind: str, text: str, today: dt.date) -> Tuple[Optional[dt.date], Optional[str]]:
    """One candidate: its date (None if it cannot be read) and what was assumed."""
    if kind == "day_only":
        return _day_only(text, today), "month"
    if kind == "weekday":
        return _weekday(text, today), None
    if kind in ("ago", "today"):
        if kind == "today":
            return today, None
        return _ago(text, today), None
    parsed = _parse(text, today)
    if parsed is None:
        return None, None
    weekday = _WEEKDAY_AT_START.match(text)
    if weekday:  # "Tuesday 18 March": the day name must agree with the date
        said = _parse(weekday.group(1).rstrip("."), today)
        if said is None or said.weekday() != parsed.weekday():
            return None, None
    return parsed, None if _HAS_YEAR[kind].search(text.strip()) else "year"


def read_date(text: str, today: dt.date, *, not_before: Optional[dt.date] = None, printed: bool = False) -> DateReading:
    """The one date in ``text``, read as people in England write dates.

    Never a guess: see :class:`DateReading` and the module docstring. ``today``
    is the conversation's own date (never read from the clock here);
    ``not_before`` is the letter's date when reading a certificate's.
    ``printed``: the date asked for is the one printed on a letter or
    certificate, so a message that gives only the day it arrived ("got it
    on 18 March") is asked again (``ARRIVAL``): the time limits count from
    the printed date, which can be days earlier.
    """
    today = _as_date(today, "today")
    text = text or ""
    arrival = bool(_ARRIVAL.search(text))
    found: List[Tuple[int, str, Optional[dt.date], Optional[str]]] = []
    for match in _FINDER.finditer(text):
        kind = match.lastgroup or ""
        date, assumed = _read_one(kind, match.group(kind), today)
        found.append((_RANK[kind], kind, date, assumed))
    if not found:
        return DateReading(None, UNREADABLE, arrival=arrival)
    top = max(rank for rank, _, _, _ in found)
    best = [(kind, date, assumed) for rank, kind, date, assumed in found if rank == top]
    dates = tuple(sorted({date for _, date, _ in best if date is not None}))
    if any(date is None for _, date, _ in best) or len(dates) != 1:
        return DateReading(None, UNREADABLE, dates_found=dates, arrival=arrival)
    date = dates[0]
    # Said twice, once with the year: nothing was assumed.
    assumed = None if any(a is None for _, _, a in best) else best[0][2]
    relative = top == 0
    if date > today:
        return DateReading(None, FUTURE, (date,), assumed, relative, arrival)
    if date < add_months(today, -12):
        return DateReading(None, TOO_OLD, (date,), assumed, relative, arrival)
    if not_before is not None and date < _as_date(not_before, "not_before"):
        return DateReading(None, BEFORE_LETTER, (date,), assumed, relative, arrival)
    if printed and arrival and not _PRINTED.search(text):
        return DateReading(None, ARRIVAL, (date,), assumed, relative, arrival)
    return DateReading(date, None, (date,), assumed, relative, arrival)


# --------------------------------------------------------------------------
# Wording
# --------------------------------------------------------------------------


class WordingError(ContentError):
    """content/deadlines.yml is missing a text or a source."""


def load_wording(path: Path = DEADLINES_FILE) -> Dict[str, Dict[str, Any]]:
    """Read content/deadlines.yml: sections of entries, each with `text` and `source`."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise WordingError(f"cannot read {Path(path).name}: {error}") from error
    if not isinstance(data, dict):
        raise WordingError(f"{Path(path).name} must be a mapping at the top level")
    for section, entries in data.items():
        if not isinstance(entries, dict):
            raise WordingError(f"{Path(path).name} {section}: must be a mapping of texts")
        for key, entry in entries.items():
            where = f"{Path(path).name} {section}.{key}"
            if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
                raise WordingError(f"{where}: needs a `text`")
            if not str(entry.get("source") or "").strip():
                raise WordingError(f"{where}: needs a `source` (a facts.md heading or the law)")
    return data


@functools.lru_cache(maxsize=1)
def get_wording() -> Dict[str, Dict[str, Any]]:
    """The wording, read once per process (restart the action server after edits)."""
    return load_wording()


def _default_render() -> Render:
    from advice.content import get_content

    return get_content().render


_VALUE = re.compile(r"\{([a-z_]+)\}")


class _Writer:
    """Fills our own values ({date}, {days}) and hands the rest to ``render``."""

    def __init__(self, wording: Mapping[str, Mapping[str, Any]], render: Optional[Render]):
        self.wording = wording
        self.render = render or _default_render()
        self._marker: Optional[str] = None

    def marker(self) -> str:
        """The content's "(to be confirmed)", for {unverified} in an unverified entry."""
        if self._marker is None:
            from advice.content import get_content

            self._marker = get_content().unverified_marker
        return self._marker

    def __call__(self, section: str, key: str, **values: Any) -> str:
        try:
            entry = self.wording[section][key]
            template = str(entry["text"])
        except KeyError as error:
            raise WordingError(f"deadlines.yml has no text {section}.{key}") from error
        if "{unverified}" in template:
            values = {**values, "unverified": f" {self.marker()}" if entry.get("verified") is False else ""}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise WordingError(f"deadlines.yml {section}.{key}: no value for {{{name}}}")
            value = values[name]
            return long_date(value) if isinstance(value, dt.date) else str(value)

        return tidy(self.render(_VALUE.sub(fill, template)))


def _paragraph(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _days(write: _Writer, deadline: Deadline) -> str:
    if deadline.days_left == 0:
        return write("days", "today")
    if deadline.days_left == 1:
        return write("days", "one")
    return write("days", "many", days=deadline.days_left)


def _day_kind(day: dt.date, bank_holidays: Container[dt.date]) -> str:
    return WEEKDAY_NAMES[day.weekday()] if day.weekday() >= 5 else "bank holiday"


def _read_back(
    write: _Writer,
    deadlines: Deadlines,
    letter: Optional[DateReading],
    certificate: Optional[DateReading],
) -> str:
    if deadlines.kind == DISCRIMINATION:
        parts = [write("read_back", "discrimination", date=deadlines.start)]
    elif letter is not None and letter.relative and not letter.arrival:
        # "3 weeks ago" may be when it arrived: say it was taken as the printed date.
        parts = [write("read_back", "relative", date=deadlines.start)]
    else:
        parts = [write("read_back", "letter", date=deadlines.start)]
    if letter is not None and letter.assumed:
        parts.append(_assumed(write, letter, deadlines.start))
    if letter is not None and deadlines.kind != DISCRIMINATION and (letter.relative or letter.arrival):
        parts.append(write("read_back", "arrival"))
    if deadlines.certificate is not None:
        parts.append(write("read_back", "certificate", date=deadlines.certificate))
        if certificate is not None and certificate.assumed:
            parts.append(_assumed(write, certificate, deadlines.certificate))
    return _paragraph(*parts)


def _assumed(write: _Writer, reading: DateReading, day: dt.date) -> str:
    if reading.assumed == "month":
        return write("read_back", "assumed_month", month=MONTH_NAMES[day.month - 1], year=day.year)
    return write("read_back", "assumed_year", year=day.year)


def _urgency(write: _Writer, section: str, deadline: Deadline) -> List[str]:
    """Days left, then "send it well before then" (or "today" when there is no time)."""
    return [_days(write, deadline), write(section, "urgent" if deadline.days_left <= 1 else "send_early")]


def _mediation(write: _Writer, deadlines: Deadlines, bank_holidays: Container[dt.date]) -> str:
    deadline = deadlines.mediation
    assert deadline is not None
    if deadlines.certificate is not None:
        # They have a certificate, so they have contacted the adviser: just the date.
        key = "with_certificate_passed" if deadline.passed else "with_certificate"
        return _paragraph(write("mediation", key, date=deadline.last_day))
    if deadline.passed:
        key = "passed_too" if deadlines.appeal.passed else "passed"
        return _paragraph(write("mediation", key, date=deadline.last_day))
    parts = [write("mediation", "deadline", date=deadline.last_day)]
    if deadlines.appeal.moved:
        parts.append(write("mediation", "not_moved"))
    if deadline.non_working_day:
        parts.append(write("mediation", "non_working_day", day_kind=_day_kind(deadline.last_day, bank_holidays)))
    parts += _urgency(write, "mediation", deadline)
    return _paragraph(*parts)


def _appeal(write: _Writer, deadlines: Deadlines, bank_holidays: Container[dt.date]) -> str:
    deadline = deadlines.appeal
    section = "appeal"
    other = deadlines.other_parts
    if deadline.passed:
        parts = [write(section, "passed", date=deadline.last_day)]
        if other is not None and not other.passed:
            parts.append(_other_parts(write, deadlines, other))
        return _paragraph(*parts)
    parts = [write(section, "deadline", date=deadline.last_day)]
    if deadlines.kind == PLACEMENT:
        # Only about the school or college: no certificate needed, so the 2
        # months are the date to work to. A certificate may give longer only
        # if the appeal is also about other parts of the plan.
        parts += [write(section, "rule_two_months"), write(section, "placement")]
        if other is not None:
            parts.append(_other_parts(write, deadlines, other))
    else:
        parts.append(write(section, "rule"))
    if deadlines.from_certificate is not None and deadlines.kind != PLACEMENT:
        key = "certificate_later" if deadlines.certificate_later else "certificate_not_later"
        parts.append(write(section, key, date=deadlines.from_certificate, letter_date=deadlines.from_letter))
    if deadline.moved == CHRISTMAS:
        parts.append(write(section, "christmas", plain_date=deadline.plain, date=deadline.last_day))
    elif deadline.moved == AUGUST:
        parts.append(write(section, "august", plain_date=deadline.plain, date=deadline.last_day))
    elif deadline.non_working_day:
        parts.append(write(section, "non_working_day", day_kind=_day_kind(deadline.last_day, bank_holidays)))
    parts += _urgency(write, section, deadline)
    return _paragraph(*parts)


def _other_parts(write: _Writer, deadlines: Deadlines, other: Deadline) -> str:
    return write("appeal", "placement_certificate", date=other.last_day, letter_date=deadlines.from_letter)


def _discrimination(write: _Writer, deadlines: Deadlines, bank_holidays: Container[dt.date]) -> str:
    deadline = deadlines.appeal
    section = "discrimination"
    if deadline.passed:
        return _paragraph(write(section, "passed", date=deadline.last_day))
    parts = [write(section, "deadline", date=deadline.last_day), write(section, "rule")]
    if deadline.non_working_day:
        parts.append(write(section, "non_working_day", day_kind=_day_kind(deadline.last_day, bank_holidays)))
    parts += _urgency(write, section, deadline)
    parts += [write(section, "late"), write(section, "running")]
    return _paragraph(*parts)


def explain(
    deadlines: Deadlines,
    render: Optional[Render] = None,
    *,
    letter: Optional[DateReading] = None,
    certificate: Optional[DateReading] = None,
    wording: Optional[Mapping[str, Mapping[str, Any]]] = None,
    bank_holidays: Optional[Container[dt.date]] = None,
) -> str:
    """What to tell the family: how it counted, each last day, what to do.

    Paragraphs are separated by a blank line (the WhatsApp channel splits
    there). ``render`` fills {sendias.phone}-style placeholders (default:
    ``get_content().render``).
    """
    write = _Writer(wording or get_wording(), render)
    holidays_ = england_bank_holidays() if bank_holidays is None else bank_holidays
    paragraphs = [_read_back(write, deadlines, letter, certificate)]
    if deadlines.kind == DISCRIMINATION:
        paragraphs.append(_discrimination(write, deadlines, holidays_))
        paragraphs.append(_paragraph(write("discrimination", "where"), write("always", "help")))
        return "\n\n".join(paragraphs)
    if deadlines.mediation is not None:
        paragraphs.append(_mediation(write, deadlines, holidays_))
    paragraphs.append(_appeal(write, deadlines, holidays_))
    ending = []
    mediation = deadlines.mediation
    if mediation is not None and mediation.passed and not deadlines.appeal.passed and deadlines.certificate is None:
        ending.append(write("always", "without_certificate"))
    ending += [write("always", "running"), write("always", "check_letter"), write("always", "help")]
    paragraphs.append(_paragraph(*ending))
    return "\n\n".join(p for p in paragraphs if p)


def question(
    reading: DateReading,
    asking: str = LETTER,
    render: Optional[Render] = None,
    *,
    wording: Optional[Mapping[str, Mapping[str, Any]]] = None,
) -> str:
    """The gentle question back for a reading without a usable date."""
    if reading.ok:
        raise ValueError("the reading has a date: nothing to ask")
    if asking not in (LETTER, CERTIFICATE, DISCRIMINATION):
        raise ValueError(f"asking must be letter, certificate or discrimination, not {asking!r}")
    write = _Writer(wording or get_wording(), render)
    subject = write("subjects", asking)
    if reading.reason == UNREADABLE and len(reading.dates_found) > 1:
        return write("question", "two_dates", subject=subject)
    return write("question", reading.reason or UNREADABLE, subject=subject)


def every_text(wording: Optional[Mapping[str, Mapping[str, Any]]] = None) -> List[Tuple[str, str, str]]:
    """(section.key, text, source) for every entry: for checks and reviews."""
    data = wording or get_wording()
    return [
        (f"{section}.{key}", tidy(str(entry["text"])), str(entry["source"]))
        for section, entries in data.items()
        for key, entry in entries.items()
    ]


def to_verify(wording: Optional[Mapping[str, Mapping[str, Any]]] = None) -> List[str]:
    """Lines for `make content-check`: texts resting on a fact facts.md marks "verify"."""
    data = wording or get_wording()
    return [
        f"VERIFY   deadlines.{section}.{key}  (source: {entry['source']})"
        for section, entries in data.items()
        for key, entry in entries.items()
        if entry.get("verified") is False
    ]


# Fixed examples (never the clock) that between them use every text in
# deadlines.yml: for the readability check and for reviewers.
_EXAMPLES: Sequence[Tuple[str, str, str, Optional[str], str]] = (
    # name, kind, letter, certificate, today (ISO dates)
    ("appeal, weeks left", APPEAL, "2026-03-18", None, "2026-04-15"),
    ("appeal, certificate later, Christmas", APPEAL, "2026-10-01", "2026-11-29", "2026-11-30"),
    ("appeal, certificate not later", APPEAL, "2026-03-18", "2026-04-01", "2026-04-15"),
    ("appeal, August, mediation on a Saturday", APPEAL, "2026-06-15", None, "2026-07-01"),
    ("appeal, last day on a Sunday", APPEAL, "2026-03-03", None, "2026-04-15"),
    ("appeal, last day on a bank holiday", APPEAL, "2026-03-04", None, "2026-04-15"),
    ("appeal, last day today", APPEAL, "2026-02-15", None, "2026-04-15"),
    ("appeal, 1 day left", APPEAL, "2026-02-16", None, "2026-04-15"),
    ("appeal, mediation passed, appeal moved to September", APPEAL, "2026-06-15", None, "2026-08-20"),
    ("appeal, certificate, mediation day passed", APPEAL, "2026-10-01", "2026-11-29", "2026-12-10"),
    ("appeal, both passed", APPEAL, "2026-01-10", None, "2026-04-15"),
    ("appeal, certificate, both passed", APPEAL, "2026-01-10", "2026-01-20", "2026-04-15"),
    ("placement", PLACEMENT, "2026-03-18", None, "2026-04-15"),
    ("placement with a certificate", PLACEMENT, "2026-03-18", "2026-05-01", "2026-05-02"),
    ("placement, passed", PLACEMENT, "2026-01-10", None, "2026-04-15"),
    ("placement passed, a certificate for other parts still open", PLACEMENT, "2026-03-18", "2026-05-10", "2026-05-20"),
    ("discrimination", DISCRIMINATION, "2026-03-01", None, "2026-03-02"),
    ("discrimination, 6 months end on a Saturday", DISCRIMINATION, "2026-02-08", None, "2026-03-02"),
    ("discrimination, passed", DISCRIMINATION, "2025-06-01", None, "2026-03-02"),
)
_EXAMPLE_READINGS = ("got it last Tuesday", "3 weeks ago", "18 March", "the 18th", "18/03/2026")


def examples(
    render: Optional[Render] = None,
    wording: Optional[Mapping[str, Mapping[str, Any]]] = None,
) -> List[Tuple[str, str]]:
    """(name, text) for fixed examples of every reply the calculator gives."""
    write_render = render or _default_render()
    words = wording or get_wording()
    replies: List[Tuple[str, str]] = []
    for name, kind, letter_on, certificate_on, today_on in _EXAMPLES:
        day = dt.date.fromisoformat(today_on)
        deadlines = work_out(
            kind,
            dt.date.fromisoformat(letter_on),
            day,
            dt.date.fromisoformat(certificate_on) if certificate_on else None,
        )
        replies.append((name, explain(deadlines, write_render, wording=words)))
    today = dt.date(2026, 4, 15)
    for said in _EXAMPLE_READINGS:
        reading = read_date(said, today)
        deadlines = work_out(APPEAL, reading.date, today)  # type: ignore[arg-type]
        replies.append((f"read back '{said}'", explain(deadlines, write_render, letter=reading, wording=words)))
    certificate = read_date("1 April", today)
    deadlines = work_out(APPEAL, dt.date(2026, 3, 18), today, certificate.date)
    replies.append(("certificate read back", explain(deadlines, write_render, certificate=certificate, wording=words)))
    for said in ("18 March 2027", "18 March 2024", "next month", "18 March and 1 April"):
        for asking in (LETTER, CERTIFICATE, DISCRIMINATION):
            replies.append(
                (f"question '{said}' ({asking})", question(read_date(said, today), asking, write_render, wording=words))
            )
    before = read_date("1 March", today, not_before=dt.date(2026, 3, 18))
    replies.append(("question: certificate before letter", question(before, CERTIFICATE, write_render, wording=words)))
    arrived = read_date("got it on 18 March", today, printed=True)
    replies.append(("question: the day it arrived", question(arrived, LETTER, write_render, wording=words)))
    return replies


_SOURCE = re.compile(
    r"facts\.md: (?:Tribunal facts|How to count a deadline|Walsall contacts)"
    r"|SEND Regulations 2014|Tribunal Procedure Rules 2008|Equality Act 2010"
)


def wording_problems(render: Optional[Render] = None) -> List[str]:
    """Errors for `make content-check`: a text without a proper source, one that
    does not render, or a reply over grade 8 or 25 words a sentence."""
    from advice.plain_english import MAX_GRADE, MAX_SENTENCE_WORDS, measure

    try:
        wording = load_wording()
    except WordingError as error:
        return [str(error)]
    errors = [
        f"deadlines.yml {where}: the source must name a facts.md heading or the law"
        for where, _, source in every_text(wording)
        if not _SOURCE.search(source)
    ]
    try:
        replies = examples(render, wording)
    except ContentError as error:
        return errors + [f"deadlines.yml: {error}"]
    for name, text in replies:
        result = measure(text)
        if not result.ok:
            errors.append(
                f"deadline reply '{name}' is hard to read: grade {result.grade:.1f} "
                f"(max {MAX_GRADE:g}), longest sentence {result.longest_sentence} words "
                f"(max {MAX_SENTENCE_WORDS})"
            )
    return errors


__all__ = [
    "APPEAL",
    "AUGUST",
    "BEFORE_LETTER",
    "CERTIFICATE",
    "CHRISTMAS",
    "DISCRIMINATION",
    "FUTURE",
    "LETTER",
    "PLACEMENT",
    "TOO_OLD",
    "UNREADABLE",
    "DateReading",
    "Deadline",
    "Deadlines",
    "WordingError",
    "add_months",
    "every_text",
    "explain",
    "get_wording",
    "load_wording",
    "long_date",
    "examples",
    "question",
    "read_date",
    "to_verify",
    "tribunal_holiday_rule",
    "wording_problems",
    "work_out",
]
