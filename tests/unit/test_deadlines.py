"""The deadline calculator (advice/deadlines.py, content/deadlines.yml).

Every expected date here was worked out by hand from a calendar (and checked
with Python's calendar module), never by the code under test. The clock is
always injected: ``today`` is a fixed date in each test.

Days of the week used below (checked with calendar.day_name):
  Wed 15 Apr 2026 (the usual "today"), Tue 14 Apr 2026, Tue 1 Dec 2026,
  Tue 29 Dec 2026, Fri 1 Jan 2027, Sat 2 Jan 2027, Mon 4 Jan 2027,
  Sat 1 Jan 2028, Mon 3 Jan 2028 (bank holiday), Tue 4 Jan 2028,
  Mon 2 Jan 2034 (bank holiday), Tue 3 Jan 2034, Tue 2 Jan 2029,
  Sat 15 Aug 2026, Mon 31 Aug 2026 (bank holiday), Tue 1 Sep 2026,
  Sat 1 Sep 2029, Mon 3 Sep 2029, Sun 1 Sep 2030, Mon 2 Sep 2030,
  Sun 3 May 2026, Mon 4 May 2026 (bank holiday), Sat 27 Feb 2027.
"""

import datetime as dt
import inspect
import re
import textwrap

import pytest

from advice import deadline_replies, summary
from advice import deadlines as dl
from advice.content import get_content
from advice.deadlines import (
    APPEAL,
    AUGUST,
    BEFORE_LETTER,
    CERTIFICATE,
    CHRISTMAS,
    DISCRIMINATION,
    FUTURE,
    LETTER,
    PLACEMENT,
    TOO_OLD,
    UNREADABLE,
    WordingError,
    add_months,
    explain,
    long_date,
    question,
    read_date,
    work_out,
)
from advice.plain_english import measure

D = dt.date
TODAY = D(2026, 4, 15)  # a Wednesday


def render(text: str) -> str:
    return get_content().render(text)


# --------------------------------------------------------------------------
# Counting "2 months" and "1 month" (facts.md: How to count a deadline)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2026, 10, 1), 2, D(2026, 12, 1)),  # IPSEA: letter 1 October, last day 1 December
        (D(2026, 11, 29), 1, D(2026, 12, 29)),  # IPSEA: certificate 29 November, 29 December
        (D(2026, 12, 31), 2, D(2027, 2, 28)),  # no 31 February: the month's last day
        (D(2026, 12, 30), 2, D(2027, 2, 28)),
        (D(2026, 12, 29), 2, D(2027, 2, 28)),  # not a leap year
        (D(2027, 12, 29), 2, D(2028, 2, 29)),  # 2028 is a leap year
        (D(2027, 12, 30), 2, D(2028, 2, 29)),
        (D(2027, 12, 31), 2, D(2028, 2, 29)),
        (D(2026, 1, 29), 1, D(2026, 2, 28)),  # certificates dated at the end of January
        (D(2026, 1, 30), 1, D(2026, 2, 28)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 1, 29), 2, D(2026, 3, 29)),  # letters dated at the end of January
        (D(2026, 1, 30), 2, D(2026, 3, 30)),
        (D(2026, 1, 31), 2, D(2026, 3, 31)),
        (D(2026, 11, 30), 2, D(2027, 1, 30)),
        (D(2026, 12, 31), 1, D(2027, 1, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2028, 2, 29), -12, D(2027, 2, 28)),
        (D(2026, 4, 15), -12, D(2025, 4, 15)),
    ],
)
def test_months_are_counted_to_the_same_day_number_or_the_months_last_day(start, months, expected):
    assert add_months(start, months) == expected


def test_dates_are_written_out_in_full():
    assert long_date(D(2027, 1, 20)) == "Wednesday 20 January 2027"
    assert long_date(D(2026, 3, 1)) == "Sunday 1 March 2026"


# --------------------------------------------------------------------------
# The appeal and the mediation adviser
# --------------------------------------------------------------------------


