"""Actions about a disagreement: its routes, and follow-up questions answered for it."""

from __future__ import annotations

from typing import Callable, Dict, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ReplyAction, intent_ranking, latest_intent
from actions.deadline_actions import clear_dates, leave_deadline_form
from advice import fallback, feedback, replies
from advice.content import Content


class ActionExplainRoutes(ReplyAction):
    """The first reply to a disagreement: the routes that fit it, in order.

    Remembers the disagreement (slot ``disagreement``) for follow-up questions.
    If the message also seemed to name another disagreement, offers it as a
    button (:func:`also_mentioned`). Then asks "Did this help?" once per
    conversation (advice/feedback.py).
    """

    action_name = "action_explain_routes"

    def respond(self, content: Content, tracker: Tracker):
        intent = latest_intent(tracker)
        if intent not in content.disagreements:
            return replies.fallback_reply(content), []
        events = [SlotSet("disagreement", intent), SlotSet("service", None)]
        if intent != tracker.get_slot("disagreement"):
            # Dates worked out for another decision must not follow this one.
            events += [*clear_dates(), *leave_deadline_form(tracker)]
        question, asked = feedback.ask(tracker.get_slot(feedback.SLOT), tracker.events)
        # intent is one of the disagreements here (checked above), so never None.
        messages = replies.routes_reply(content, intent) + also_mentioned(content, tracker, intent) + question  # type: ignore[arg-type]
        return messages, [*events, *asked]


def also_mentioned(content: Content, tracker: Tracker, main: str) -> list:
    """'You may also have mentioned another problem' with its button, or nothing (advice/fallback.py).

    Not the disagreement the conversation is already about: a question about
    it ("how long do I have to appeal the refusal?") names it again.
    """
    other = fallback.also_mentioned(intent_ranking(tracker), main, content.disagreements, fallback.thresholds())
    if other is None or other == tracker.get_slot("disagreement"):
        return []
    return replies.also_mentioned_reply(content, other)


class ActionExplainMediationVsDr(ReplyAction):
    """The difference between mediation and disagreement resolution."""

    action_name = "action_explain_mediation_vs_dr"

    def respond(self, content: Content, tracker: Tracker):
        return replies.mediation_vs_dr_reply(content), [SlotSet("service", "prime_resolution")]


Answer = Callable[[Content, Optional[str]], list]

# Question intent -> the reply, given the disagreement from earlier in the conversation.
ANSWERS: Dict[str, Answer] = {
    "ask_disagreement_resolution": replies.disagreement_resolution_reply,
    "ask_mediation": replies.mediation_reply,
    "ask_tribunal": replies.tribunal_reply,
    "ask_deadline": replies.deadline_reply,
    "ask_advocate": lambda content, _: replies.simple_topic_reply(content, "advocate"),
    "ask_cost": lambda content, _: replies.simple_topic_reply(content, "cost"),
    "ask_mediation_day": lambda content, _: replies.simple_topic_reply(content, "mediation_day"),
    "lost_letter": lambda content, _: replies.simple_topic_reply(content, "lost_letter"),
    "ask_draft_plan": lambda content, _: replies.simple_topic_reply(content, "draft_plan"),
    "ask_young_person": lambda content, _: replies.simple_topic_reply(content, "young_person"),
}

# Which service "them" means after each answer ("how do I contact them?").
ANSWER_SERVICE = {
    "ask_disagreement_resolution": "prime_resolution",
    "ask_mediation": "prime_resolution",
    "ask_tribunal": "tribunal",
    "ask_advocate": "sendias",
    "ask_mediation_day": "prime_resolution",
    "lost_letter": "ehc_team",
    "ask_draft_plan": "ehc_team",
    "ask_young_person": "sendias",
}


class ActionAnswerQuestion(ReplyAction):
    """Answers a question about mediation, disagreement resolution, appeals, deadlines,
    advocates, cost, a lost letter, a draft plan or a young person's own rights.

    A disagreement named in the same message ("they refused to assess, how
    long do I have?") is offered as a button after the answer.
    """

    action_name = "action_answer_question"

    def respond(self, content: Content, tracker: Tracker):
        intent = latest_intent(tracker)
        answer = ANSWERS.get(intent or "")
        if answer is None:
            return replies.fallback_reply(content), []
        disagreement = tracker.get_slot("disagreement")
        # intent is a key of ANSWERS here (checked above), so never None.
        asked: str = intent  # type: ignore[assignment]
        return answer(content, disagreement) + also_mentioned(content, tracker, asked), [
            SlotSet("service", ANSWER_SERVICE.get(asked))
        ]
