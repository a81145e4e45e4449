"""Writes synthetic conversations (insights/synthetic.py) into a database.

Two ways: :func:`write_fast` inserts the rows the project's tracker store would
write, in batches (a million events in about a minute), for timing the report;
:func:`write_through_tracker_store` saves each conversation with the real
``RedactingSQLTrackerStore``, for the privacy test and for checking that the
fast way writes exactly the same rows.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from typing import Iterable, List

import sqlalchemy as sa

from enquiries.store import EnquiryStore, callback_requests
from insights.synthetic import Conversation, event_row
from storage import db, tracker_store

BATCH_EVENTS = 20_000
CONSENT = "Synthetic consent text."
_references = itertools.count(1)


def create_events_table(url: str) -> None:
    """Rasa's own ``events`` table (as its SQL tracker store creates it)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    SQLTrackerStore(domain=Domain.empty(), host=url).engine.dispose()


def _callback_row(conversation: Conversation) -> dict:
    row = dict(conversation.callback)  # type: ignore[arg-type]  # only called for conversations with one
    return {
        **row,
        "reference": f"WS-S{next(_references):08d}",
        "about": "synthetic request",
        "contact_method": "phone",
        "contact_detail": None if row["status"] == "withdrawn" else "07700 900000",
        "good_time": None,
        "consent_text": CONSENT,
        "consent_at": row["created_at"],
    }


def stored_rows(conversation: Conversation) -> List[dict]:
    """The rows the project's tracker store writes for the conversation's events.

    Each event is redacted as the store redacts it; the messages that answered
    the callback form's personal questions are blanked, found by the store's own
    function (which reads Rasa's event objects: made only for conversations with a form).
    """
    events = conversation.events
    answers = set()
    if any(e["event"] == "active_loop" for e in events):
        from rasa.shared.core.events import Event

        answers = tracker_store.form_answers([Event.from_parameters(dict(e)) for e in events])
    rows = []
    for index, event in enumerate(events):
        data = tracker_store.redact_event(event)
        if index in answers:
            data = tracker_store.blank_answer(data)
        rows.append(event_row(conversation.sender, data))
    return rows


def write_fast(url: str, conversations: Iterable[Conversation], progress=None) -> int:
    """Insert the conversations' (redacted) events and callback requests; returns the events written."""
    create_events_table(url)
    store = EnquiryStore(url)
    store.ensure_schema()
    store.dispose()
    engine = db.create_engine(url)
    events_table = sa.table(
        "events", *(sa.column(c) for c in ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"))
    )
    written = 0
    batch: list = []
    callbacks: list = []

    def flush(connection) -> None:
        nonlocal written, batch, callbacks
        if batch:
            connection.execute(events_table.insert(), batch)
            written += len(batch)
        if callbacks:
            connection.execute(callback_requests.insert(), callbacks)
        batch, callbacks = [], []
        if progress:
            progress(written)

    try:
        with engine.begin() as connection:
            for conversation in conversations:
                batch.extend(stored_rows(conversation))
                if conversation.callback:
                    callbacks.append(_callback_row(conversation))
                if len(batch) >= BATCH_EVENTS:
                    flush(connection)
            flush(connection)
    finally:
        engine.dispose()
    return written


def write_through_tracker_store(url: str, conversations: Iterable[Conversation]) -> int:
    """Save each conversation with the project's real tracker store (slow; for small tests)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from storage.tracker_store import RedactingSQLTrackerStore

    saved = os.environ.get(db.URL_VARIABLE)
    os.environ[db.URL_VARIABLE] = url  # the store takes its database from the environment
    try:
        tracker_store = RedactingSQLTrackerStore(domain=Domain.load("domain.yml"))
    finally:
        if saved is None:
            os.environ.pop(db.URL_VARIABLE, None)
        else:
            os.environ[db.URL_VARIABLE] = saved
    store = EnquiryStore(url)
    store.ensure_schema()
    written = 0
    callbacks: List[dict] = []
    try:
        for conversation in conversations:
            tracker = DialogueStateTracker.from_dict(
                conversation.sender, conversation.events, tracker_store.domain.slots
            )
            asyncio.run(tracker_store.save(tracker))
            written += len(conversation.events)
            if conversation.callback:
                callbacks.append(_callback_row(conversation))
        if callbacks:
            with store.engine.begin() as connection:
                connection.execute(callback_requests.insert(), callbacks)
    finally:
        store.dispose()
        tracker_store.engine.dispose()
    return written