def test_ipsea_example_certificate_later_then_the_christmas_rule():
    result = work_out(APPEAL, D(2026, 10, 1), D(2026, 11, 30), certificate=D(2026, 11, 29))
    assert result.mediation.last_day == D(2026, 12, 1)
    assert result.mediation.moved is None
    assert result.from_letter == D(2026, 12, 1)
    assert result.from_certificate == D(2026, 12, 29)
    assert result.certificate_later
    assert result.appeal.plain == D(2026, 12, 29)
    # 1 January 2027 is a Friday (bank holiday); 2 and 3 January a weekend.
    assert result.appeal.last_day == D(2027, 1, 4)
    assert result.appeal.moved == CHRISTMAS


def test_without_a_certificate_both_days_are_two_months_from_the_letter():
    result = work_out(APPEAL, D(2026, 10, 1), D(2026, 10, 5))
    assert result.mediation.last_day == result.appeal.last_day == D(2026, 12, 1)
    assert result.from_certificate is None and not result.certificate_later


@pytest.mark.parametrize(
    "letter, plain, last_day",
    [
        (D(2026, 10, 25), D(2026, 12, 25), D(2027, 1, 4)),  # Christmas Day
        (D(2026, 10, 31), D(2026, 12, 31), D(2027, 1, 4)),
        (D(2026, 11, 1), D(2027, 1, 1), D(2027, 1, 4)),  # 1 January is in the break too
        (D(2027, 10, 30), D(2027, 12, 30), D(2028, 1, 4)),  # 2 Jan 2028 a Sunday, 3 Jan a bank holiday
        (D(2033, 10, 27), D(2033, 12, 27), D(2034, 1, 3)),  # 2 Jan 2034 a bank holiday (Monday)
        (D(2028, 10, 28), D(2028, 12, 28), D(2029, 1, 2)),  # 2 Jan 2029 a Tuesday: a working day
    ],
)
def test_christmas_rule_moves_the_appeal_to_the_next_working_day_in_january(letter, plain, last_day):
    result = work_out(APPEAL, letter, letter)
    assert result.appeal.plain == plain
    assert result.appeal.last_day == last_day
    assert result.appeal.moved == CHRISTMAS
    assert not result.appeal.non_working_day
    # The mediation adviser's 2 months are not moved.
    assert result.mediation.last_day == plain
    assert result.mediation.moved is None


def test_christmas_rule_uses_the_bank_holidays_it_is_given():
    result = work_out(APPEAL, D(2028, 10, 28), D(2028, 10, 28), bank_holidays={D(2029, 1, 2)})
    assert result.appeal.last_day == D(2029, 1, 3)


@pytest.mark.parametrize(
    "letter, plain",
    [
        (D(2026, 10, 24), D(2026, 12, 24)),  # Christmas Eve is before the break
        (D(2026, 11, 2), D(2027, 1, 2)),  # 2 January is after it
    ],
)
def test_christmas_rule_does_not_touch_the_days_around_the_break(letter, plain):
    result = work_out(APPEAL, letter, letter)
    assert result.appeal.last_day == plain
    assert result.appeal.moved is None


@pytest.mark.parametrize(
    "letter, plain, last_day",
    [
        (D(2026, 6, 15), D(2026, 8, 15), D(2026, 9, 1)),  # 1 Sep 2026 a Tuesday
        (D(2026, 6, 30), D(2026, 8, 30), D(2026, 9, 1)),
        (D(2026, 6, 1), D(2026, 8, 1), D(2026, 9, 1)),
        (D(2029, 6, 1), D(2029, 8, 1), D(2029, 9, 3)),  # 1 Sep 2029 a Saturday
        (D(2030, 6, 30), D(2030, 8, 30), D(2030, 9, 2)),  # 1 Sep 2030 a Sunday
    ],
)
def test_august_rule_moves_the_appeal_to_the_first_working_day_in_september(letter, plain, last_day):
    result = work_out(APPEAL, letter, letter)
    assert result.appeal.plain == plain
    assert result.appeal.last_day == last_day
    assert result.appeal.moved == AUGUST
    assert result.mediation.last_day == plain  # not moved


def test_august_rule_applies_to_the_bank_holiday_at_the_end_of_august():
    # No letter date gives 31 August (there is no 31 June); a certificate can.
    result = work_out(APPEAL, D(2026, 6, 30), D(2026, 8, 1), certificate=D(2026, 7, 31))
    assert result.appeal.plain == D(2026, 8, 31)  # a bank holiday, but in August: 1 September
    assert result.appeal.last_day == D(2026, 9, 1) and result.appeal.moved == AUGUST


