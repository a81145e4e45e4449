"""The deadline calculator and the summary in a conversation: the rasa-sdk side.

"When is my deadline?" (intent ``ask_deadline``) opens ``deadline_form``. For
a disagreement that can go neither to the tribunal nor to a claim, the form
says so (replies.deadline_reply) and ends at once. Otherwise it asks, one at
a time and only for what it does not know yet:

* which decision the letter is about (``deadline_kind``), unless the family
  already described an appealable disagreement;
* the date printed on the decision letter, or for a discrimination claim the
  day it happened (``letter_date``); a date in the first message is used;
* whether they have a mediation certificate, and its date (``certificate_date``;
  not asked for a claim).

A date that cannot be used (in the future, over a year ago, unreadable, two
dates) gets a gentle question back, never a deadline built on a guess; the
problem is kept in ``deadline_problem`` so that the question replaces the
usual one. When the form is complete, :class:`ActionExplainDeadlines` gives
the dates and keeps what they were worked out from in ``deadlines_kept`` for
the summary, and the form's own slots are emptied, so the next question
starts afresh. Dates are kept only in these slots, in the conversation's own
store; they are never logged.

A question about something else in the middle is answered, then the form asks
again; "stop", a crisis, "I lost the letter" and a new disagreement end it.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ReplyAction, latest_intent
from advice import deadline_replies, deadlines, feedback, office_hours, replies
from advice.content import Content, get_content
from advice.summary import summary_reply

logger = logging.getLogger(__name__)

FORM = "deadline_form"
KIND, LETTER, CERTIFICATE, PROBLEM = "deadline_kind", "letter_date", "certificate_date", "deadline_problem"
FORM_SLOTS = (KIND, LETTER, CERTIFICATE, PROBLEM)
KEPT = "deadlines_kept"
NO_CERTIFICATE = "none"
# Kept in deadline_kind when the family was not sure which decision it is:
# the rules for most appeals are used, and the answer says so.
NOT_SURE_KIND = "appeal_not_sure"
# Intents that end the form: their own rules answer them.
LEAVE_INTENTS = {"stop", "crisis", "cancel_request", "lost_letter"}
_NOT_SURE = re.compile(r"\b(?:not sure|unsure|dont know|don't know|no idea|dunno|idk)\b", re.I)
_NO = re.compile(r"^\s*(?:no+|nope|nah|not yet|none|i don'?t have (?:one|it)|haven'?t got one)\b", re.I)


def today():
    """Today in the UK (``SEND_NOW`` in tests; see office_hours)."""
    return office_hours.now_in_london().date()


def clear_dates() -> List[EventType]:
    """Forget the dates worked out (a new disagreement: they were for another decision)."""
    return [SlotSet(KEPT, None), *(SlotSet(slot, None) for slot in FORM_SLOTS)]


def leave_deadline_form(tracker: Tracker) -> List[EventType]:
    """End the deadline form if it is open (a lost letter, a new disagreement), forgetting its answers."""
    if tracker.active_loop.get("name") != FORM:
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None), *(SlotSet(slot, None) for slot in FORM_SLOTS)]


def _kind(value: str) -> str:
    return deadlines.APPEAL if value == NOT_SURE_KIND else value


class ValidateDeadlineForm(FormValidationAction):
    """Reads each answer; a date that cannot be used is asked for again, gently."""

    def name(self) -> Text:
        return "validate_deadline_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        """A discrimination claim has no mediation certificate."""
        kind = tracker.get_slot(KIND)
        if kind == deadlines.DISCRIMINATION:
            return [KIND, LETTER]
        return [KIND, LETTER, CERTIFICATE]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        """As rasa-sdk's, but keeps the other slots an answer sets (the problem, the disagreement).

        rasa-sdk returns only the form's own slots; without this, the gentle
        question after an unusable date would be lost.
        """
        content = get_content()
        disagreement = tracker.get_slot("disagreement")
        if (
            tracker.get_slot("requested_slot") is None
            and disagreement in content.disagreements
            and not deadline_replies.kind_of(content, disagreement)
        ):
            # No tribunal deadline for this disagreement: say what applies, and end.
            self._send(dispatcher, replies.deadline_reply(content, disagreement))
            return [SlotSet("requested_slot", None), ActiveLoop(None)]
        if tracker.get_slot("requested_slot") and latest_intent(tracker) == "lost_letter":
            # "I lost the letter" in the middle: its own answer, and the form ends.
            self._send(dispatcher, replies.simple_topic_reply(content, "lost_letter"))
            return leave_deadline_form(tracker)
        extracted = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extracted)
        events = await self._extract_validation_events(dispatcher, tracker, domain)
        form_slots = set(self.domain_slots(domain))
        return events + [event for event in extracted if event["name"] not in form_slots]

    @staticmethod
    def _send(dispatcher: CollectingDispatcher, messages) -> None:
        for message in messages:
            dispatcher.utter_message(**message.as_dict())

    @staticmethod
    def _text(tracker: Tracker) -> str:
        return (tracker.latest_message.get("text") or "").strip()

    def _asked(self, tracker: Tracker, slot: str) -> bool:
        return tracker.get_slot("requested_slot") == slot and latest_intent(tracker) not in LEAVE_INTENTS

    async def extract_deadline_kind(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        content = get_content()
        if tracker.get_slot(KIND):
            return {}
        if tracker.get_slot("requested_slot") is None:  # opening the form
            kind = deadline_replies.kind_of(content, tracker.get_slot("disagreement"))
            return {KIND: kind} if kind else {}
        if not self._asked(tracker, KIND):
            return {}
        intent = latest_intent(tracker)
        kind = deadline_replies.kind_of(content, intent)
        if kind:
            return {KIND: kind, "disagreement": intent}
        if _NOT_SURE.search(self._text(tracker)) or self._text(tracker) == deadline_replies.NOT_SURE:
            return {KIND: NOT_SURE_KIND}
        if intent in content.disagreements or intent in ("ask_mediation", "ask_tribunal"):
            return {}  # another question: answered by its rule, then asked again
        return {KIND: None}

    def _read(self, tracker: Tracker, **kwargs) -> Optional[deadlines.DateReading]:
        """The date in this message; None when the message is about something else."""
        reading = deadlines.read_date(self._text(tracker), today(), **kwargs)
        if reading.ok or reading.dates_found or reading.reason != deadlines.UNREADABLE:
            return reading
        intent = latest_intent(tracker)
        content = get_content()
        # A question or a new disagreement with no date in it: let its rule answer.
        if intent in content.disagreements or intent in ANSWERED_ELSEWHERE:
            return None
        return reading

    async def extract_letter_date(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot(LETTER):
            return {}
        # A letter's date is the one printed on it; a claim's is the day it happened.
        printed = tracker.get_slot(KIND) != deadlines.DISCRIMINATION
        if tracker.get_slot("requested_slot") is None:
            # "When is my deadline? The letter is dated 18 March": use the date if there is one.
            reading = deadlines.read_date(self._text(tracker), today(), printed=printed)
            if reading.ok:
                return {LETTER: reading.as_slot()}
            # A date that cannot be used ("got it on Monday"): the question says why.
            return {PROBLEM: reading.as_slot()} if reading.dates_found else {}
        if not self._asked(tracker, LETTER):
            return {}
        answer = self._read(tracker, printed=printed)
        if answer is None:
            return {}
        if not answer.ok:
            return {LETTER: None, PROBLEM: answer.as_slot()}
        return {LETTER: answer.as_slot(), PROBLEM: None}

    async def extract_certificate_date(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot(CERTIFICATE) or not self._asked(tracker, CERTIFICATE):
            return {}
        text = self._text(tracker)
        if latest_intent(tracker) == "deny" or _NO.search(text):
            return {CERTIFICATE: NO_CERTIFICATE, PROBLEM: None}
        letter = deadlines.DateReading.from_slot(tracker.get_slot(LETTER))
        reading = self._read(
            tracker, printed=True, not_before=letter.date if letter is not None and letter.ok else None
        )
        if reading is None:
            return {}
        if not reading.ok:
            return {CERTIFICATE: None, PROBLEM: reading.as_slot()}
        return {CERTIFICATE: reading.as_slot(), PROBLEM: None}


# Messages that are about something else when no date is in them.
ANSWERED_ELSEWHERE = {
    "ask_mediation_vs_dr",
    "ask_disagreement_resolution",
    "ask_mediation",
    "ask_tribunal",
    "ask_sendias",
    "ask_prime_resolution",
    "ask_advocate",
    "contact_case_officer",
    "request_human",
    "ask_cost",
    "ask_draft_plan",
    "ask_young_person",
    "ask_mediation_day",
    "request_summary",
    "request_callback",
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "my_data",
}


class _AskAction(Action):
    """Asks the form's question for one slot; after an unusable date, the gentle question instead."""

    slot = ""
    # Whether this question answers a date problem (then it is forgotten).
    reads_problem = True

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def messages(self, content: Content, tracker: Tracker, problem: Optional[deadlines.DateReading]):
        raise NotImplementedError

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        content = get_content()
        problem = deadlines.DateReading.from_slot(tracker.get_slot(PROBLEM)) if self.reads_problem else None
        for message in self.messages(content, tracker, problem):
            dispatcher.utter_message(**message.as_dict())
        return [SlotSet(PROBLEM, None)] if problem is not None else []


