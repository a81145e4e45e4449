"""The conversation store: Rasa's SQL tracker store, without personal details.

Conversations are kept in the same database as callback requests (see
storage/db.py: SQLite by default, PostgreSQL when SEND_DATABASE_URL is set),
so a restart of the Rasa server loses nothing and one purge command applies
the retention period to both.

Open-source Rasa keeps every message as typed. This store changes that:
* what families and the assistant wrote is redacted (storage/redaction.py)
  before it is written, and personal metadata (the WhatsApp number) is dropped;
* the callback form's answers are never written: the action server holds
  them (storage/drafts.py) and the slots carry only a marker, and the
  family's messages that answered the form's questions are blanked as they
  are written (text, parse data and entity values), not when the form ends.
  With consent the answers live on in the callback_requests table only;
* on SQLite every connection sets ``secure_delete``, so a deleted or changed
  row leaves no old copy in the database file (storage/db.py).

If the database is down, Rasa (its FailSafeTrackerStore) carries on with an
empty in-memory conversation. This store notes the failure for the message
being handled (:func:`database_failed`), so the channel can tell the family
plainly and give the phone numbers; when the database is back, the stored
conversation is picked up again.

The database work (the queries, the inserts, the commit that waits for the
disk or for PostgreSQL) runs in a few worker threads, not on the Rasa server's
event loop: Rasa's SQL tracker store does it inline, so every family's message
waited while one conversation was written (a third of the server's time under
load, issue 12). Each message still reads its conversation before it is
handled and is answered only after its events are committed (Rasa's lock store
keeps one message per conversation at a time), so nothing else changes.

endpoints.yml: ``tracker_store: {type: storage.tracker_store.RedactingSQLTrackerStore}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Generator, List, Optional, Sequence, Set, Text

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401 - sa.orm.session
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import (
    ActiveLoop,
    AllSlotsReset,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError

from storage.db import database_url, harden_sqlite, prepare_sqlite_file
from storage.drafts import ANSWER_SLOTS, MARKER
from storage.redaction import redact

logger = logging.getLogger(__name__)

FORM = "callback_form"
# A message sent while the form waits for one of these is an answer that may
# hold personal details: the free-text questions, and the contact method,
# because a number or address typed straight away answers it too
# (actions/callback_actions.py extract_contact_method).
ANSWERED_SLOTS = ANSWER_SLOTS + ("contact_method",)
BLANK = "[form answer]"
# Metadata keys that carry personal details for one turn only.
PERSONAL_METADATA = ("whatsapp_number",)

# Set when the database failed while this message was handled (per asyncio task).
_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_store_failed", default=False)


class UnstorableValue(RuntimeError):
    """The database driver refused a value (it is not a ValueError, which Rasa treats as fatal)."""


# Worker threads for the database work: a few, so that SQLite has few writers
# waiting on its lock; Rasa's default executor stays free for other work.
DATABASE_THREADS = 4


@functools.lru_cache(maxsize=1)
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=DATABASE_THREADS, thread_name_prefix="tracker-store")


async def _off_the_loop(function, *args):
    """``function(*args)`` in a database thread; the event loop serves other families meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), functools.partial(function, *args))


def database_failed() -> bool:
    """Whether the conversation database failed while handling the current message."""
    return _failed.get()


def reset_database_failed() -> None:
    _failed.set(False)


@contextlib.contextmanager
def _noting_outage(doing: str):
    """Note a database failure for this message (and log it, without data), then re-raise."""
    try:
        yield
    except SQLAlchemyError:
        _failed.set(True)
        logger.error("The conversation database is unavailable (%s a conversation).", doing)
        raise


def redact_event(data: Dict[str, Any]) -> Dict[str, Any]:
    """A stored event's dict with free text redacted and personal metadata dropped."""
    if data.get("event") == "slot" and isinstance(data.get("value"), dict):
        # Rasa copies the first message's metadata into session_started_metadata.
        data["value"] = {k: v for k, v in data["value"].items() if k not in PERSONAL_METADATA}
    if data.get("event") == "slot" and data.get("name") in ANSWER_SLOTS and data.get("value") is not None:
        # The action server sets only the marker; anything else is never written.
        data["value"] = MARKER
    if data.get("event") in ("user", "bot"):
        if isinstance(data.get("text"), str):
            data["text"] = redact(data["text"])
        parse_data = data.get("parse_data")
        if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
            parse_data["text"] = redact(parse_data["text"])
        # Metadata is stored twice: on the event and inside its parse data.
        for holder in (data, parse_data if isinstance(parse_data, dict) else {}):
            metadata = holder.get("metadata")
            if isinstance(metadata, dict):
                holder["metadata"] = {k: v for k, v in metadata.items() if k not in PERSONAL_METADATA}
    return data