@pytest.mark.parametrize(
    "letter, plain",
    [(D(2026, 5, 31), D(2026, 7, 31)), (D(2026, 7, 1), D(2026, 9, 1))],
)
def test_august_rule_does_not_touch_july_or_september(letter, plain):
    result = work_out(APPEAL, letter, letter)
    assert result.appeal.last_day == plain and result.appeal.moved is None


def test_certificate_can_move_the_appeal_into_august_and_then_september():
    result = work_out(APPEAL, D(2026, 5, 20), D(2026, 7, 6), certificate=D(2026, 7, 5))
    assert result.from_letter == D(2026, 7, 20)
    assert result.from_certificate == D(2026, 8, 5)
    assert result.certificate_later
    assert result.appeal.last_day == D(2026, 9, 1)
    assert result.mediation.last_day == D(2026, 7, 20)


@pytest.mark.parametrize("certificate", [D(2026, 4, 1), D(2026, 4, 18)])
def test_certificate_that_ends_no_later_changes_nothing(certificate):
    result = work_out(APPEAL, D(2026, 3, 18), D(2026, 4, 20), certificate=certificate)
    assert not result.certificate_later
    assert result.appeal.last_day == D(2026, 5, 18)


def test_holiday_rule_is_applied_to_the_later_date_only():
    # 2 months from the letter ends on 1 January (in the break); 1 month from
    # the certificate ends on Saturday 2 January, which is later and outside
    # it. The time limit is the later date, so the break does not apply: the
    # earlier, conservative reading.
    result = work_out(APPEAL, D(2026, 11, 1), D(2026, 12, 3), certificate=D(2026, 12, 2))
    assert result.certificate_later
    assert result.appeal.last_day == D(2027, 1, 2)
    assert result.appeal.moved is None
    assert result.appeal.non_working_day


@pytest.mark.parametrize(
    "letter, last_day",
    [(D(2026, 3, 3), D(2026, 5, 3)), (D(2026, 3, 4), D(2026, 5, 4))],  # a Sunday; a bank holiday
)
def test_weekend_or_bank_holiday_gives_the_plain_date_and_a_warning(letter, last_day):
    result = work_out(APPEAL, letter, TODAY)
    assert result.appeal.last_day == last_day  # not moved: rule 12(2) is marked verify
    assert result.appeal.non_working_day and result.mediation.non_working_day
    text = explain(result, render)
    # Rule 12(2) is marked "verify" in facts.md: the sentence says so until it is confirmed.
    assert "may let you send it on the next working day (to be confirmed). But do not rely on this" in text
    assert "so contact them before then" in text


def test_placement_has_no_mediation_step_and_works_to_the_2_months():
    result = work_out(PLACEMENT, D(2026, 3, 18), TODAY)
    assert result.mediation is None and result.other_parts is None
    assert result.appeal.last_day == D(2026, 5, 18)
    text = explain(result, render)
    assert "mediation adviser by" not in text
    assert "does not need a mediation certificate" in text


def test_review_11_placement_a_certificate_may_count_only_for_other_parts_of_the_plan():
    """facts.md: no certificate is needed for an appeal only about the school; it says
    nothing of one extending that appeal. So the 2 months are the date to work to, and
    the later date is offered only for an appeal also about other parts, with a caution."""
    later = work_out(PLACEMENT, D(2026, 3, 18), D(2026, 5, 2), certificate=D(2026, 5, 1))
    assert later.appeal.last_day == D(2026, 5, 18) and later.certificate_later
    assert later.other_parts is not None and later.other_parts.last_day == D(2026, 6, 1)
    text = explain(later, render)
    assert "The tribunal must receive your appeal by Monday 18 May 2026." in text
    assert "Your certificate gives you longer" not in text
    assert (
        "Is your appeal also about other parts of the plan? Then your certificate may give you "
        "until Monday 1 June 2026. That only counts if you contacted the mediation adviser by "
        "Monday 18 May 2026. Check with SENDIAS before you rely on it."
    ) in text
    assert "You have 16 days left." in text  # to 18 May, not 1 June
    # A certificate that ends no later adds nothing.
    earlier = work_out(PLACEMENT, D(2026, 3, 18), D(2026, 4, 15), certificate=D(2026, 4, 1))
    assert earlier.other_parts is None and "other parts" not in explain(earlier, render)
    # The 2 months passed, the certificate's month not yet: both are said.
    passed = explain(work_out(PLACEMENT, D(2026, 3, 18), D(2026, 5, 20), certificate=D(2026, 5, 10)), render)
    assert "that day has passed" in passed and "may give you until Wednesday 10 June 2026" in passed


