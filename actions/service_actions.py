"""Actions that point a family to a service (a person: actions/callback_actions.py)."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ReplyAction, latest_intent
from advice import replies
from advice.content import Content

# Questions about one named service.
SERVICE_OF_INTENT = {"ask_sendias": "sendias", "ask_prime_resolution": "prime_resolution"}


def named_service(content: Content, tracker: Tracker) -> Optional[str]:
    """The service the family named in this message, if NLU found one we know."""
    for value in tracker.get_latest_entity_values("service"):
        if value in content.services:
            return value
    return None


class ActionPointToService(ReplyAction):
    """SENDIAS, Prime Resolution or the EHC team: who they are and how to reach them."""

    action_name = "action_point_to_service"

    def respond(self, content: Content, tracker: Tracker):
        intent = latest_intent(tracker)
        disagreement = tracker.get_slot("disagreement")
        named = named_service(content, tracker)
        if intent in SERVICE_OF_INTENT:
            service = SERVICE_OF_INTENT[intent]
            return replies.service_reply(content, service), [SlotSet("service", service)]
        # contact_case_officer, or a bare "how do I contact them?"
        service = named or tracker.get_slot("service")
        return replies.contact_reply(content, disagreement, service), []
