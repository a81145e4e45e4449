"""Conversation-level actions: the opening message, not understood, out of scope."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted

from actions import replies
from actions.base import ReplyAction, intent_ranking
from actions.callback_actions import forget_draft
from actions.content import Content
from enquiries.db import retention_days

# When NLU is unsure, offer the disagreement types it was torn between, if any
# of them reached this confidence.
CANDIDATE_CONFIDENCE = 0.15
MAX_CANDIDATES = 3


class ActionSessionStart(ReplyAction):
    """Opens every conversation: automated, what it can do, share no personal details.

    Slots are not carried over from an earlier session, and callback answers
    held from it are forgotten: we keep no more than we need.
    """

    action_name = "action_session_start"

    def respond(self, content: Content, tracker: Tracker):
        forget_draft(tracker)
        return (replies.intro_reply(content, retention_days()),
                [SessionStarted(), ActionExecuted("action_listen")])


def candidate_disagreements(ranking: List[dict], known: List[str]) -> List[str]:
    """The likely disagreement types in an NLU ranking, most likely first."""
    out = []
    for entry in ranking:
        name, confidence = entry.get("name"), entry.get("confidence", 0.0)
        if name in known and confidence >= CANDIDATE_CONFIDENCE and name not in out:
            out.append(name)
    return out[:MAX_CANDIDATES]


class ActionFallbackHelp(ReplyAction):
    """Not sure what the family means: ask, with buttons, never guess a route."""

    action_name = "action_fallback_help"

    def respond(self, content: Content, tracker: Tracker):
        candidates = candidate_disagreements(intent_ranking(tracker), list(content.disagreements))
        return replies.fallback_reply(content, candidates), []


class ActionOutOfScope(ReplyAction):
    """Not about SEND disagreements: say so kindly and point to the council.

    NLU sometimes files a real SEND question here, so any disagreement type it
    also considered is offered as a button rather than lost.
    """

    action_name = "action_out_of_scope"

    def respond(self, content: Content, tracker: Tracker):
        candidates = candidate_disagreements(intent_ranking(tracker), list(content.disagreements))
        return replies.out_of_scope_reply(content, candidates), []