@pytest.mark.parametrize(
    "happened, last_day",
    [
        (D(2026, 1, 15), D(2026, 7, 14)),
        (D(2026, 3, 1), D(2026, 8, 31)),  # in August, a bank holiday: not moved
        (D(2026, 6, 26), D(2026, 12, 25)),  # Christmas Day: not moved
        (D(2026, 8, 31), D(2027, 2, 27)),  # no 31 February: the day before 28 February
        (D(2027, 8, 31), D(2028, 2, 28)),  # leap year: the day before 29 February
        (D(2026, 9, 1), D(2027, 2, 28)),
    ],
)
def test_discrimination_is_six_months_less_a_day_with_no_holiday_rule(happened, last_day):
    result = work_out(DISCRIMINATION, happened, happened)
    assert result.mediation is None
    assert result.appeal.last_day == result.appeal.plain == last_day
    assert result.appeal.moved is None


def test_discrimination_reply_never_promises_a_late_claim():
    text = explain(work_out(DISCRIMINATION, D(2026, 3, 1), D(2026, 3, 2)), render)
    assert "Monday 31 August 2026" in text
    assert "holiday dates do not change this day" in text
    assert "mediation" not in text.lower()
    assert "county court" in text
    passed = explain(work_out(DISCRIMINATION, D(2025, 6, 1), D(2026, 3, 2)), render)
    assert "Sunday 30 November 2025" in passed and "has passed" in passed
    assert "its choice" in passed


@pytest.mark.parametrize(
    "kind, start, today, certificate",
    [
        ("refusal", D(2026, 3, 1), TODAY, None),  # unknown kind
        (APPEAL, D(2026, 4, 16), TODAY, None),  # letter after today
        (APPEAL, D(2026, 3, 18), TODAY, D(2026, 3, 17)),  # certificate before the letter
        (APPEAL, D(2026, 3, 18), TODAY, D(2026, 4, 16)),  # certificate after today
        (DISCRIMINATION, D(2026, 3, 18), TODAY, D(2026, 4, 1)),  # no certificate here
    ],
)
def test_work_out_refuses_what_should_have_been_questioned(kind, start, today, certificate):
    with pytest.raises(ValueError):
        work_out(kind, start, today, certificate=certificate)


# --------------------------------------------------------------------------
# Days left, and a day that has passed
# --------------------------------------------------------------------------


def test_days_left_counts_to_the_last_day():
    result = work_out(APPEAL, D(2026, 3, 18), TODAY)
    assert result.appeal.days_left == 33 and result.mediation.days_left == 33
    assert "You have 33 days left." in explain(result, render)
    assert "Send it well before then. The tribunal must receive it by that day." in explain(result, render)


def test_today_is_the_last_day_is_zero_days_left():
    result = work_out(APPEAL, D(2026, 2, 15), TODAY)
    assert result.appeal.last_day == TODAY
    assert result.appeal.days_left == 0 and not result.appeal.passed
    text = explain(result, render)
    assert "Today is the last day." in text and "send it today" in text
    assert "well before then" not in text


def test_one_day_left():
    result = work_out(APPEAL, D(2026, 2, 16), TODAY)
    assert result.appeal.days_left == 1
    assert "Tomorrow is the last day." in explain(result, render)


def test_both_days_passed_is_said_kindly_and_promises_nothing():
    result = work_out(APPEAL, D(2026, 1, 10), TODAY)
    assert result.appeal.days_left == -36 and result.appeal.passed and result.mediation.passed
    text = explain(result, render)
    assert "was Tuesday 10 March 2026" in text
    assert "I am sorry, that day has passed." in text
    assert "tell the tribunal why it is late" in text
    assert "It is the tribunal's decision whether to accept it." in text
    assert "Ask Walsall SENDIAS for help now." in text
    assert "permission" not in text.lower() and "will accept" not in text.lower()
    assert "You have" not in text


