""" "Did this help?": one light question after the routes reply, and its answers.

The council wants to know whether families found the assistant helpful, per
kind of disagreement, without keeping anything a family writes. So the
question is answered with buttons (or a typed "yes"/"no" right after it), and
each answer is recorded as the value of the ``feedback`` slot: an id, never
text. The monthly report (``python -m enquiries report``) counts those slot
events in the conversation store; nothing else is kept.

The rules, which the actions enforce here rather than in stories:
* asked at most once per conversation (the slot is empty at the start of every
  session, as no slot is carried over);
* never after the crisis reply in the same conversation: a family in that
  situation should not be asked to rate a chatbot;
* "No" offers "What was missing?" with a few reasons and "Talk to someone".

The wording is in ``content/feedback.yml`` (read by :func:`feedback_content`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

from advice.content import CONTENT_DIR, ContentError, tidy
from advice.replies import Button, Message

FEEDBACK_FILE = CONTENT_DIR / "feedback.yml"

SLOT = "feedback"
# Values of the slot: what the report counts (insights/report.py COUNTED).
ASKED, YES, NO = "asked", "yes", "no"
REASON_PREFIX = "reason:"
# The crisis action: after it, the question is never asked in that conversation.
CRISIS_ACTION = "action_crisis"
# Intents that answer the question. The reasons are feedback_<id> (content/feedback.yml).
YES_INTENTS = ("feedback_yes", "affirm")
NO_INTENTS = ("feedback_no", "deny")
REASON_INTENT_PREFIX = "feedback_"
TALK_PAYLOAD = "/request_human"


@functools.lru_cache(maxsize=1)
def feedback_content(path: Path = FEEDBACK_FILE) -> Mapping[str, Any]:
    """content/feedback.yml, read once per process and checked for its parts."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"cannot read {Path(path).name}: {error}") from error
    try:
        parts = [
            data["question"]["text"],
            data["question"]["yes_button"],
            data["question"]["no_button"],
            data["thanks"],
            data["missing"]["text"],
            data["missing"]["talk_button"],
            data["thanks_reason"],
            *data["missing"]["reasons"].values(),
        ]
    except (KeyError, TypeError, AttributeError) as error:
        raise ContentError(f"feedback.yml is missing a part: {error}") from error
    if not all(isinstance(part, str) and part.strip() for part in parts):
        raise ContentError('feedback.yml: every text and button label must be text (put "No" in quotes)')
    return data


def reasons() -> Dict[str, str]:
    """Reason id -> button label, in the order offered."""
    return dict(feedback_content()["missing"]["reasons"])


def reason_intent(reason: str) -> str:
    return f"{REASON_INTENT_PREFIX}{reason}"


def _events_this_session(events: Iterable[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The events since the last session started (a conversation)."""
    events = list(events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index + 1 :]
    return events


def crisis_in_conversation(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the crisis reply was given in this conversation."""
    return any(e.get("event") == "action" and e.get("name") == CRISIS_ACTION for e in _events_this_session(events))


def question_message() -> Message:
    question = feedback_content()["question"]
    return Message(
        question["text"],
        (
            Button(question["yes_button"], "/feedback_yes"),
            Button(question["no_button"], "/feedback_no"),
        ),
    )


def ask(state: Optional[str], events: Iterable[Mapping[str, Any]]) -> Tuple[List[Message], List[Dict[str, Any]]]:
    """The question and its slot event, or nothing (asked already, or after a crisis).

    ``state`` is the ``feedback`` slot; ``events`` the tracker's events (dicts).
    """
    if state is not None or crisis_in_conversation(events):
        return [], []
    return [question_message()], [slot(ASKED)]


def slot(value: str) -> Dict[str, Any]:
    """The event that records an answer (or that the question was asked).

    The dict rasa-sdk's ``SlotSet`` makes, written out so this module needs no Rasa.
    """
    return {"event": "slot", "timestamp": None, "name": SLOT, "value": value}


def answer_of(intent: Optional[str]) -> Optional[str]:
    """YES, NO, REASON_PREFIX + id, or None for an intent that does not answer."""
    if intent in YES_INTENTS:
        return YES
    if intent in NO_INTENTS:
        return NO
    for reason in reasons():
        if intent == reason_intent(reason):
            return REASON_PREFIX + reason
    return None


def missing_message() -> Message:
    missing = feedback_content()["missing"]
    buttons = tuple(Button(label, f"/{reason_intent(reason)}") for reason, label in reasons().items())
    return Message(missing["text"], buttons + (Button(missing["talk_button"], TALK_PAYLOAD),))


def thanks_message() -> Message:
    return Message(tidy(feedback_content()["thanks"]))


def thanks_reason_message() -> Message:
    return Message(tidy(feedback_content()["thanks_reason"]))


def respond(
    intent: Optional[str], state: Optional[str], events: Iterable[Mapping[str, Any]]
) -> Tuple[Optional[List[Message]], List[Dict[str, Any]]]:
    """The reply to an answer, and the slot event that counts it.

    Returns ``(None, [])`` for a typed "yes" or "no" when no question is
    waiting: the caller then answers as it would without the question.
    An answer is counted once: a second press of a button is thanked, not counted.
    """
    answer = answer_of(intent)
    if answer is None:
        return None, []
    typed = intent in ("affirm", "deny")
    if answer in (YES, NO):
        if state != ASKED:
            return (None, []) if typed else ([thanks_message()], [])
        if answer == YES:
            return [thanks_message()], [slot(YES)]
        if crisis_in_conversation(events):
            return [thanks_reason_message()], [slot(NO)]
        return [missing_message()], [slot(NO)]
    # A reason: counted only right after "No".
    return [thanks_reason_message()], ([slot(answer)] if state == NO else [])


def all_feedback_replies(content: Any = None) -> List[Tuple[str, List[Message]]]:
    """Every feedback reply, for `make content-check` and the plain-English test."""
    return [
        ("feedback_question", [question_message()]),
        ("feedback_thanks", [thanks_message()]),
        ("feedback_missing", [missing_message()]),
        ("feedback_thanks_reason", [thanks_reason_message()]),
    ]
