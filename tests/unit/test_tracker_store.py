"""The conversation store survives values the database cannot take (enquiries/tracker_store.py)."""
from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DatabaseError

from enquiries.tracker_store import RedactingSQLTrackerStore, UnstorableValue


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_DATABASE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    tracker_store = RedactingSQLTrackerStore(domain=Domain.empty())
    yield tracker_store
    tracker_store.engine.dispose()


def test_a_value_the_driver_refuses_is_an_error_for_that_message_not_an_exit(store):
    # Rasa's own session scope turned this ValueError into sys.exit(1): the
    # whole server stopped because of one conversation id.
    tracker = DialogueStateTracker.from_events("bad\ud800id", [UserUttered("hello"), ActionExecuted("action_listen")])
    with pytest.raises(UnstorableValue):
        asyncio.run(store.save(tracker))
    with pytest.raises(UnstorableValue):
        asyncio.run(store.retrieve("bad\ud800id"))
    # The store still works for everyone else.
    asyncio.run(store.save(DialogueStateTracker.from_events("good-id", [UserUttered("hello")])))
    assert asyncio.run(store.retrieve("good-id")) is not None


def test_database_errors_do_not_show_the_stored_values(store):
    # The form keeps the number in a slot until it ends; a failed write must not log it.
    tracker = DialogueStateTracker.from_events("family", [SlotSet("contact_detail", "07700900123")])
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    with pytest.raises(DatabaseError) as error:
        asyncio.run(store.save(tracker))
    assert "refused" in str(error.value) and "INSERT INTO events" in str(error.value)
    assert "07700900123" not in str(error.value)
