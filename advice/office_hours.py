"""When a service's phone line is open, and how to say so in plain English.

A family who is told "phone the EHC Assessment Team" at 9pm on a Friday should
also be told it is closed and when it opens again, instead of finding out by
ringing. The opening times live in ``content/hours.yml`` so the council can
correct them without touching Python; bank holidays in England and Wales come
from the ``holidays`` library so nobody has to type them in each year.

The decision is a pure function of the time passed in (``now``): nothing here
reads the machine's clock except :func:`now_in_london`, which callers use to get
that time. This keeps every answer testable at any instant (weekends, bank
holidays, the nights the clocks change), and lets the end-to-end tests put the
running action server "out of hours" with the ``SEND_NOW`` environment variable.

All times are timezone-aware and in Europe/London. Opening times are wall-clock
times, so 9am is 09:00 GMT in winter and 09:00 BST in summer; ``zoneinfo``
gives each day its correct UTC offset.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, FrozenSet, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

from advice.content import CONTENT_DIR, ContentError

logger = logging.getLogger(__name__)

HOURS_FILE = CONTENT_DIR / "hours.yml"
TIMEZONE_NAME = "Europe/London"
# Environment variable: an ISO 8601 date and time that replaces "now" (test knob).
NOW_VARIABLE = "SEND_NOW"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far ahead to look for the next opening; beyond this a service counts as
# closed with no known reopening (for example every day marked closed).
HORIZON_DAYS = 366
# "09:00-17:00"
INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ContentError):
    """content/hours.yml is malformed, or names a service it does not list."""


def london() -> ZoneInfo:
    """The Europe/London zone, with advice when the system has no time zone data."""
    try:
        return ZoneInfo(TIMEZONE_NAME)
    except ZoneInfoNotFoundError as error:  # pragma: no cover - depends on the machine
        raise HoursError(
            "no time zone data for Europe/London: install the system package "
            "`tzdata` (apt-get install tzdata) or the `tzdata` Python package"
        ) from error


@dataclass(frozen=True)
class OpeningStatus:
    """Whether a service is open at one instant.

    ``closes_at`` is set when it is open; ``next_open`` when it is closed and
    opens again within a year. Both are aware datetimes in Europe/London.
    ``verified`` says whether the council has confirmed the hours.
    """

    is_open: bool
    closes_at: Optional[dt.datetime]
    next_open: Optional[dt.datetime]
    verified: bool = False


@dataclass(frozen=True)
class Closure:
    """Days (both ends included) when some or all services are closed."""

    first: dt.date
    last: dt.date
    services: Optional[FrozenSet[str]]  # None: every service
    reason: str = ""

    def covers(self, service_id: str, day: dt.date) -> bool:
        in_range = self.first <= day <= self.last
        return in_range and (self.services is None or service_id in self.services)


Interval = Tuple[dt.time, dt.time]


@dataclass(frozen=True)
class ServiceHours:
    """One service's weekly opening times (index 0 is Monday)."""

    id: str
    week: Tuple[Tuple[Interval, ...], ...]
    verified: bool
    source: str


