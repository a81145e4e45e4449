"""Every custom action, run with a real rasa-sdk Tracker and CollectingDispatcher."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import base
from actions.callback_actions import ActionTalkToSomeone
from actions.conversation_actions import (
    ActionAskRephrase,
    ActionDidYouMean,
    ActionFallbackHelp,
    ActionOutOfScope,
    ActionSessionStart,
)
from actions.route_actions import ActionAnswerQuestion, ActionExplainMediationVsDr, ActionExplainRoutes
from actions.safety_actions import ActionCrisis
from actions.service_actions import ActionPointToService
from advice.content import get_content

CONTENT = get_content()


def tracker(intent, slots=None, ranking=None, entities=None, text="..."):
    ranking = ranking if ranking is not None else [{"name": intent, "confidence": 0.97}]
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": ranking[0]["confidence"] if ranking else 1.0},
        "intent_ranking": ranking,
        "entities": entities or [],
    }
    all_slots = {"disagreement": None, "service": None, **(slots or {})}
    return Tracker("test-user", all_slots, latest, [], False, None, {}, "action_listen")


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, events


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages):
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


@pytest.mark.parametrize("disagreement", list(CONTENT.disagreements))
def test_routes_action_renders_routes_and_remembers_the_disagreement(disagreement):
    messages, events = run(ActionExplainRoutes(), tracker(disagreement))
    assert "Here is what you can do:" in texts(messages)
    assert payloads(messages), "the routes reply offers next questions as buttons"
    assert SlotSet("disagreement", disagreement) in events


def test_routes_action_falls_back_for_a_non_disagreement_intent():
    messages, events = run(ActionExplainRoutes(), tracker("greet"))
    assert "not sure what you mean" in texts(messages) and "01922 652871" in texts(messages)
    assert events == []


def test_routes_offer_a_second_disagreement_named_in_the_same_message():
    ranking = [
        {"name": "refused_assessment", "confidence": 0.61},
        {"name": "disagree_sen_provision", "confidence": 0.33},
    ]
    messages, events = run(ActionExplainRoutes(), tracker("refused_assessment", ranking=ranking))
    assert "Here is what you can do:" in messages[0]["text"]
    also = [m for m in messages if "also have mentioned another problem" in m["text"]]
    assert len(also) == 1 and payloads(also) == ["/disagree_sen_provision"]
    assert SlotSet("disagreement", "refused_assessment") in events  # the main problem is the one answered


def test_routes_offer_nothing_more_for_one_problem():
    ranking = [{"name": "refused_assessment", "confidence": 0.95}, {"name": "refused_reassessment", "confidence": 0.03}]
    messages, _ = run(ActionExplainRoutes(), tracker("refused_assessment", ranking=ranking))
    assert "also have mentioned" not in texts(messages) and "/refused_reassessment" not in payloads(messages)


def test_a_question_about_the_disagreement_already_discussed_offers_nothing_more():
    ranking = [{"name": "ask_deadline", "confidence": 0.7}, {"name": "plan_ceasing", "confidence": 0.25}]
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_deadline", {"disagreement": "plan_ceasing"}, ranking))
    assert "also have mentioned" not in texts(messages)


def test_a_question_offers_the_disagreement_named_with_it():
    ranking = [{"name": "ask_deadline", "confidence": 0.7}, {"name": "plan_ceasing", "confidence": 0.25}]
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_deadline", ranking=ranking))
    assert "There are two time limits" in messages[0]["text"]
    also = [m for m in messages if "also have mentioned another problem" in m["text"]]
    assert len(also) == 1 and payloads(also) == ["/plan_ceasing"]


def test_routes_buttons_for_an_appealable_decision():
    messages, _ = run(ActionExplainRoutes(), tracker("refused_assessment"))
    # messages[0]: the routes; "Did this help?" follows with its own buttons.
    assert payloads(messages[:1]) == [
        "/ask_deadline",
        "/ask_mediation",
        "/ask_tribunal",
        "/ask_sendias",
        "/request_summary",
    ]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["How long do I have?", "What is mediation?", "How do I appeal?", "Contact SENDIAS", "Keep a copy"]


def test_mediation_vs_disagreement_resolution():
    messages, _ = run(ActionExplainMediationVsDr(), tracker("ask_mediation_vs_dr"))
    text = texts(messages)
    assert "informal" in text and "formally linked to appeals to a tribunal" in text
    assert "First-tier Tribunal (Special Educational Needs and Disability), called the SEND Tribunal" in text
    assert "certificate" in text and "Prime Resolution" in text and "free" in text


def test_how_long_do_i_have_is_answered_for_the_remembered_disagreement():
    messages, events = run(ActionAnswerQuestion(), tracker("ask_tribunal", {"disagreement": "refused_assessment"}))
    text = texts(messages)
    assert "SEND35a" in text and "2 months" in text and "1 month" in text
    assert SlotSet("service", "tribunal") in events


def test_how_long_do_i_have_without_a_disagreement_gives_the_general_answer():
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_tribunal"))
    assert "2 months" in texts(messages) and "SEND35" not in texts(messages)


def test_appeal_question_for_a_school_support_disagreement_says_no_tribunal():
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_tribunal", {"disagreement": "disagree_sen_provision"}))
    assert "cannot go to a tribunal" in texts(messages)


def test_how_long_do_i_have_gives_both_clocks_for_the_remembered_disagreement():
    messages, events = run(ActionAnswerQuestion(), tracker("ask_deadline", {"disagreement": "refused_assessment"}))
    text = texts(messages)
    assert "mediation adviser within 2 months of the date on the decision letter" in text
    assert "SEND35a" in text and "1 month from the date on it" in text and "not the day it arrived" in text
    assert SlotSet("service", None) in events


def test_how_long_do_i_have_after_a_disagreement_with_no_appeal_says_so():
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_deadline", {"disagreement": "disagree_duties"}))
    assert "There is no tribunal deadline for this" in texts(messages)
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_deadline", {"disagreement": "disability_discrimination"}))
    assert "within 6 months, starting with the day it happened" in texts(messages)


@pytest.mark.parametrize(
    "intent, phrase, service",
    [
        ("lost_letter", "the date it was sent", "ehc_team"),
        ("ask_draft_plan", "at least 15 days", "ehc_team"),
        ("ask_young_person", "last Friday in June", "sendias"),
        ("ask_mediation_day", "You can bring a supporter", "prime_resolution"),
    ],
)
def test_new_questions_are_answered_and_set_who_them_means(intent, phrase, service):
    messages, events = run(ActionAnswerQuestion(), tracker(intent, {"disagreement": "plan_ceasing"}))
    assert phrase in texts(messages)
    assert payloads(messages)
    assert SlotSet("service", service) in events


@pytest.mark.parametrize("disagreement", ["missed_deadline", "disability_discrimination"])
def test_new_disagreements_get_their_routes(disagreement):
    messages, events = run(ActionExplainRoutes(), tracker(disagreement))
    assert "Here is what you can do:" in texts(messages)
    assert SlotSet("disagreement", disagreement) in events


def test_is_it_free():
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_cost", {"disagreement": "refused_ehc_plan"}))
    assert "free" in texts(messages)


def test_mediation_for_a_placement_appeal_needs_no_certificate():
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_mediation", {"disagreement": "disagree_placement"}))
    assert "do not need a mediation certificate" in texts(messages)


def test_advocates_are_unregulated_and_free_help_comes_first():
    messages, _ = run(ActionAnswerQuestion(), tracker("ask_advocate"))
    assert "Nobody regulates" in texts(messages) and "SENDIAS" in texts(messages)


def test_sendias_and_prime_resolution():
    messages, events = run(ActionPointToService(), tracker("ask_sendias"))
    assert "01922 650330" in texts(messages) and SlotSet("service", "sendias") in events
    messages, _ = run(ActionPointToService(), tracker("ask_prime_resolution"))
    assert "07582 548611" in texts(messages)


def test_contact_them_means_the_service_just_discussed():
    messages, _ = run(ActionPointToService(), tracker("contact_case_officer", {"service": "prime_resolution"}))
    assert "07582 548611" in texts(messages)


def test_contact_names_the_entity_over_the_remembered_service():
    entity = [{"entity": "service", "value": "ehc_team", "start": 0, "end": 1}]
    messages, _ = run(ActionPointToService(), tracker("contact_case_officer", {"service": "sendias"}, entities=entity))
    assert "01922 652871" in texts(messages)


def test_contact_for_school_support_starts_with_the_senco():
    messages, _ = run(
        ActionPointToService(), tracker("contact_case_officer", {"disagreement": "disagree_sen_provision"})
    )
    assert "SENCO" in texts(messages) and "01922 650330" in texts(messages)


@pytest.mark.parametrize(
    "now, open_now",
    [
        ("2026-12-07T10:00:00+00:00", True),  # a Monday morning
        ("2026-12-05T20:00:00+00:00", False),  # a Saturday evening
    ],
)
def test_request_human_is_honest_and_says_whether_the_team_is_open(monkeypatch, now, open_now):
    monkeypatch.setenv("SEND_NOW", now)
    messages, _ = run(ActionTalkToSomeone(), tracker("request_human", {"disagreement": "plan_ceasing"}))
    text = texts(messages)
    assert "automated" in text
    assert "01922 652871" in text and "01922 650330" in text
    assert ("open now" in text) is open_now and ("opens again on Monday at 9am" in text) is not open_now
    assert "/request_callback" in payloads(messages)


def test_crisis_gives_999_first_then_the_support_lines():
    messages, _ = run(ActionCrisis(), tracker("crisis"))
    text = texts(messages)
    order = [text.index(n) for n in ("999", "NHS 111", "0800 1111", "0808 800 5000", "116 123", "85258")]
    assert order == sorted(order)
    assert payloads(messages) == []


def test_crisis_offers_a_way_back_to_a_disagreement_described_in_the_same_message():
    ranking = [{"name": "crisis", "confidence": 1.0}, {"name": "refused_assessment", "confidence": 0.8}]
    messages, _ = run(ActionCrisis(), tracker("crisis", ranking=ranking))
    assert texts(messages).index("999") < texts(messages).index("When you feel ready")
    assert payloads(messages) == ["/refused_assessment"]


def test_did_you_mean_offers_the_likely_topics_and_something_else():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "refused_assessment", "confidence": 0.31},
        {"name": "greet", "confidence": 0.2},
        {"name": "ask_tribunal", "confidence": 0.12},
        {"name": "refused_reassessment", "confidence": 0.08},
        {"name": "plan_ceasing", "confidence": 0.06},
    ]
    messages, events = run(ActionDidYouMean(), tracker("nlu_fallback", ranking=ranking))
    assert "Did you mean" in texts(messages) and "did not understand" not in texts(messages)
    assert payloads(messages) == ["/refused_assessment", "/ask_tribunal", "/refused_reassessment", "/deny"]
    assert messages[0]["buttons"][-1]["title"] == "Something else"
    assert events == []


def test_did_you_mean_asks_between_two_close_disagreements():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "refused_assessment", "confidence": 0.48},
        {"name": "refused_reassessment", "confidence": 0.42},
        {"name": "greet", "confidence": 0.05},
    ]
    messages, _ = run(ActionDidYouMean(), tracker("nlu_fallback", ranking=ranking))
    assert "Which of these" in texts(messages)
    assert payloads(messages) == ["/refused_assessment", "/refused_reassessment", "/deny"]


def test_did_you_mean_with_no_likely_topic_asks_for_other_words():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.3}]
    messages, _ = run(ActionDidYouMean(), tracker("nlu_fallback", ranking=ranking))
    assert "other words" in texts(messages)
    assert len(payloads(messages)) >= 4


def test_something_else_asks_them_to_say_it_another_way():
    messages, events = run(ActionAskRephrase(), tracker("deny"))
    assert "in your own words" in texts(messages) and events == []


def test_final_fallback_offers_every_disagreement_and_the_phone_numbers():
    messages, _ = run(ActionFallbackHelp(), tracker("nlu_fallback", ranking=[]))
    text = texts(messages)
    assert all(number in text for number in ("01922 652871", "01922 650330", "01922 650000", "999"))
    assert {f"/{d}" for d in CONTENT.disagreements} <= set(payloads(messages))
    assert "/request_human" in payloads(messages)


def test_out_of_scope_points_to_the_council():
    messages, _ = run(ActionOutOfScope(), tracker("out_of_scope"))
    assert "01922 650000" in texts(messages)
    assert payloads(messages) == []


def test_out_of_scope_offers_a_disagreement_nlu_also_considered():
    ranking = [{"name": "out_of_scope", "confidence": 0.6}, {"name": "disagree_placement", "confidence": 0.3}]
    messages, _ = run(ActionOutOfScope(), tracker("out_of_scope", ranking=ranking))
    assert "01922 650000" in texts(messages)
    assert payloads(messages) == ["/disagree_placement"]


def test_session_start_introduces_the_assistant_and_asks_for_no_personal_details(monkeypatch):
    monkeypatch.setenv("SEND_RETENTION_DAYS", "21")
    messages, events = run(ActionSessionStart(), tracker("greet"))
    text = texts(messages)
    assert "automated assistant" in text and "not a person" in text
    assert "names, dates of birth or case numbers" in text
    assert "We keep it for 21 days" in text
    # Said before anything is typed: who may read what, and what it cannot do.
    assert "unless you ask for a callback and agree" in text
    assert "messages I could not answer, with personal details taken out" in text
    assert "cannot report a worry about a child's safety" in text
    assert "call 999 now" in text
    assert [e["event"] for e in events] == ["session_started", "action"]


def test_an_action_that_fails_still_replies(monkeypatch):
    def broken():
        raise RuntimeError("content unreadable")

    monkeypatch.setattr(base, "get_content", broken)
    messages, events = run(ActionExplainRoutes(), tracker("refused_assessment"))
    assert texts(messages) == base.APOLOGY
    assert events == []