def test_mediation_passed_but_appeal_moved_to_september_still_open():
    result = work_out(APPEAL, D(2026, 6, 15), D(2026, 8, 20))
    assert result.mediation.passed and not result.appeal.passed
    assert result.appeal.last_day == D(2026, 9, 1) and result.appeal.days_left == 12
    text = explain(result, render)
    assert "The last day was Saturday 15 August 2026." in text
    assert "If you have not contacted them yet, do it today." in text
    assert "send your appeal on time anyway and tell the tribunal why" in text
    assert "Tuesday 1 September 2026" in text


def test_with_a_certificate_the_mediation_day_is_only_stated():
    result = work_out(APPEAL, D(2026, 10, 1), D(2026, 12, 10), certificate=D(2026, 11, 29))
    text = explain(result, render)
    assert "decision letter: by Tuesday 1 December 2026." in text
    assert "do it today" not in text and "anyway" not in text
    assert "This only counts if you contacted the mediation adviser by Tuesday 1 December 2026." in text


# --------------------------------------------------------------------------
# The reply
# --------------------------------------------------------------------------


def test_christmas_reply_gives_the_plain_date_the_moved_date_and_why():
    result = work_out(APPEAL, D(2026, 10, 1), D(2026, 11, 30), certificate=D(2026, 11, 29))
    text = explain(result, render)
    assert "Contact the mediation adviser" not in text  # they have a certificate
    assert "Tuesday 1 December 2026" in text
    assert "Counting gives Tuesday 29 December 2026." in text
    assert "Christmas break, 25 December to 1 January" in text
    assert "next working day in January: Monday 4 January 2027" in text
    assert "The tribunal must receive your appeal by Monday 4 January 2027." in text
    assert "Please check the date on your letter." in text
    assert get_content().services["sendias"].details["phone"].value in text


def test_august_reply_says_the_mediation_day_is_not_moved():
    text = explain(work_out(APPEAL, D(2026, 6, 15), D(2026, 7, 1)), render)
    assert "decision letter: by Saturday 15 August 2026." in text
    assert "holiday dates do not change this day" in text
    assert "Counting gives Saturday 15 August 2026, which is in August." in text
    assert "first working day in September: Tuesday 1 September 2026" in text


def test_reply_says_what_was_assumed_and_that_arrival_is_not_the_letters_date():
    reading = read_date("got it on the 18th", TODAY)
    text = explain(work_out(APPEAL, reading.date, TODAY), render, letter=reading)
    assert "I have counted from Wednesday 18 March 2026" in text
    assert "You did not give a month, so I took it to be March 2026." in text
    assert "not the day it arrived" in text
    reading = read_date("18 March", TODAY)
    text = explain(work_out(APPEAL, reading.date, TODAY), render, letter=reading)
    assert "You did not give a year, so I took it to be 2026." in text
    assert "arrived" not in text
    reading = read_date("18/03/2026", TODAY)
    assert "You did not give" not in explain(work_out(APPEAL, reading.date, TODAY), render, letter=reading)


def test_a_date_counted_back_from_today_is_read_back_as_an_assumption_to_check():
    """Review must-fix 1: "3 weeks ago" may be when the letter arrived, so it is never stated
    as the date on the letter; the reply says what it took it to be and asks them to check."""
    reading = read_date("3 weeks ago", TODAY)
    text = explain(work_out(APPEAL, reading.date, TODAY), render, letter=reading)
    assert "I have counted from Wednesday 25 March 2026. I took that to be the date printed on your" in text
    assert "Please check the letter." in text
    assert "the date on your decision letter." not in text.split("\n")[0]


