"""The crisis reply. Rules make it pre-empt everything else in the conversation."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import ReplyAction, intent_ranking
from actions.callback_actions import forget_draft, leave_form
from advice import replies
from advice.content import Content

# If the message also described a disagreement this clearly, offer to come back to it.
RESUME_CONFIDENCE = 0.3


class ActionCrisis(ReplyAction):
    """Emergency and support numbers first; then, if the family also described a disagreement, a way back to it."""

    action_name = "action_crisis"

    def respond(self, content: Content, tracker: Tracker):
        messages = replies.crisis_reply(content)
        others = [r for r in intent_ranking(tracker) if r.get("name") != "crisis"]
        if (
            others
            and others[0].get("name") in content.disagreements
            and others[0].get("confidence", 0) >= RESUME_CONFIDENCE
        ):
            messages += replies.resume_reply(content, others[0]["name"])
        return messages, leave_any_form(tracker)


def leave_any_form(tracker: Tracker) -> list:
    """A crisis ends a form (e.g. a callback request): safety first, no more questions.

    Any callback answers held for this conversation are forgotten at once.
    """
    forget_draft(tracker)
    return leave_form(tracker) if tracker.active_loop.get("name") else []
