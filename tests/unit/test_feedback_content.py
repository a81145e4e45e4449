""" "Did this help?": asked once with the routes reply, never after a crisis, answers counted as slot values.

The actions run with a real rasa-sdk Tracker and CollectingDispatcher, as in
test_actions.py. The end-to-end test over the real servers is
tests/e2e/test_feedback.py; the dialogue rules are checked by
tests/stories/test_feedback.yml.
"""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback_actions import ActionFeedback
from actions.route_actions import ActionExplainRoutes
from advice import feedback
from advice.content import get_content
from advice.plain_english import measure

CRISIS_EVENTS = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "...", "parse_data": {"intent": {"name": "crisis"}}},
    {"event": "action", "name": "action_crisis"},
    {"event": "action", "name": "action_listen"},
]


def tracker(intent, feedback_state=None, events=(), disagreement=None):
    latest = {
        "text": "...",
        "intent": {"name": intent, "confidence": 0.97},
        "intent_ranking": [{"name": intent, "confidence": 0.97}],
        "entities": [],
    }
    slots = {"disagreement": disagreement, "service": None, "feedback": feedback_state}
    return Tracker("test-user", slots, latest, list(events), False, None, {}, "action_listen")


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, events


def payloads(message):
    return [b["payload"] for b in message.get("buttons") or []]


def test_the_routes_reply_asks_once_with_yes_and_no_buttons():
    messages, events = run(ActionExplainRoutes(), tracker("refused_assessment"))
    assert len(messages) == 2 and "Here is what you can do:" in messages[0]["text"]
    assert messages[1]["text"] == "Did this help?"
    assert payloads(messages[1]) == ["/feedback_yes", "/feedback_no"]
    assert SlotSet("feedback", "asked") in events
    # The routes reply keeps its own buttons.
    assert payloads(messages[0]) == [
        "/ask_deadline",
        "/ask_mediation",
        "/ask_tribunal",
        "/ask_sendias",
        "/request_summary",
    ]


@pytest.mark.parametrize("state", ["asked", "yes", "no", "reason:more_detail"])
def test_it_is_not_asked_twice_in_a_conversation(state):
    messages, events = run(ActionExplainRoutes(), tracker("disagree_placement", feedback_state=state))
    assert len(messages) == 1 and "Did this help?" not in messages[0]["text"]
    assert not [e for e in events if e.get("name") == "feedback"]


def test_it_is_never_asked_after_a_crisis_reply_in_the_same_conversation():
    messages, events = run(ActionExplainRoutes(), tracker("plan_ceasing", events=CRISIS_EVENTS))
    assert len(messages) == 1
    assert not [e for e in events if e.get("name") == "feedback"]


def test_a_crisis_in_an_earlier_conversation_does_not_stop_the_question():
    later = CRISIS_EVENTS + [{"event": "action", "name": "action_session_start"}, {"event": "session_started"}]
    messages, events = run(ActionExplainRoutes(), tracker("plan_ceasing", events=later))
    assert messages[-1]["text"] == "Did this help?"
    assert SlotSet("feedback", "asked") in events


@pytest.mark.parametrize("intent", ["feedback_yes", "affirm"])
def test_yes_is_thanked_and_counted(intent):
    messages, events = run(ActionFeedback(), tracker(intent, feedback_state="asked"))
    assert events == [SlotSet("feedback", "yes")]
    assert "Thank you" in messages[0]["text"] and not payloads(messages[0])


@pytest.mark.parametrize("intent", ["feedback_no", "deny"])
def test_no_offers_what_was_missing_and_talk_to_someone(intent):
    messages, events = run(ActionFeedback(), tracker(intent, feedback_state="asked"))
    assert events == [SlotSet("feedback", "no")]
    assert messages[0]["text"] == "Sorry it did not help. What was missing?"
    options = payloads(messages[0])
    assert options == [
        "/feedback_not_my_situation",
        "/feedback_hard_to_understand",
        "/feedback_more_detail",
        "/request_human",
    ]
    assert [b["title"] for b in messages[0]["buttons"]][-1] == "Talk to someone"


def test_no_after_a_crisis_is_counted_but_asks_nothing_more():
    messages, events = run(ActionFeedback(), tracker("feedback_no", feedback_state="asked", events=CRISIS_EVENTS))
    assert events == [SlotSet("feedback", "no")]
    assert not payloads(messages[0]) and "Thank you" in messages[0]["text"]


@pytest.mark.parametrize("reason", ["not_my_situation", "hard_to_understand", "more_detail"])
def test_a_reason_after_no_is_counted_by_its_id(reason):
    messages, events = run(ActionFeedback(), tracker(f"feedback_{reason}", feedback_state="no"))
    assert events == [SlotSet("feedback", f"reason:{reason}")]
    assert "Thank you" in messages[0]["text"]


def test_an_answer_is_counted_once():
    for state in ("yes", "no", "reason:more_detail"):
        messages, events = run(ActionFeedback(), tracker("feedback_yes", feedback_state=state))
        assert events == [] and "Thank you" in messages[0]["text"]
    messages, events = run(ActionFeedback(), tracker("feedback_more_detail", feedback_state="yes"))
    assert events == []


@pytest.mark.parametrize("intent,response", [("affirm", "utter_affirm"), ("deny", "utter_deny")])
def test_a_typed_yes_or_no_without_a_question_gets_the_usual_reply(intent, response):
    for state in (None, "yes"):
        messages, events = run(ActionFeedback(), tracker(intent, feedback_state=state))
        assert [m.get("response") for m in messages] == [response] and events == []


def test_the_slot_values_carry_no_free_text():
    values = {feedback.ASKED, feedback.YES, feedback.NO} | {
        feedback.REASON_PREFIX + reason for reason in feedback.reasons()
    }
    assert all(value.replace(":", "").replace("_", "").isalpha() for value in values)


def test_the_feedback_replies_are_plain_english_and_in_the_content_check():
    from advice.catalogue import all_replies

    names = {name for name, _ in all_replies(get_content())}
    assert {"feedback_question", "feedback_missing", "feedback_thanks", "feedback_thanks_reason"} <= names
    for _, messages in feedback.all_feedback_replies():
        for message in messages:
            assert measure(message.text).ok, message.text