def test_every_reply_is_plain_english_and_every_text_is_used():
    replies = dl.examples(render)
    failing = [(name, measure(text)) for name, text in replies if not measure(text).ok]
    assert not failing
    every = "\n".join(text for _, text in replies)
    # The form's questions and the summary's lines are used by their own modules.
    content = get_content()
    every += "\n".join(
        m.text for _, messages in deadline_replies.examples(content) + summary.examples(content) for m in messages
    )
    for where, text, _ in dl.every_text():
        if where.startswith("subjects."):
            continue
        # Each text appears in some example (its placeholders filled in).
        marked = render(re.sub(r"\{[a-z_]+\}", "VALUEHERE", text))
        pattern = re.escape(marked).replace("VALUEHERE", ".+?")
        assert re.search(pattern, every), f"{where} is never used by the examples"


def test_every_text_has_a_source_naming_facts_md_or_the_law():
    assert dl.wording_problems(render) == []
    for where, text, source in dl.every_text():
        assert text and source, where
        assert re.search(r"facts\.md: |Regulations|Rules|Act", source), where
    assert any("deadlines.appeal.non_working_day" in row for row in dl.to_verify())


def test_a_text_without_a_source_is_refused(tmp_path):
    path = tmp_path / "deadlines.yml"
    path.write_text(
        textwrap.dedent("""\
        days:
          one:
            text: You have 1 day left.
        """),
        encoding="utf-8",
    )
    with pytest.raises(WordingError, match="source"):
        dl.load_wording(path)


# --------------------------------------------------------------------------
# Reading a date (today is Wednesday 15 April 2026)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said, expected",
    [
        ("18 March", D(2026, 3, 18)),
        ("18/03/2026", D(2026, 3, 18)),
        ("18.3.26", D(2026, 3, 18)),
        ("18-3-2026", D(2026, 3, 18)),
        ("18th March 2026", D(2026, 3, 18)),
        ("18th of March", D(2026, 3, 18)),
        ("Wed 18 Mar 26", D(2026, 3, 18)),
        ("March 18", D(2026, 3, 18)),
        ("March 18th, 2026", D(2026, 3, 18)),
        ("the 18th", D(2026, 3, 18)),  # the most recent 18th
        ("18th", D(2026, 3, 18)),
        ("on the 18th.", D(2026, 3, 18)),
        ("last Tuesday", D(2026, 4, 14)),  # the most recent Tuesday
        ("on Monday", D(2026, 4, 13)),
        ("yesterday", D(2026, 4, 14)),
        ("the day before yesterday", D(2026, 4, 13)),
        ("3 weeks ago", D(2026, 3, 25)),
        ("three weeks ago", D(2026, 3, 25)),
        ("a fortnight ago", D(2026, 4, 1)),
        ("2 days ago", D(2026, 4, 13)),
        ("a week ago", D(2026, 4, 8)),
        ("2 weeks and 3 days ago", D(2026, 3, 29)),
        ("2 fortnights ago", D(2026, 3, 18)),
        ("we got it last friday", D(2026, 4, 10)),
        ("Monday just gone", D(2026, 4, 13)),
        ("on the 18", D(2026, 3, 18)),
        ("18 MARCH", D(2026, 3, 18)),
        ("it came today", D(2026, 4, 15)),
        ("03/04", D(2026, 4, 3)),  # day first: 3 April, never 4 March
        ("12/01/2026", D(2026, 1, 12)),  # 12 January, never 1 December
        ("1/12/2025", D(2025, 12, 1)),
        ("20/12/25", D(2025, 12, 20)),
        ("20 December", D(2025, 12, 20)),  # no year: the most recent 20 December
        ("15 April", D(2026, 4, 15)),  # today
        ("the letter is dated 18 March, when is my deadline?", D(2026, 3, 18)),
        ("got it on the 18th", D(2026, 3, 18)),
        ("Hi, the decision letter came on 18/03/2026. How long do I have?", D(2026, 3, 18)),
        ("I may appeal: the letter was sent on 2 March", D(2026, 3, 2)),
        ("dated 10 April but it only came yesterday", D(2026, 4, 10)),  # the written date wins
        ("18/03/2026, so 18 March", D(2026, 3, 18)),  # the same date twice
    ],
)
def test_reads_dates_as_people_in_england_write_them(said, expected):
    reading = read_date(said, TODAY)
    assert reading.ok, reading
    assert reading.date == expected


def test_day_only_skips_months_without_that_day():
    assert read_date("the 31st", TODAY).date == D(2026, 3, 31)
    assert read_date("the 30th", D(2026, 3, 1)).date == D(2026, 1, 30)  # February has no 30th
    assert read_date("the 15th", TODAY).date == TODAY