class ActionAskDeadlineKind(_AskAction):
    slot = KIND
    reads_problem = False  # a date already given waits for the date question

    def messages(self, content, tracker, problem):
        return deadline_replies.ask_kind_reply(content)


class ActionAskLetterDate(_AskAction):
    slot = LETTER

    def messages(self, content, tracker, problem):
        # Asked for the first time (the form had not asked for the date yet): the rules come first.
        first = tracker.get_slot("requested_slot") != LETTER
        return deadline_replies.ask_date_reply(
            content, _kind(tracker.get_slot(KIND)), problem, first=first, disagreement=tracker.get_slot("disagreement")
        )


class ActionAskCertificateDate(_AskAction):
    slot = CERTIFICATE

    def messages(self, content, tracker, problem):
        return deadline_replies.ask_certificate_reply(content, problem)


def _kept(value: Any):
    """(kind, letter, certificate) from what the form kept, or None."""
    if not isinstance(value, dict):
        return None
    kind = value.get("kind")
    letter = deadlines.DateReading.from_slot(value.get("letter"))
    if kind not in (*deadlines.KINDS, NOT_SURE_KIND) or letter is None or not letter.ok:
        return None
    return kind, letter, deadlines.DateReading.from_slot(value.get("certificate"))


class ActionExplainDeadlines(ReplyAction):
    """The end of the form: the dates, how they were counted, and what to do now.

    What they were worked out from is kept in ``deadlines_kept`` for the
    summary; the form's own slots are emptied for the next question.
    """

    action_name = "action_explain_deadlines"

    def respond(self, content: Content, tracker: Tracker):
        answers = {
            "kind": tracker.get_slot(KIND),
            "letter": tracker.get_slot(LETTER),
            "certificate": tracker.get_slot(CERTIFICATE),
        }
        kept = _kept(answers)
        empty = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if kept is None:  # the form ended early (no deadline for this, a lost letter): already answered
            return [], empty
        kind, letter, certificate = kept
        try:
            messages = deadline_replies.dates_reply(
                content, _kind(kind), letter, certificate, today(), not_sure=kind == NOT_SURE_KIND
            )
        except ValueError:
            # A date no longer usable (the conversation went on past midnight, a
            # year after the letter, say): the general rules, never a guess.
            return replies.deadline_reply(content, tracker.get_slot("disagreement")), empty
        return messages, [SlotSet(KEPT, answers), *empty]


class ActionSummary(ReplyAction):
    """'Send me a summary': the steps, the dates and the contacts in one message to keep."""

    action_name = "action_summary"

    def respond(self, content: Content, tracker: Tracker):
        disagreement = tracker.get_slot("disagreement")
        worked = None
        kept = _kept(tracker.get_slot(KEPT))
        if kept is not None and disagreement in content.disagreements:
            kind, letter, certificate = kept
            try:
                worked = deadline_replies.work_out(_kind(kind), letter, certificate, today())
            except ValueError:
                worked = None
        messages = summary_reply(content, disagreement, today(), worked)
        if disagreement not in content.disagreements:
            return messages, []
        # "Did this help?" after the summary too, unless already asked (advice/feedback.py).
        question, asked = feedback.ask(tracker.get_slot(feedback.SLOT), tracker.events)
        return messages + question, asked
