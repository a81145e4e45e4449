"""Talking to a person and callback requests: the rasa-sdk side.

The form ``callback_form`` (domain.yml) asks, one at a time: what it is about,
how to contact the family, the number or address, a good time, and consent.
``validate_callback_form`` reads each answer (its ``extract_*`` methods) and
re-asks with a clear message when an answer is not usable. Nothing is stored
until the family agrees; the request is confirmed only after it is committed.
"stop" and crisis messages leave the form at any step (rules in
data/rules/callback.yml): the extractors ignore them so that the form rejects
the turn and the rules take over.

The answers that may be personal (what it is about, the number or address, a
good time) are never put in slots, which Rasa stores: they are held in the
action server's draft store (storage/drafts.py), and the slot gets only a
marker. The submit action reads them from there; "stop", consent "no", a
crisis, "cancel", a new session and the end of the form delete the draft.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import APOLOGY, latest_intent
from advice import callback, office_hours
from advice.callback import FORM_SLOTS
from advice.content import Content, get_content
from advice.replies import Message, contacts_for
from enquiries.notify import notify_team
from enquiries.store import EnquiryStore, StoreUnavailable
from storage import drafts
from storage.db import retention_days

logger = logging.getLogger(__name__)

# Intents that must not be taken as an answer: the rules handle them instead.
LEAVE_FORM_INTENTS = {"stop", "crisis", "cancel_request"}
WHATSAPP = "whatsapp"

_store: Optional[EnquiryStore] = None


def store() -> EnquiryStore:
    """One store (and database connection pool) per action server process."""
    global _store
    if _store is None:
        _store = EnquiryStore()
    return _store


def _send(dispatcher: CollectingDispatcher, messages: List[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(**message.as_dict())


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _on_whatsapp(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() == WHATSAPP


def _whatsapp_number(tracker: Tracker) -> Optional[str]:
    """The family's number, passed by the WhatsApp channel for this message only."""
    metadata = tracker.latest_message.get("metadata") or {}
    number = metadata.get("whatsapp_number")
    return callback.normalise_uk_phone(number) if isinstance(number, str) else None


def _label(content: Content, tracker: Tracker) -> Optional[str]:
    spec = content.disagreements.get(tracker.get_slot("disagreement") or "")
    return spec["label"] if spec else None


def team_status(content: Content, now: datetime) -> Tuple[str, bool]:
    """('The EHC Assessment Team is closed now. It opens again ...', is_open) for the callback team."""
    service_id = content.callback["service"]
    return service_status(content, service_id, now)


def service_status(content: Content, service_id: str, now: datetime) -> Tuple[str, bool]:
    return callback.status_sentence(content, service_id, now)


def _clear_form(tracker: Tracker) -> List[EventType]:
    """Forget the form's answers: the held draft at once, and the slots."""
    forget_draft(tracker)
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


def forget_draft(tracker: Tracker) -> None:
    drafts.default_store().delete(tracker.sender_id)


def leave_form(tracker: Tracker) -> List[EventType]:
    """End the callback form now and forget its answers."""
    return [ActiveLoop(None), SlotSet("requested_slot", None), *_clear_form(tracker)]


def _held(tracker: Tracker, slot: str, value: Optional[str]) -> Dict[Text, Any]:
    """Hold an answer in the draft store; the slot gets only the marker (or None: ask again)."""
    if value is None:
        return {slot: None}
    drafts.default_store().put(tracker.sender_id, slot, value)
    return {slot: drafts.MARKER}


class ActionTalkToSomeone(Action):
    """'I want to talk to someone': the right people, whether they are open, and a callback offer."""

    def name(self) -> Text:
        return "action_talk_to_someone"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        content = get_content()
        try:
            now = office_hours.now_in_london()
            disagreement = tracker.get_slot("disagreement")
            statuses = [
                service_status(content, s, now)
                for s in contacts_for(content, disagreement)
                if office_hours.has_hours(s)
            ]
            _, team_open = team_status(content, now)
            _send(dispatcher, callback.talk_reply(content, disagreement, statuses, team_open))
        except Exception:  # noqa: BLE001 - never leave the family with nothing
            logger.exception("action_talk_to_someone failed")
            dispatcher.utter_message(text=APOLOGY)
        return []