def test_a_weekday_is_always_before_today():
    tuesday = D(2026, 4, 14)
    assert read_date("last Tuesday", tuesday).date == D(2026, 4, 7)
    assert read_date("on Tuesday", tuesday).date == D(2026, 4, 7)
    assert read_date("last Monday", tuesday).date == D(2026, 4, 13)


def test_the_clock_is_the_one_passed_in():
    assert read_date("yesterday", D(2030, 1, 1)).date == D(2029, 12, 31)
    assert read_date("18 March", D(2030, 1, 1)).date == D(2029, 3, 18)
    source = inspect.getsource(dl)
    assert ".today(" not in source and ".now(" not in source and "time.time" not in source
    assert "import logging" not in source  # dates a family types are never logged


def test_reading_says_what_was_assumed_and_how_it_was_said():
    assert read_date("18 March", TODAY).assumed == "year"
    assert read_date("the 18th", TODAY).assumed == "month"
    assert read_date("18/03/2026", TODAY).assumed is None
    assert read_date("18 March 2026 (18 March)", TODAY).assumed is None
    assert read_date("3 weeks ago", TODAY).relative
    assert not read_date("18 March", TODAY).relative
    assert read_date("we received it on 18 March", TODAY).arrival
    assert not read_date("the letter is dated 18 March", TODAY).arrival


@pytest.mark.parametrize(
    "said",
    ["18 March 2027", "20/04/2026", "16 April 2026", "29/02/2028", "tomorrow is 20/04/2026"],
)
def test_a_future_date_gets_a_question_back(said):
    reading = read_date(said, TODAY)
    assert not reading.ok and reading.reason == FUTURE


@pytest.mark.parametrize("said", ["18/03/2025", "14/04/2025", "29 February", "1/1/99", "18 March 2020"])
def test_a_date_more_than_a_year_ago_gets_a_question_back(said):
    reading = read_date(said, TODAY)
    assert not reading.ok and reading.reason == TOO_OLD


def test_exactly_a_year_ago_is_still_read():
    assert read_date("15/04/2025", TODAY).date == D(2025, 4, 15)


@pytest.mark.parametrize(
    "said",
    [
        "",
        "hello",
        "when is my deadline?",
        "next month",
        "last month",
        "last week",
        "in March",
        "March 2026",
        "this Tuesday",
        "next Tuesday",
        "a few weeks ago",
        "a couple of weeks ago",
        "about 2 months ago",
        "2 months ago",
        "a year ago",
        "a month and 2 weeks ago",
        "the 2nd of last month",
        "an hour ago",
        "31/02/2026",
        "32 March",
        "13/13/2026",
        "03/18/2026",  # month first: never guessed
        "2026-03-18",  # not how dates are written in England: asked again, not guessed
        "Tuesday 18 March 2026",  # 18 March 2026 is a Wednesday
        "can I appeal today?",
    ],
)
def test_no_date_a_vague_one_or_an_impossible_one_is_unreadable(said):
    reading = read_date(said, TODAY)
    assert not reading.ok and reading.reason == UNREADABLE


def test_two_different_dates_are_never_chosen_between():
    reading = read_date("letter dated 18 March but the certificate is dated 1 April", TODAY)
    assert reading.reason == UNREADABLE
    assert reading.dates_found == (D(2026, 3, 18), D(2026, 4, 1))
    assert "more than one date" in question(reading, LETTER, render)
    assert read_date("yesterday or maybe last Monday", TODAY).reason == UNREADABLE


@pytest.mark.parametrize(
    "said",
    [
        "2 months",
        "20 weeks",
        "year 7",
        "section F",
        "SEND35",
        "SEND35a",
        "I have 2 months to appeal and my son is in year 7",
        "it's been 20 weeks and still no plan",
        "the council missed the 16 weeks",
        "he is in the 7th year",
        "his 10th birthday",
        "phone 01922 650330",
        "reg 33",
        "I rang at 9.30",
        "my son is 7 and has had an EHC plan for 3 years",
    ],
)
def test_traps_are_not_read_as_dates(said):
    reading = read_date(said, TODAY)
    assert reading.reason == UNREADABLE and reading.dates_found == ()


