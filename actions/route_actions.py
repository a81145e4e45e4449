"""Actions about a disagreement: its routes, and follow-up questions answered for it."""
from __future__ import annotations

from typing import Callable, Dict, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import feedback, replies
from actions.base import ReplyAction, latest_intent
from actions.content import Content


class ActionExplainRoutes(ReplyAction):
    """The first reply to a disagreement: the routes that fit it, in order.

    Remembers the disagreement (slot ``disagreement``) for follow-up questions.
    Then asks "Did this help?" once per conversation (actions/feedback.py).
    """

    action_name = "action_explain_routes"

    def respond(self, content: Content, tracker: Tracker):
        intent = latest_intent(tracker)
        if intent not in content.disagreements:
            return replies.fallback_reply(content), []
        question, asked = feedback.ask(tracker.get_slot(feedback.SLOT), tracker.events)
        return replies.routes_reply(content, intent) + question, [
            SlotSet("disagreement", intent),
            SlotSet("service", None),
            *asked,
        ]


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
    advocates, cost, a lost letter, a draft plan or a young person's own rights."""

    action_name = "action_answer_question"

    def respond(self, content: Content, tracker: Tracker):
        intent = latest_intent(tracker)
        answer = ANSWERS.get(intent or "")
        if answer is None:
            return replies.fallback_reply(content), []
        disagreement = tracker.get_slot("disagreement")
        return answer(content, disagreement), [SlotSet("service", ANSWER_SERVICE.get(intent))]
