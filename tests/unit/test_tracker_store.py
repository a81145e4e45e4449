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


def stored(store, sender):
    import json

    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).scalars().all()
    return [json.loads(row) for row in rows]


def test_form_answers_are_blanked_as_they_are_written_not_when_the_form_ends(store):
    """A family who gives a number and closes the tab leaves nothing: the form never ended."""
    from rasa.shared.core.events import ActiveLoop

    def asked(slot):
        return [SlotSet("requested_slot", slot), ActionExecuted("action_listen")]

    number = UserUttered("my number is (07700) 900461",
                         parse_data={"text": "my number is (07700) 900461", "intent": {"name": "inform"},
                                     "entities": [{"entity": "number", "value": "07700900461",
                                                   "start": 13, "end": 27}]})
    events = [
        UserUttered("the council refused to assess my son"), ActionExecuted("action_listen"),
        UserUttered("/request_callback"), ActionExecuted("callback_form"), ActiveLoop("callback_form"),
        *asked("callback_topic"),
    ]
    tracker = DialogueStateTracker.from_events("family", events)
    asyncio.run(store.save(tracker))
    # One answer at a time, saved after each as Rasa does.
    for answer, slot, next_slot in (
        (UserUttered("my son Jayden's school"), "callback_topic", "contact_method"),
        (UserUttered("07700 900461"), "contact_method", "contact_detail"),  # typed straight away
        (number, "contact_detail", "good_time"),
        (UserUttered("after 3pm, ask for Jo"), "good_time", "consent"),
    ):
        tracker.update(answer)
        for event in (ActionExecuted("callback_form"), SlotSet(slot, "[draft]"), *asked(next_slot)):
            tracker.update(event)
        asyncio.run(store.save(tracker))
        # Already blank in the database, before the form ends.
        assert "900461" not in str(stored(store, "family")) and "Jayden" not in str(stored(store, "family"))
    users = [e for e in stored(store, "family") if e["event"] == "user"]
    assert [u["text"] for u in users] == [
        "the council refused to assess my son", "/request_callback",
        "[form answer]", "[form answer]", "[form answer]", "[form answer]",
    ]
    assert users[4]["parse_data"]["entities"][0]["value"] == "[form answer]"
    assert users[4]["parse_data"]["intent"]["name"] == "inform"
    # The consent answer and anything after the form are redacted as usual, not blanked.
    tracker.update(UserUttered("yes"))
    tracker.update(ActiveLoop(None))
    tracker.update(UserUttered("thanks, call 07700 900461"))
    asyncio.run(store.save(tracker))
    users = [e for e in stored(store, "family") if e["event"] == "user"]
    assert [u["text"] for u in users[-2:]] == ["yes", "thanks, call [phone]"]


def test_a_form_slot_is_stored_as_the_marker_whatever_it_was_set_to(store):
    tracker = DialogueStateTracker.from_events(
        "family", [SlotSet("contact_detail", "07700900461"), SlotSet("good_time", "after 3")])
    asyncio.run(store.save(tracker))
    values = [e["value"] for e in stored(store, "family") if e["event"] == "slot"]
    assert values == ["[draft]", "[draft]"]