class OfficeHours:
    """The parsed hours file: weekly times, bank holidays and closures."""

    def __init__(
        self,
        services: Mapping[str, ServiceHours],
        closures: Sequence[Closure],
        zone: ZoneInfo,
    ) -> None:
        self.services = dict(services)
        self.closures = tuple(closures)
        self.zone = zone
        # England and Wales share their bank holidays; Walsall is in England.
        self.bank_holidays = holidays.UK(subdiv="ENG")  # type: ignore[attr-defined]  # made at import by holidays' loader

    def is_closed_all_day(self, service_id: str, day: dt.date) -> bool:
        """A bank holiday or a closure the council listed."""
        if day in self.bank_holidays:
            return True
        return any(closure.covers(service_id, day) for closure in self.closures)

    def status(self, service_id: str, now: dt.datetime) -> OpeningStatus:
        """Open or closed at ``now``, with when it closes or next opens."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("`now` must be timezone-aware (use now_in_london())")
        service = self.services.get(service_id)
        if service is None:
            raise HoursError(f"hours.yml has no opening times for '{service_id}'")
        local_now = now.astimezone(self.zone)
        today = local_now.date()
        for offset in range(HORIZON_DAYS + 1):
            day = today + dt.timedelta(days=offset)
            if self.is_closed_all_day(service_id, day):
                continue
            for start, end in service.week[day.weekday()]:
                opens = dt.datetime.combine(day, start, tzinfo=self.zone)
                closes = dt.datetime.combine(day, end, tzinfo=self.zone)
                if opens <= local_now < closes:
                    return OpeningStatus(True, closes, None, service.verified)
                if local_now < opens:
                    return OpeningStatus(False, None, opens, service.verified)
        return OpeningStatus(False, None, None, service.verified)


def _parse_day(service_id: str, day: str, raw: Any) -> Tuple[Interval, ...]:
    where = f"hours.yml {service_id}.{day}"
    if raw is None or (isinstance(raw, str) and raw.strip().lower() == "closed"):
        return ()
    if not isinstance(raw, str):
        raise HoursError(f'{where}: write times in quotes, like "09:00-17:00", or closed')
    intervals: List[Interval] = []
    for part in raw.split(","):
        match = INTERVAL.match(part)
        if not match:
            raise HoursError(f"{where}: '{part.strip()}' is not like 09:00-17:00")
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        try:
            start, end = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError as error:
            raise HoursError(f"{where}: '{part.strip()}' is not a real time") from error
        if start >= end:
            raise HoursError(f"{where}: '{part.strip()}' closes before it opens")
        intervals.append((start, end))
    intervals.sort()
    merged: List[Interval] = []
    for start, end in intervals:
        if merged and start < merged[-1][1]:
            raise HoursError(f"{where}: the times overlap")
        if merged and start == merged[-1][1]:  # 09:00-12:00, 12:00-17:00 is one stretch
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _parse_service(service_id: str, raw: Any) -> ServiceHours:
    if not isinstance(raw, dict):
        raise HoursError(f"hours.yml {service_id}: must list days, verified and source")
    unknown = set(raw) - set(WEEKDAYS) - {"verified", "source"}
    if unknown:
        raise HoursError(f"hours.yml {service_id}: unknown entries {sorted(unknown)} (days are {', '.join(WEEKDAYS)})")
    if not isinstance(raw.get("verified"), bool):
        raise HoursError(f"hours.yml {service_id}: `verified` must be true or false")
    source = str(raw.get("source") or "").strip()
    if not source:
        raise HoursError(f"hours.yml {service_id}: no source")
    week = tuple(_parse_day(service_id, day, raw.get(day)) for day in WEEKDAYS)
    return ServiceHours(service_id, week, raw["verified"], source)


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise HoursError(f"{where}: '{value}' is not a date like 2026-12-29") from error


def _parse_closure(index: int, raw: Any, known: FrozenSet[str]) -> Closure:
    where = f"hours.yml closures[{index + 1}]"
    if not isinstance(raw, dict):
        raise HoursError(f"{where}: needs `date:`, or `from:` and `to:`")
    if "date" in raw:
        first = last = _as_date(raw["date"], where)
    elif "from" in raw and "to" in raw:
        first, last = _as_date(raw["from"], where), _as_date(raw["to"], where)
    else:
        raise HoursError(f"{where}: needs `date:`, or `from:` and `to:`")
    if last < first:
        raise HoursError(f"{where}: ends before it starts")
    services = raw.get("services")
    if services is not None:
        if not isinstance(services, list) or not services:
            raise HoursError(f"{where}: `services` must be a list such as [ehc_team]")
        unknown = set(map(str, services)) - known
        if unknown:
            raise HoursError(f"{where}: unknown services {sorted(unknown)}")
        services = frozenset(map(str, services))
    return Closure(first, last, services, str(raw.get("reason") or ""))


def load_hours(path: Path = HOURS_FILE) -> OfficeHours:
    """Read and check the hours file; raises :class:`HoursError` with advice."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise HoursError(f"cannot read {Path(path).name}: {error}") from error
    except ValueError as error:  # YAML reads 2026-13-01 as a date and fails
        raise HoursError(f"{Path(path).name} has a date that is not a date: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise HoursError("hours.yml needs a `services:` section")
    if data.get("timezone", TIMEZONE_NAME) != TIMEZONE_NAME:
        raise HoursError(f"hours.yml: timezone must be {TIMEZONE_NAME}")
    services = {str(sid): _parse_service(str(sid), raw) for sid, raw in data["services"].items()}
    known = frozenset(services)
    closures = [_parse_closure(index, raw, known) for index, raw in enumerate(data.get("closures") or [])]
    return OfficeHours(services, closures, london())


@functools.lru_cache(maxsize=1)
def get_hours() -> OfficeHours:
    """The hours file, read once per process (restart the action server after edits)."""
    return load_hours()


def has_hours(service_id: str) -> bool:
    """Whether hours.yml lists opening times for this service."""
    return service_id in get_hours().services


def opening_status(service_id: str, now: dt.datetime) -> OpeningStatus:
    """Whether ``service_id`` is open at ``now`` (an aware datetime).

    Raises :class:`HoursError` for a service with no hours (see :func:`has_hours`).
    """
    return get_hours().status(service_id, now)


def now_in_london(clock: Optional[Callable[[], dt.datetime]] = None) -> dt.datetime:
    """The current time in Europe/London, as an aware datetime.

    ``clock`` (a function returning an aware datetime) wins when given, for unit
    tests. Otherwise the environment variable ``SEND_NOW`` is used when set: an
    ISO 8601 date and time such as ``2026-03-30T19:30`` (read as London time)
    or ``2026-03-30T18:30+00:00``. It lets the end-to-end tests run the action
    server "out of hours"; never set it in production. Otherwise, the machine's
    clock.
    """
    zone = london()
    if clock is not None:
        moment = clock()
    elif os.environ.get(NOW_VARIABLE):
        raw = os.environ[NOW_VARIABLE]
        try:
            moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError(f"{NOW_VARIABLE} must be an ISO 8601 date and time like 2026-03-30T19:30") from error
        _warn_fixed_clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
    else:
        moment = dt.datetime.now(tz=zone)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the clock must return a timezone-aware datetime")
    return moment.astimezone(zone)


@functools.lru_cache(maxsize=1)
def _warn_fixed_clock() -> None:
    logger.warning("%s is set: office hours use a fixed time (test setting)", NOW_VARIABLE)


def clock_time(moment: dt.datetime) -> str:
    """'9am', '4:30pm', 'midday', 'midnight'."""
    if moment.minute == 0 and moment.hour == 12:
        return "midday"
    if moment.minute == 0 and moment.hour == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if moment.minute == 0:
        return f"{hour}{suffix}"
    return f"{hour}:{moment.minute:02d}{suffix}"


def when(moment: dt.datetime, now: dt.datetime) -> str:
    """'today at 9am', 'tomorrow at 9am', 'on Monday at 9am', 'on Tuesday 2 January at 9am'."""
    zone = london()
    moment, now = moment.astimezone(zone), now.astimezone(zone)
    days = (moment.date() - now.date()).days
    at = f"at {clock_time(moment)}"
    if days == 0:
        return f"today {at}"
    if days == 1:
        return f"tomorrow {at}"
    weekday = moment.strftime("%A")
    if days <= 6:
        return f"on {weekday} {at}"
    return f"on {weekday} {moment.day} {moment.strftime('%B')} {at}"


def describe(status: OpeningStatus, service_name: str, now: dt.datetime, unverified_note: str = "") -> str:
    """One or two plain sentences about whether a service is open.

    "The EHC Assessment Team is open now, until 5pm."
    "The EHC Assessment Team is closed now. It opens again on Monday at 9am."

    ``unverified_note`` (for example "(opening hours to be confirmed)") is added
    at the end when the hours are not verified; by default nothing is added.
    """
    name = service_name[:1].upper() + service_name[1:]
    if status.is_open and status.closes_at is not None:
        closes = status.closes_at.astimezone(london())
        if closes.date() == now.astimezone(london()).date():
            text = f"{name} is open now, until {clock_time(closes)}."
        else:
            text = f"{name} is open now, until {when(closes, now)}."
    elif status.is_open:
        text = f"{name} is open now."
    elif status.next_open is not None:
        text = f"{name} is closed now. It opens again {when(status.next_open, now)}."
    else:
        text = f"{name} is closed now."
    if unverified_note and not status.verified:
        text = f"{text} {unverified_note}"
    return text


def to_verify(hours: OfficeHours) -> List[str]:
    """Lines for `make content-check`: hours nobody has confirmed yet."""
    return [
        f"VERIFY   hours.{sid}  (source: {service.source})"
        for sid, service in hours.services.items()
        if not service.verified
    ]


def problems(content_services: Mapping[str, Any], hours: OfficeHours) -> List[str]:
    """Errors: hours for a service that services.yml does not have, and a closure
    whose reason says it is only an example (it would tell families the team is
    shut: examples belong in a comment)."""
    errors = [
        f"hours.yml {sid}: no such service in services.yml" for sid in hours.services if sid not in content_services
    ]
    errors += [
        f"hours.yml closures[{index + 1}]: '{closure.reason}' is an example; "
        "only closures the council has confirmed may be live"
        for index, closure in enumerate(hours.closures)
        if "example" in closure.reason.lower()
    ]
    return errors


__all__ = [
    "Closure",
    "HoursError",
    "OfficeHours",
    "OpeningStatus",
    "describe",
    "get_hours",
    "has_hours",
    "load_hours",
    "now_in_london",
    "opening_status",
    "problems",
    "to_verify",
]
