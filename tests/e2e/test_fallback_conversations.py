"""When the assistant is not sure what the family means, over REST with the real servers.

"Did you mean" (advice/fallback.py), "Something else", the topic list and
the phone numbers, a crisis at any stage, out of scope, a second problem in
the same message, and the callback form. Each message here is written for
this test, not copied from the training data or a held-out set. The unclear
ones are unclear in themselves (no topic named), so they stay unclear to any
reasonable model.
"""

import pytest

from advice.content import get_content
from tests.e2e.expected import assert_crisis_first, assert_no_apology

pytestmark = pytest.mark.e2e

CONTENT = get_content()
DISAGREEMENTS = set(CONTENT.disagreements)
PHONES = ("01922 652871", "01922 650330", "01922 650000", "999")
SOMETHING_ELSE = "/deny"
UNCLEAR = "i dont agree with what they decided about my son"
STILL_UNCLEAR = "erm"


def texts(replies):
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies):
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def routes_for(replies):
    """The disagreement whose routes these replies give (by its summary line), or None."""
    text = texts(replies)
    for name, spec in CONTENT.disagreements.items():
        if CONTENT.render(spec["summary"]) in text and "Here is what you can do:" in text:
            return name
    return None


def did_you_mean(servers, sender, message=UNCLEAR):
    replies = servers.talk(sender, message)
    text = texts(replies)
    assert "Did you mean one of these?" in text or "Which of these is closest" in text, text
    assert "did not understand" not in text
    offered = payloads(replies)
    assert offered[-1] == SOMETHING_ELSE and replies[-1]["buttons"][-1]["title"] == "Something else"
    topics = offered[:-1]
    assert 1 <= len(topics) <= 3 and all(p.lstrip("/") in CONTENT.titled_intents() for p in topics)
    return topics


def test_an_unsure_message_gets_did_you_mean_and_a_button_gets_that_topics_answer(servers, sender):
    topics = did_you_mean(servers, sender)
    chosen = next(p for p in topics if p.lstrip("/") in DISAGREEMENTS)
    answer = servers.talk(sender, chosen)
    assert routes_for(answer) == chosen.lstrip("/")
    # The conversation goes on for that disagreement: a follow-up is answered, not "Did you mean".
    follow_up = servers.talk(sender, "/ask_tribunal")
    assert_no_apology(follow_up)
    assert "Did you mean" not in texts(follow_up) and "not sure what you mean" not in texts(follow_up)


def test_something_else_then_still_unclear_gets_every_topic_and_the_phone_numbers(servers, sender):
    did_you_mean(servers, sender)
    again = servers.talk(sender, SOMETHING_ELSE)
    assert "in your own words" in texts(again) and not payloads(again)
    final = servers.talk(sender, STILL_UNCLEAR)
    text = texts(final)
    assert all(number in text for number in PHONES), text
    assert {f"/{d}" for d in DISAGREEMENTS} | {"/request_human"} <= set(payloads(final))
    # And from the list, a topic's answer.
    assert routes_for(servers.talk(sender, "/disagree_placement")) == "disagree_placement"


def test_said_another_way_and_understood(servers, sender):
    did_you_mean(servers, sender)
    servers.talk(sender, SOMETHING_ELSE)
    answer = servers.talk(sender, "they have told us they are going to stop his ehc plan when he turns 19")
    assert routes_for(answer) == "plan_ceasing"


def test_two_unclear_messages_in_a_row_get_the_topic_list(servers, sender):
    did_you_mean(servers, sender)
    text = texts(servers.talk(sender, STILL_UNCLEAR))
    assert all(number in text for number in PHONES)


@pytest.mark.parametrize(
    "steps",
    [[], [SOMETHING_ELSE], [STILL_UNCLEAR]],
    ids=["under did you mean", "after something else", "after the topic list"],
)
def test_a_crisis_at_any_stage_gets_the_crisis_reply(servers, sender, steps):
    did_you_mean(servers, sender)
    for step in steps:
        assert_no_apology(servers.talk(sender, step))
    replies = servers.talk(sender, "please help my daughter has just swallowed a whole packet of pills")
    assert_crisis_first(replies)
    assert "Did you mean" not in texts(replies) and "in your own words" not in texts(replies)


def test_out_of_scope_keeps_its_own_reply(servers, sender):
    replies = servers.talk(sender, "how do i report a pothole on my road")
    text = texts(replies)
    assert "Sorry, I cannot help with that" in text and "01922 650000" in text
    assert "Did you mean" not in text
    # Also right after a "Did you mean".
    did_you_mean(servers, sender)
    assert "Sorry, I cannot help with that" in texts(servers.talk(sender, "what time does the library shut"))


def test_a_second_problem_in_the_same_message_is_offered_as_a_button(servers, sender):
    pair = {"plan_ceasing", "disagree_placement"}
    replies = servers.talk(sender, "they want to cease her ehcp and the school named in it has never suited her anyway")
    answered = routes_for(replies)
    if answered is None:
        # Unsure which is the main one: "Did you mean" offers both, one tap each.
        assert {f"/{d}" for d in pair} <= set(payloads(replies)), texts(replies)
        answered = next(iter(sorted(pair)))
        assert routes_for(servers.talk(sender, f"/{answered}")) == answered
    else:
        assert answered in pair, texts(replies)
        other = (pair - {answered}).pop()
        also = [r for r in replies if "You may also have mentioned another problem" in (r.get("text") or "")]
        assert len(also) == 1 and payloads(also) == [f"/{other}"]
        assert routes_for(servers.talk(sender, f"/{other}")) == other


def test_one_problem_gets_no_second_button(servers, sender):
    replies = servers.talk(sender, "the council has written to say it will not do an ehc needs assessment for my son")
    assert routes_for(replies) == "refused_assessment"
    assert "also have mentioned" not in texts(replies)


def test_an_unsure_answer_inside_the_callback_form_is_the_forms_answer(servers, sender):
    assert "type stop" in texts(servers.talk(sender, "/request_callback")).lower()
    replies = servers.talk(sender, "its about all sorts really")
    assert "How would you like the team to contact you?" in texts(replies), texts(replies)
    assert "Did you mean" not in texts(replies)
    assert "phone number" in texts(servers.talk(sender, "phone"))
    assert "stopped" in texts(servers.talk(sender, "stop")).lower()
