"""Conversation-level actions: the opening message, not understood (two stages), out of scope, another language."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted

from actions.base import ReplyAction, intent_ranking
from actions.callback_actions import forget_draft
from advice import fallback, replies
from advice.content import Content
from storage.db import retention_days

# An out-of-scope reply also offers the disagreement types NLU considered, if
# any of them reached this confidence.
CANDIDATE_CONFIDENCE = 0.15
MAX_CANDIDATES = 3
# The entity addons/language_detector.py sets with the code of the language.
LANGUAGE_ENTITY = "language"


class ActionSessionStart(ReplyAction):
    """Opens every conversation: automated, what it can do, share no personal details.

    Slots are not carried over from an earlier session, and callback answers
    held from it are forgotten: we keep no more than we need.
    """

    action_name = "action_session_start"

    def respond(self, content: Content, tracker: Tracker):
        forget_draft(tracker)
        return (replies.intro_reply(content, retention_days()), [SessionStarted(), ActionExecuted("action_listen")])


def candidate_disagreements(ranking: List[dict], known: List[str]) -> List[str]:
    """The likely disagreement types in an NLU ranking, most likely first."""
    out = []
    for entry in ranking:
        name, confidence = entry.get("name"), entry.get("confidence", 0.0)
        if name in known and confidence >= CANDIDATE_CONFIDENCE and name not in out:
            out.append(name)
    return out[:MAX_CANDIDATES]


class ActionDidYouMean(ReplyAction):
    """NLU is unsure: "Did you mean" with the likely topics, never a guessed route.

    The first stage of the two-stage fallback (advice/fallback.py): the two
    or three most likely topics, or the two that were too close to call, and
    "Something else"; or, with no likely topic, a request to say it another
    way with the main topics. The insights report counts this action.
    """

    action_name = "action_did_you_mean"

    def respond(self, content: Content, tracker: Tracker):
        stage = fallback.first_stage(
            intent_ranking(tracker), frozenset(content.titled_intents()), fallback.thresholds()
        )
        return replies.did_you_mean_reply(content, stage), []


class ActionAskRephrase(ReplyAction):
    """After "Something else" (or "no") under "Did you mean": please say it another way."""

    action_name = "action_ask_rephrase"

    def respond(self, content: Content, tracker: Tracker):
        return replies.rephrase_reply(content), []


class ActionFallbackHelp(ReplyAction):
    """Still not understood (or the dialogue policies are unsure): every topic and the phone numbers.

    Never a dead end: the family can choose any topic, or phone a person.
    """

    action_name = "action_fallback_help"

    def respond(self, content: Content, tracker: Tracker):
        return replies.fallback_reply(content), []


class ActionOutOfScope(ReplyAction):
    """Not about SEND disagreements: say so kindly and point to the council.

    NLU sometimes files a real SEND question here, so any disagreement type it
    also considered is offered as a button rather than lost.
    """

    action_name = "action_out_of_scope"

    def respond(self, content: Content, tracker: Tracker):
        candidates = candidate_disagreements(intent_ranking(tracker), list(content.disagreements))
        return replies.out_of_scope_reply(content, candidates), []


def detected_language(tracker: Tracker) -> str:
    """The language code the NLU pipeline found (addons/language_detector.py), or ''."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == LANGUAGE_ENTITY and entity.get("value"):
            return str(entity["value"])
    return ""


class ActionOtherLanguage(ReplyAction):
    """The family wrote in another language: one short message in it (content/languages.yml).

    It says this assistant works in English, how to reach the SEND team and
    SENDIAS, who can arrange an interpreter, and to write in English words if
    they can. Punjabi or Urdu in Latin letters gets the English version, with
    any disagreement the model also saw as a button. Without a language we
    know, the "not understood" reply.
    """

    action_name = "action_other_language"

    def respond(self, content: Content, tracker: Tracker):
        language = detected_language(tracker)
        if language in content.languages:
            return replies.other_language_reply(content, language), []
        candidates = candidate_disagreements(intent_ranking(tracker), list(content.disagreements))
        if language == replies.ROMANISED:
            return replies.other_language_reply(content, language, candidates), []
        return replies.fallback_reply(content), []
