"""The deadline calculator and the summary, over REST, against the running servers.

The action server's clock is Saturday 5 December 2026, 8pm (conftest.SATURDAY_EVENING),
so every expected date below was worked out by hand from that day. Messages are
written for this test, not copied from the training data.
"""

from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.expected import assert_crisis_first

pytestmark = pytest.mark.e2e

ADVISER = "mediation adviser within 2 months of the date on the decision letter"


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def buttons_of(replies):
    return [b["title"] for r in replies for b in r.get("buttons") or []]


def test_a_refused_assessment_with_the_date_in_the_question(servers, sender):
    servers.talk(sender, "the council have said no to assessing my daughter for an ehcp")
    asked = text_of(servers.talk(sender, "when is my deadline? the letter is dated 18 November 2026"))
    assert "Do you have a mediation certificate yet?" in asked
    dates = servers.talk(sender, "no not yet")
    text = text_of(dates)
    assert "I have counted from Wednesday 18 November 2026, the date on your decision letter." in text
    assert f"{ADVISER}: by Monday 18 January 2027" in text
    assert "The tribunal must receive your appeal by Monday 18 January 2027." in text
    assert "You have 44 days left." in text
    assert "Send it well before then." in text
    assert "Keep a copy" in buttons_of(dates)
    # The summary keeps the dates with the steps and the contacts.
    summary = text_of(servers.talk(sender, "/request_summary"))
    assert "Your next steps: The council won't assess" in summary
    assert "Date on the decision letter: Wednesday 18 November 2026." in summary
    assert "Last day for the tribunal to receive your appeal: Monday 18 January 2027." in summary
    assert "1. Talk to your EHC case officer" in summary and "Walsall SENDIAS: phone" in summary


def test_asked_first_the_calculator_asks_which_decision_then_the_date(servers, sender):
    kinds = servers.talk(sender, "how long have i got to appeal")
    assert "which decision is the letter about?" in text_of(kinds)
    assert {"The council won't assess", "The school or college in the plan", "I'm not sure"} <= set(buttons_of(kinds))
    assert "What is the date printed on" in text_of(servers.talk(sender, "/disagree_placement"))
    assert "mediation certificate" in text_of(servers.talk(sender, "18/11/2026"))
    text = text_of(servers.talk(sender, "/deny"))
    # An appeal only about the school: no mediation adviser's deadline.
    assert "The tribunal must receive your appeal by Monday 18 January 2027." in text
    assert "does not need a mediation certificate" in text
    assert "contact the mediation adviser within 2 months" not in text


def test_a_date_that_cannot_be_used_gets_a_gentle_question(servers, sender):
    servers.talk(sender, "the LA refused to reassess him even though his needs have changed")
    servers.talk(sender, "whats my deadline")
    future = text_of(servers.talk(sender, "18 december 2026"))
    assert "That date is after today. Please check it." in future
    assert "must receive" not in future
    arrived = text_of(servers.talk(sender, "i got the letter on 20 november"))
    assert "That sounds like the day it arrived." in arrived
    assert "must receive" not in arrived
    assert "Do you have a mediation certificate yet?" in text_of(servers.talk(sender, "it is dated 16 november 2026"))


def test_christmas_moves_the_appeal_but_not_the_mediation_adviser(servers, sender):
    servers.talk(sender, "they want to cease my sons ehcp")
    servers.talk(sender, "when do i have to appeal by, letter dated 25 october 2026")
    text = text_of(servers.talk(sender, "no"))
    assert f"{ADVISER}: by Friday 25 December 2026" in text
    assert "Counting gives Friday 25 December 2026." in text
    assert "in January: Monday 4 January 2027." in text


def test_a_deadline_that_has_passed_is_said_kindly_with_what_can_still_be_done(servers, sender):
    servers.talk(sender, "the council won't change the plan after the annual review")
    servers.talk(sender, "am i too late? the letter was dated 1 september 2026")
    text = text_of(servers.talk(sender, "no certificate"))
    assert "that day has passed" in text
    assert "send your appeal at once, and tell the tribunal why it is late" in text
    assert "tribunal's decision whether to accept it" in text
    assert "permission" not in text.lower()


def test_a_discrimination_claim_counts_6_months_less_a_day(servers, sender):
    servers.talk(sender, "the school keeps excluding my son because of his autism, its disability discrimination")
    asked = text_of(servers.talk(sender, "how long do i have"))
    assert "On what day did it happen?" in asked
    text = text_of(servers.talk(sender, "3 November 2026"))
    assert "The tribunal must receive your claim by Sunday 2 May 2027." in text
    assert "county court" in text
    assert "mediation certificate" not in text


def test_no_tribunal_deadline_for_support_not_given(servers, sender):
    servers.talk(sender, "the school isnt giving him the 1:1 that is in section F of his ehcp")
    text = text_of(servers.talk(sender, "when is my deadline"))
    assert "There is no tribunal deadline for this." in text
    assert "What is the date printed on" not in text


def test_a_question_in_the_middle_is_answered_then_the_date_is_asked_again(servers, sender):
    servers.talk(sender, "the council refused to issue a plan after the assessment")
    servers.talk(sender, "how long have i got")
    replies = text_of(servers.talk(sender, "what actually is mediation"))
    assert "Mediation is" in replies
    assert "What is the date printed on" in replies
    assert "Do you have a mediation certificate yet?" in text_of(servers.talk(sender, "20 november 2026"))


def test_a_lost_letter_or_a_crisis_ends_the_calculator(servers, sender):
    servers.talk(sender, "the council refused to assess")
    servers.talk(sender, "when is my deadline")
    lost = text_of(servers.talk(sender, "i dont know the date, ive lost the letter"))
    assert "Ask the Education, Health and Care (EHC) Assessment Team for a copy" in lost
    assert "What is the date printed on" not in lost
    servers.talk(sender, "when is my deadline")
    assert_crisis_first(servers.talk(sender, "he has run off and we cant find him anywhere"))


def test_a_summary_before_any_disagreement_asks_what_it_is_about(servers, sender):
    replies = servers.talk(sender, "can you send me a summary")
    assert "once I know what you disagree about" in text_of(replies)
    assert "The council won't assess" in buttons_of(replies)


def test_the_dates_are_in_no_log(servers, sender):
    servers.talk(sender, "they said no to the assessment")
    servers.talk(sender, "my deadline? letter dated 17 november 2026")
    servers.talk(sender, "no")
    for log in Path(ARTIFACTS).glob("e2e_*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "17 november" not in text.lower() and "2026-11-17" not in text, log.name
