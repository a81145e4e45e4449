"""The base class for every custom action: read the tracker, reply, never go silent.

If composing a reply fails (for example a content file was edited into an
inconsistent state), the family still gets a short apology instead of
nothing, and the log says which action failed without any message text.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from advice.content import Content, get_content
from advice.replies import Message

logger = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on my side. Please try again in a moment. "
    "Walsall SENDIAS can also give you free advice."
)


class ReplyAction(Action):
    """An action whose :meth:`respond` returns messages and slot events."""

    action_name: str = ""

    def name(self) -> Text:
        return self.action_name

    def respond(self, content: Content, tracker: Tracker) -> tuple[Sequence[Message], List[Dict[Text, Any]]]:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            messages, events = self.respond(get_content(), tracker)
        except Exception:  # noqa: BLE001 - the family must never get silence
            logger.exception("action %s failed", self.name())
            dispatcher.utter_message(text=APOLOGY)
            return []
        for message in messages:
            dispatcher.utter_message(**message.as_dict())
        return events


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def intent_ranking(tracker: Tracker) -> List[Dict[Text, Any]]:
    return list(tracker.latest_message.get("intent_ranking") or [])