def blank_answer(data: Dict[str, Any]) -> Dict[str, Any]:
    """A user event that answered the callback form, with its words and entity values removed."""
    data["text"] = BLANK
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = BLANK
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict):
                for key in ("value", "text"):
                    if key in entity:
                        entity[key] = BLANK
    for entity in data.get("entities") or []:
        if isinstance(entity, dict) and "value" in entity:
            entity["value"] = BLANK
    return data


def form_answers(events: Sequence[Event]) -> Set[int]:
    """Indexes of the user events that answered one of the form's personal questions.

    Follows the conversation as Rasa does: which form is active and which slot
    it asked for last, when each message arrived.
    """
    active, requested, answers = None, None, set()
    for index, event in enumerate(events):
        if isinstance(event, (SessionStarted, Restarted)):
            active, requested = None, None
        elif isinstance(event, AllSlotsReset):
            requested = None
        elif isinstance(event, ActiveLoop):
            active = event.name
        elif isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
            requested = event.value
        elif isinstance(event, UserUttered) and active == FORM and requested in ANSWERED_SLOTS:
            answers.add(index)
    return answers


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore on the project's database that keeps no personal details."""

    def __init__(self, domain=None, host: Optional[Text] = None, event_broker=None, **kwargs: Any) -> None:
        # The database comes from SEND_DATABASE_URL (one setting for both stores).
        kwargs.pop("url", None)
        url = database_url()
        prepare_sqlite_file(url)  # owner-only before anything is written to it
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        # Check connections before use, so the first message after a database
        # outage works instead of failing on a connection that died with it.
        self.engine.dispose()  # type: ignore[has-type]  # made by SQLTrackerStore, which has no types
        engine_kwargs = create_engine_kwargs(url)
        if url.startswith("postgresql"):  # fail fast while the server is down
            engine_kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", 3)
        # hide_parameters: a database error's message must not carry the stored
        # events (a phone number in a form slot) into the logs, as in storage/db.py.
        self.engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True, **engine_kwargs)
        harden_sqlite(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Any, None, None]:
        """Rasa's session scope, but a ValueError no longer stops the server.

        Rasa's version takes any ValueError raised inside it for "the
        PostgreSQL schema is missing" and exits the process, so one value the
        database driver cannot take (a lone surrogate; a NUL for PostgreSQL)
        stopped the Rasa server for every family (found by
        tests/e2e/test_fuzz.py). The schema check still exits as before; any
        other ValueError becomes :class:`UnstorableValue`, which the channel's
        guard answers, for that one message, with the phone numbers.
        """
        with super().session_scope() as session:
            try:
                yield session
            except ValueError as error:
                raise UnstorableValue(type(error).__name__) from error

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with _noting_outage("reading"):
            return await self._retrieve_off_loop(sender_id, fetch_events_from_all_sessions=False)

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with _noting_outage("reading"):
            return await self._retrieve_off_loop(sender_id, fetch_events_from_all_sessions=True)

    async def _retrieve_off_loop(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """As SQLTrackerStore._retrieve, with the query in a database thread."""
        events = await _off_the_loop(self._read_events, sender_id, fetch_events_from_all_sessions)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _read_events(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> List[Dict[str, Any]]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            return [json.loads(row.data) for row in rows]

    async def save(self, tracker: DialogueStateTracker) -> None:
        with _noting_outage("saving"):
            await self.stream_events(tracker)
            await _off_the_loop(self._write_redacted, tracker)

    def _write_redacted(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save, but each new event is redacted (or blanked) first (in a database thread)."""
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            events = list(tracker.events)
            first_new = len(events) - len(new_events)
            answers = form_answers(events)
            for index, event in enumerate(new_events, start=first_new):
                data = redact_event(event.as_dict())
                if index in answers:
                    data = blank_answer(data)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