class ValidateCallbackForm(FormValidationAction):
    """Reads and checks each answer; an unusable one is re-asked with a reason."""

    def name(self) -> Text:
        return "validate_callback_form"

    @staticmethod
    def _answer(tracker: Tracker, slot: str) -> Optional[str]:
        """The text answering ``slot`` now, or None if this message is not an answer to it."""
        if tracker.get_slot("requested_slot") != slot:
            return None
        if latest_intent(tracker) in LEAVE_FORM_INTENTS:
            return None
        return _text(tracker).strip() or None

    async def extract_callback_topic(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "callback_topic")
        if text is None:
            return {}
        label = _label(get_content(), tracker)
        if label and (latest_intent(tracker) == "affirm" or text == label):
            return _held(tracker, "callback_topic", label)
        if latest_intent(tracker) == "deny":  # "no, not that": ask again, without the guess
            return {"callback_topic": None}
        return _held(tracker, "callback_topic", callback.short_text(text, callback.MAX_TOPIC_CHARS))

    async def extract_contact_method(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "contact_method")
        if text is None:
            return {}
        # A number or address typed straight away answers both questions.
        if callback.normalise_uk_phone(text):
            return {"contact_method": "phone", **_held(tracker, "contact_detail", callback.normalise_uk_phone(text))}
        if callback.normalise_email(text):
            return {"contact_method": "email", **_held(tracker, "contact_detail", callback.normalise_email(text))}
        method = callback.parse_method(text, whatsapp_allowed=_on_whatsapp(tracker))
        if method is None:
            _send(dispatcher, callback.plain_reply(get_content(), "invalid", "contact_method"))
            return {"contact_method": None}
        if method == WHATSAPP:
            number = _whatsapp_number(tracker)
            if number:
                return {"contact_method": WHATSAPP, **_held(tracker, "contact_detail", number)}
            method = "phone"  # ask them to type it
        return {"contact_method": method}

    async def extract_contact_detail(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "contact_detail")
        if text is None:
            return {}
        if tracker.get_slot("contact_method") == "email":
            value, problem = callback.normalise_email(text), "email"
        else:
            value, problem = callback.normalise_uk_phone(text), "phone"
        if value is None:
            _send(dispatcher, callback.plain_reply(get_content(), "invalid", problem))
        return _held(tracker, "contact_detail", value)

    async def extract_good_time(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "good_time")
        if text is None:
            return {}
        return _held(tracker, "good_time", callback.short_text(text, callback.MAX_TIME_CHARS))

    async def extract_consent(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "consent")
        if text is None:
            return {}
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {"consent": "yes"}
        if intent == "deny":
            return {"consent": "no"}
        _send(dispatcher, callback.plain_reply(get_content(), "invalid", "consent"))
        return {"consent": None}


class _AskAction(Action):
    """Asks the form's question for one slot (text and buttons from content/callback.yml)."""

    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        content = get_content()
        _send(
            dispatcher,
            callback.ask_reply(
                content,
                self.slot,
                # After "no, not that" the guess is not offered again.
                label=None if latest_intent(tracker) == "deny" else _label(content, tracker),
                method=tracker.get_slot("contact_method"),
                whatsapp_allowed=_on_whatsapp(tracker),
                days=retention_days(),
            ),
        )
        return []


class ActionAskCallbackTopic(_AskAction):
    slot = "callback_topic"


class ActionAskContactMethod(_AskAction):
    slot = "contact_method"


class ActionAskContactDetail(_AskAction):
    slot = "contact_detail"


class ActionAskGoodTime(_AskAction):
    slot = "good_time"


class ActionAskConsent(_AskAction):
    slot = "consent"


