"""The answers to "Did this help?" (the question itself comes with the routes reply)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import APOLOGY, latest_intent
from advice import feedback

logger = logging.getLogger(__name__)

# A typed "yes" or "no" when no question is waiting gets the usual small-talk reply.
USUAL_REPLY = {"affirm": "utter_affirm", "deny": "utter_deny"}


class ActionFeedback(Action):
    """Counts a Yes, No or reason (as the ``feedback`` slot) and answers it."""

    def name(self) -> Text:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = latest_intent(tracker)
        try:
            messages, events = feedback.respond(intent, tracker.get_slot(feedback.SLOT), tracker.events)
        except Exception:  # noqa: BLE001 - the family must never get silence
            logger.exception("action_feedback failed")
            dispatcher.utter_message(text=APOLOGY)
            return []
        if messages is None:
            dispatcher.utter_message(response=USUAL_REPLY.get(intent or "", "utter_affirm"))
            return []
        for message in messages:
            dispatcher.utter_message(**message.as_dict())
        return events
