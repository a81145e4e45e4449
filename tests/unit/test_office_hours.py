"""Office hours: open or closed at a given instant, and how that is said.

Times are built as London wall-clock times, and several tests also check the
UTC offset, because a bug around the clock changes would tell a family the
line opens at 8am or 10am.
"""

import datetime as dt
import textwrap
from zoneinfo import ZoneInfo

import pytest

from advice import office_hours
from advice.content import get_content
from advice.office_hours import (
    Closure,
    HoursError,
    OfficeHours,
    OpeningStatus,
    describe,
    load_hours,
    now_in_london,
    problems,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
TEAM = "the EHC Assessment Team"


def at(year, month, day, hour=12, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


# The tests use their own hours (Monday to Friday, 9am to 5pm, no closures),
# so the council can edit content/hours.yml without breaking them.
WEEKDAYS_9_TO_5 = "\n".join(
    f'    {day}: "09:00-17:00"' for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
)
STANDARD = "services:\n" + "".join(
    f"  {sid}:\n    verified: false\n    source: test\n{WEEKDAYS_9_TO_5}\n"
    for sid in ("ehc_team", "sendias", "council")
)


def write_hours(directory, body: str):
    path = directory / "hours.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_hours(path)


@pytest.fixture(scope="module")
def hours(tmp_path_factory):
    return write_hours(tmp_path_factory.mktemp("hours"), STANDARD)


@pytest.fixture
def hours_file(tmp_path):
    """Write a small hours file and load it."""
    return lambda body: write_hours(tmp_path, body)


@pytest.fixture
def say(hours):
    def say(service_id: str, now: dt.datetime, name: str = TEAM) -> str:
        return describe(hours.status(service_id, now), name, now)

    return say


def test_the_real_hours_file_loads_and_names_only_real_services():
    hours = load_hours()
    services = get_content().services
    assert office_hours.problems(services, hours) == []
    assert {"ehc_team", "sendias", "prime_resolution", "council"} <= set(hours.services)
    # Nobody has confirmed them yet, so they must be listed for the council.
    assert all(not service.verified for service in hours.services.values())
    assert len(office_hours.to_verify(hours)) == len(hours.services)


def test_open_on_a_weekday_until_5pm(hours, say):
    now = at(2026, 6, 10, 10, 30)  # a Wednesday
    status = hours.status("ehc_team", now)
    assert status.is_open
    assert status.closes_at == at(2026, 6, 10, 17)
    assert status.next_open is None
    assert say("ehc_team", now) == "The EHC Assessment Team is open now, until 5pm."


def test_opening_and_closing_instants(hours, say):
    assert hours.status("ehc_team", at(2026, 6, 10, 9, 0)).is_open
    assert not hours.status("ehc_team", at(2026, 6, 10, 17, 0)).is_open
    early = hours.status("ehc_team", at(2026, 6, 10, 8, 59))
    assert early.next_open == at(2026, 6, 10, 9)
    assert say("ehc_team", at(2026, 6, 10, 7, 0)) == (
        "The EHC Assessment Team is closed now. It opens again today at 9am."
    )


def test_closed_in_the_evening_opens_tomorrow(hours, say):
    now = at(2026, 6, 10, 19, 45)
    status = hours.status("ehc_team", now)
    assert status == OpeningStatus(False, None, at(2026, 6, 11, 9), verified=False)
    assert say("ehc_team", now) == ("The EHC Assessment Team is closed now. It opens again tomorrow at 9am.")


@pytest.mark.parametrize(
    "now",
    [at(2026, 6, 12, 17, 30), at(2026, 6, 13, 11), at(2026, 6, 14, 23, 59)],
    ids=["friday-evening", "saturday", "sunday-night"],
)
def test_weekend_next_open_is_monday(now, hours, say):
    status = hours.status("sendias", now)
    assert not status.is_open
    assert status.next_open == at(2026, 6, 15, 9)
    expected_day = "tomorrow" if now.weekday() == 6 else "on Monday"
    assert say("sendias", now, "SENDIAS") == (f"SENDIAS is closed now. It opens again {expected_day} at 9am.")


def test_easter_bank_holidays(hours, say):
    # Good Friday 3 April and Easter Monday 6 April 2026.
    thursday_evening = at(2026, 4, 2, 18)
    assert hours.status("council", thursday_evening).next_open == at(2026, 4, 7, 9)
    easter_monday = at(2026, 4, 6, 10)
    status = hours.status("council", easter_monday)
    assert not status.is_open
    assert status.next_open == at(2026, 4, 7, 9)
    assert say("council", easter_monday, "the council") == (
        "The council is closed now. It opens again tomorrow at 9am."
    )


def test_christmas_with_boxing_day_observed(hours, say):
    # 2026: Christmas is a Friday and Boxing Day a Saturday, so Boxing Day is
    # observed on Monday 28th; the line opens again on Tuesday 29th.
    christmas_eve = at(2026, 12, 24, 17, 30)
    assert hours.status("ehc_team", christmas_eve).next_open == at(2026, 12, 29, 9)
    assert say("ehc_team", christmas_eve) == (
        "The EHC Assessment Team is closed now. It opens again on Tuesday at 9am."
    )
    assert not hours.status("ehc_team", at(2026, 12, 28, 10)).is_open
    # New Year's Day 2027 is a Friday: from the Thursday evening, Monday 4th.
    assert hours.status("ehc_team", at(2026, 12, 31, 18)).next_open == at(2027, 1, 4, 9)


def test_the_real_file_has_no_example_closure():
    # Review finding 14: an "example only" closure (29 to 31 December 2026) told
    # families the team was shut. Examples now live in a comment, and
    # `make content-check` refuses a live one.
    hours = load_hours()
    assert not [c for c in hours.closures if "example" in c.reason.lower()]
    assert problems(dict.fromkeys(hours.services), hours) == []
    with_example = OfficeHours(
        hours.services, [Closure(dt.date(2026, 12, 29), dt.date(2026, 12, 31), None, "example only")], LONDON
    )
    assert any("is an example" in e for e in problems(dict.fromkeys(hours.services), with_example))


def test_a_council_closure_day(hours_file):
    hours = hours_file(
        """
        services:
          ehc_team: {verified: true, source: test, monday: "09:00-17:00", tuesday: "09:00-17:00"}
          sendias: {verified: true, source: test, monday: "09:00-17:00", tuesday: "09:00-17:00"}
        closures:
          - date: 2026-06-15
            services: [ehc_team]
            reason: training day
        """
    )
    closed_day = at(2026, 6, 15, 11)
    assert not hours.status("ehc_team", closed_day).is_open
    assert hours.status("ehc_team", closed_day).next_open == at(2026, 6, 16, 9)
    # Only the team named in the closure is closed.
    assert hours.status("sendias", closed_day).is_open


def test_the_day_after_the_clocks_go_forward(hours, say):
    # Clocks go forward on Sunday 29 March 2026: 9am on Monday is 08:00 UTC.
    sunday = at(2026, 3, 29, 12)
    status = hours.status("ehc_team", sunday)
    assert status.next_open == at(2026, 3, 30, 9)
    assert status.next_open.utcoffset() == dt.timedelta(hours=1)
    assert status.next_open.astimezone(UTC) == dt.datetime(2026, 3, 30, 8, tzinfo=UTC)
    # 08:30 UTC on Monday is 09:30 in London: open. The same UTC time the Monday
    # before (GMT) is 08:30 in London: closed.
    assert hours.status("ehc_team", dt.datetime(2026, 3, 30, 8, 30, tzinfo=UTC)).is_open
    assert not hours.status("ehc_team", dt.datetime(2026, 3, 23, 8, 30, tzinfo=UTC)).is_open
    assert say("ehc_team", sunday) == ("The EHC Assessment Team is closed now. It opens again tomorrow at 9am.")


def test_the_day_after_the_clocks_go_back(hours):
    # Clocks go back on Sunday 25 October 2026: 9am on Monday is 09:00 UTC.
    saturday = at(2026, 10, 24, 12)
    status = hours.status("ehc_team", saturday)
    assert status.next_open == at(2026, 10, 26, 9)
    assert status.next_open.utcoffset() == dt.timedelta(0)
    assert status.next_open.astimezone(UTC) == dt.datetime(2026, 10, 26, 9, tzinfo=UTC)
    assert not hours.status("ehc_team", dt.datetime(2026, 10, 26, 8, 30, tzinfo=UTC)).is_open
    assert hours.status("ehc_team", dt.datetime(2026, 10, 19, 8, 30, tzinfo=UTC)).is_open
    monday = hours.status("ehc_team", dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC))
    assert monday.is_open
    assert monday.closes_at.astimezone(UTC) == dt.datetime(2026, 10, 26, 17, tzinfo=UTC)


def test_next_open_across_a_long_closure(hours_file):
    hours = hours_file(
        """
        services:
          ehc_team:
            verified: false
            source: test
            monday: "09:00-17:00"
            tuesday: "09:00-17:00"
            wednesday: "09:00-17:00"
            thursday: "09:00-17:00"
            friday: "09:00-16:30"
        closures:
          - from: 2026-07-20
            to: 2026-08-04
            reason: summer closure
        """
    )
    now = at(2026, 7, 17, 16, 45)  # Friday, after the 4:30pm close
    status = hours.status("ehc_team", now)
    assert status.next_open == at(2026, 8, 5, 9)
    assert describe(status, TEAM, now) == (
        "The EHC Assessment Team is closed now. It opens again on Wednesday 5 August at 9am."
    )
    friday = hours.status("ehc_team", at(2026, 7, 17, 16))
    assert describe(friday, TEAM, at(2026, 7, 17, 16)) == ("The EHC Assessment Team is open now, until 4:30pm.")


def test_lunch_break_and_six_days_ahead_uses_the_weekday(hours_file):
    hours = hours_file(
        """
        services:
          ehc_team:
            verified: true
            source: test
            tuesday: "09:00-12:30, 13:30-17:00"
        """
    )
    lunch = at(2026, 6, 9, 13)  # Tuesday
    status = hours.status("ehc_team", lunch)
    assert status.next_open == at(2026, 6, 9, 13, 30)
    assert describe(status, TEAM, lunch) == ("The EHC Assessment Team is closed now. It opens again today at 1:30pm.")
    wednesday = at(2026, 6, 10, 10)
    later = hours.status("ehc_team", wednesday)
    assert describe(later, TEAM, wednesday) == (
        "The EHC Assessment Team is closed now. It opens again on Tuesday at 9am."
    )


def test_unverified_note_only_for_unverified_hours(hours):
    now = at(2026, 6, 10, 10)
    status = hours.status("ehc_team", now)
    note = "(opening hours to be confirmed)"
    assert describe(status, TEAM, now, unverified_note=note).endswith(f"5pm. {note}")
    confirmed = OpeningStatus(True, at(2026, 6, 10, 17), None, verified=True)
    assert describe(confirmed, TEAM, now, unverified_note=note).endswith("5pm.")


def test_never_open_has_no_next_opening(hours_file):
    hours = hours_file("services:\n  ehc_team: {verified: true, source: test}\n")
    status = hours.status("ehc_team", at(2026, 6, 10, 10))
    assert status == OpeningStatus(False, None, None, True)
    assert describe(status, TEAM, at(2026, 6, 10)) == "The EHC Assessment Team is closed now."


@pytest.mark.parametrize(
    "body, message",
    [
        ('services:\n  ehc_team: {verified: true, source: s, mondya: "09:00-17:00"}\n', "mondya"),
        ('services:\n  ehc_team: {verified: true, source: s, monday: "9-5"}\n', "not like"),
        ('services:\n  ehc_team: {verified: true, source: s, monday: "17:00-09:00"}\n', "before"),
        ("services:\n  ehc_team: {verified: yes please, source: s}\n", "true or false"),
        ("services:\n  ehc_team: {verified: true, source: s}\nclosures:\n  - {date: 2026-13-01}\n", "not a date"),
        (
            "services:\n  ehc_team: {verified: true, source: s}\nclosures:\n"
            "  - {date: 2026-12-01, services: [nobody]}\n",
            "unknown services",
        ),
    ],
)
def test_mistakes_in_the_file_are_explained(hours_file, body, message):
    with pytest.raises(HoursError, match=message):
        hours_file(body)


def test_unknown_service_and_naive_time_are_refused(hours):
    with pytest.raises(HoursError):
        hours.status("childline", at(2026, 6, 10))
    with pytest.raises(ValueError):
        hours.status("ehc_team", dt.datetime(2026, 6, 10, 10))


def test_now_in_london_honours_clock_then_send_now(monkeypatch):
    monkeypatch.delenv("SEND_NOW", raising=False)
    real = now_in_london()
    assert real.tzinfo is not None and abs((real - dt.datetime.now(tz=UTC)).total_seconds()) < 5
    monkeypatch.setenv("SEND_NOW", "2026-03-30T19:30")
    fixed = now_in_london()
    assert fixed == at(2026, 3, 30, 19, 30)
    assert fixed.utcoffset() == dt.timedelta(hours=1)
    monkeypatch.setenv("SEND_NOW", "2026-01-05T08:00:00Z")
    assert now_in_london() == at(2026, 1, 5, 8)
    clock_value = dt.datetime(2026, 6, 10, 9, tzinfo=UTC)
    assert now_in_london(lambda: clock_value) == at(2026, 6, 10, 10)
    monkeypatch.setenv("SEND_NOW", "half past seven")
    with pytest.raises(ValueError, match="SEND_NOW"):
        now_in_london()