class ActionSubmitCallback(Action):
    """Stores the request only with consent, and confirms only once it is committed.

    The answers come from the draft store. If some are gone (the action
    server restarted, or the family was away longer than the draft's time
    limit), nothing is stored: the family is told, and the form asks again
    for what is missing, then for consent.

    Once stored, the draft keeps only the reference (:data:`drafts.SUBMITTED`),
    so the same consent handled twice (a Rasa server that died after this
    action, its message retried on another) stores one request and gives the
    same reference.
    """

    def name(self) -> Text:
        return "action_submit_callback"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        content = get_content()
        if tracker.get_slot("consent") != "yes":
            _send(dispatcher, callback.plain_reply(content, "no_consent"))
            return _clear_form(tracker)
        answers = drafts.default_store().get(tracker.sender_id)
        already = answers.get(drafts.SUBMITTED)
        if already and not any(answers.get(slot) for slot in drafts.ANSWER_SLOTS):
            # This consent was answered already: a Rasa server stored the request
            # and then died before saving the conversation, and another server is
            # handling the same message again (nginx retries it). Same reference, no
            # second request.
            sentence, team_open = team_status(content, office_hours.now_in_london())
            _send(
                dispatcher, callback.done_reply(content, already, sentence, team_open, tracker.get_slot("disagreement"))
            )
            # The reference stays held, so a third try still gets the same one.
            return [SlotSet(slot, None) for slot in FORM_SLOTS]
        missing = [slot for slot in drafts.ANSWER_SLOTS if not answers.get(slot)]
        if missing:
            _send(dispatcher, callback.plain_reply(content, "draft_lost"))
            if "contact_detail" in missing:
                missing.append("contact_method")  # so "WhatsApp, on this number" works again
            return [
                *(SlotSet(slot, None) for slot in missing),
                SlotSet("consent", None),
                FollowupAction("callback_form"),
            ]
        loop = asyncio.get_running_loop()
        try:
            enquiry = await loop.run_in_executor(
                None,
                lambda: store().create(
                    about=answers["callback_topic"],
                    contact_method=tracker.get_slot("contact_method") or "",
                    contact_detail=answers["contact_detail"],
                    good_time=answers["good_time"],
                    channel=tracker.get_latest_input_channel() or "unknown",
                    consent_text=callback.consent_text(content, retention_days()),
                    consent_at=datetime.now().astimezone(),
                    conversation=tracker.sender_id,
                ),
            )
        except StoreUnavailable:
            logger.error("A callback request could not be stored: the database is unavailable.")
            _send(dispatcher, callback.plain_reply(content, "store_down"))
            return _clear_form(tracker)
        # The request is committed: tell the team, but never let that hold up the family.
        loop.run_in_executor(None, notify_team, enquiry)
        sentence, team_open = team_status(content, office_hours.now_in_london())
        _send(
            dispatcher,
            callback.done_reply(content, enquiry.reference, sentence, team_open, tracker.get_slot("disagreement")),
        )
        # The answers are forgotten; only the reference is held, until the draft's
        # time runs out, so the same message handled again gets the same reference.
        forget_draft(tracker)
        drafts.default_store().put(tracker.sender_id, drafts.SUBMITTED, enquiry.reference)
        return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionStopCallback(Action):
    """'Stop': during a request, leave it, keep nothing and give the numbers; otherwise just OK."""

    def name(self) -> Text:
        return "action_stop_callback"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        forget_draft(tracker)
        if tracker.active_loop.get("name") != "callback_form":
            # Nothing to stop, or the deadline calculator (it keeps no contact details).
            _send(dispatcher, callback.plain_reply(get_content(), "stopped_nothing"))
            return leave_form(tracker) if tracker.active_loop.get("name") else []
        _send(dispatcher, callback.plain_reply(get_content(), "stopped"))
        return leave_form(tracker)


class ActionCancelRequest(Action):
    """'Cancel my request WS-7K3Q-X9PM': withdraw it and delete its personal details.

    Only the conversation that made a request can cancel it, and the reply is
    the same whether or not it did, so no one can cancel someone else's
    request or learn which references exist.
    """

    def name(self) -> Text:
        return "action_cancel_request"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        content = get_content()
        forget_draft(tracker)
        events: List[EventType] = []
        if tracker.active_loop.get("name"):
            events = leave_form(tracker)
        reference = callback.extract_reference(_text(tracker))
        if reference is None:
            _send(dispatcher, callback.plain_reply(content, "cancel", "how"))
            return events
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, store().withdraw, reference, tracker.sender_id)
        except StoreUnavailable:
            logger.error("A callback request could not be withdrawn: the database is unavailable.")
            _send(dispatcher, callback.plain_reply(content, "cancel", "store_down"))
            return events
        _send(dispatcher, callback.plain_reply(content, "cancel", "done", reference=reference))
        return events


class ActionMyData(Action):
    """'What is my conversation code?' / 'delete my data': the code, and how the council erases or shows it."""

    def name(self) -> Text:
        return "action_my_data"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        content = get_content()
        loop = asyncio.get_running_loop()
        try:
            code = await loop.run_in_executor(None, store().conversation_code, tracker.sender_id)
        except StoreUnavailable:
            logger.error("A conversation code could not be made: the database is unavailable.")
            _send(dispatcher, callback.plain_reply(content, "my_data", "down"))
            return []
        _send(dispatcher, callback.my_data_reply(content, code, retention_days()))
        return []