def test_traps_beside_a_real_date_do_not_hide_it():
    said = "My son is in year 7. The section F letter dated 18 March says 2 months. Form SEND35?"
    assert read_date(said, TODAY).date == D(2026, 3, 18)


def test_a_certificate_dated_before_the_letter_gets_a_question_back():
    reading = read_date("1 March", TODAY, not_before=D(2026, 3, 18))
    assert reading.reason == BEFORE_LETTER
    assert "before the date on the council's letter" in question(reading, CERTIFICATE, render)
    assert read_date("1 April", TODAY, not_before=D(2026, 3, 18)).date == D(2026, 4, 1)


@pytest.mark.parametrize(
    "said, asking, words",
    [
        ("18 March 2027", LETTER, "after today"),
        ("18 March 2024", LETTER, "more than a year ago"),
        ("next month", CERTIFICATE, "the date on the mediation certificate"),
        ("banana", DISCRIMINATION, "the date it happened"),
        ("banana", LETTER, "the date printed on the council's letter telling you its decision"),
    ],
)
def test_questions_back_are_gentle_and_ask_for_the_right_date(said, asking, words):
    text = question(read_date(said, TODAY), asking, render)
    assert words in text
    assert measure(text).ok
    assert "{" not in text


def test_question_refuses_a_reading_that_has_a_date():
    with pytest.raises(ValueError):
        question(read_date("18 March", TODAY), LETTER, render)


# --------------------------------------------------------------------------
# The independent review of every reply (handoff/review/replies_review.md)
# --------------------------------------------------------------------------


def test_review_12_a_discrimination_deadline_on_a_non_working_day_says_send_it_before():
    # 26 June 2026: the 6 months end on Friday 25 December 2026, Christmas Day.
    text = explain(work_out(DISCRIMINATION, D(2026, 6, 26), D(2026, 7, 1)), render)
    assert "by Friday 25 December 2026" in text
    assert "That day is a bank holiday, so send it before then." in text
    assert "The tribunal's holiday dates do not change this day." in text


@pytest.mark.parametrize(
    "kind, letter, certificate",
    [
        (APPEAL, D(2026, 3, 18), None),
        (APPEAL, D(2026, 3, 18), D(2026, 4, 1)),
        (PLACEMENT, D(2026, 3, 18), None),
        (APPEAL, D(2026, 2, 16), None),  # 1 day left
    ],
)
def test_review_13_the_dates_do_not_pause_while_the_family_talks_to_the_council(kind, letter, certificate):
    text = explain(work_out(kind, letter, TODAY, certificate), render)
    assert "These dates do not change while you talk to the council or use disagreement resolution." in text


def test_review_13_and_19_a_claims_6_months_do_not_pause_either():
    text = explain(work_out(DISCRIMINATION, D(2026, 3, 1), TODAY), render)
    assert "This date does not change while you talk to the school or use disagreement resolution." in text


def test_review_28_the_unconfirmed_weekend_rule_is_marked_until_it_is_verified():
    wording = dl.get_wording()
    result = work_out(APPEAL, D(2026, 3, 3), TODAY)  # 2 months end on Sunday 3 May 2026
    assert "next working day (to be confirmed)." in explain(result, render, wording=wording)
    confirmed = {
        **wording,
        "appeal": {**wording["appeal"], "non_working_day": {**wording["appeal"]["non_working_day"], "verified": True}},
    }
    text = explain(result, render, wording=confirmed)
    assert "next working day. But do not rely on this." in text and "to be confirmed" not in text.split("Sunday")[1]


def test_review_29_gentler_wording():
    assert question(read_date("18 March 2027", TODAY), LETTER, render).startswith(
        "That date is after today. Please check it."
    )
    assert "cannot be right" not in question(read_date("18 March 2027", TODAY), LETTER, render)
    both_passed = explain(work_out(APPEAL, D(2026, 1, 10), D(2026, 3, 20)), render)  # both ended 10 March
    assert "If you have not contacted them yet, do it today." in both_passed
    assert "do that at once too" not in both_passed
    assert "Tomorrow is the last day." in explain(work_out(APPEAL, D(2026, 2, 16), TODAY), render)
