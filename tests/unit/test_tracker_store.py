"""The conversation store survives values the database cannot take (storage/tracker_store.py)."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DatabaseError

from storage.tracker_store import RedactingSQLTrackerStore, UnstorableValue


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


def test_the_database_work_leaves_the_event_loop_free(store, monkeypatch):
    """While one conversation waits for the database, the server goes on with the others."""
    write = store._write_redacted

    def slow_write(tracker):
        time.sleep(0.3)  # a slow disk or a distant PostgreSQL
        write(tracker)

    monkeypatch.setattr(store, "_write_redacted", slow_write)

    async def scenario():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        await store.save(DialogueStateTracker.from_events("slow", [UserUttered("hello")]))
        task.cancel()
        return ticks

    assert asyncio.run(scenario()) >= 10  # the loop kept turning during the 0.3 s write
    assert [e.text for e in asyncio.run(store.retrieve("slow")).events if isinstance(e, UserUttered)] == ["hello"]


def test_many_conversations_at_once_are_stored_whole_and_in_order(store):
    """Saves and reads of 40 conversations at once, in the database threads: nothing lost or reordered."""
    domain = Domain.from_dict({"slots": {"topic": {"type": "any", "mappings": [{"type": "custom"}]}}})
    store.domain = domain

    async def conversation(n: int) -> None:
        tracker = DialogueStateTracker(f"family-{n}", domain.slots)
        for turn in range(5):
            tracker.update(UserUttered(f"message {turn}"))
            tracker.update(SlotSet("topic", f"{n}-{turn}"))
            tracker.update(ActionExecuted("action_listen"))
            await store.save(tracker)
            tracker = await store.retrieve(f"family-{n}")

    async def everyone() -> None:
        await asyncio.gather(*(conversation(n) for n in range(40)))

    asyncio.run(everyone())
    for n in range(40):
        tracker = asyncio.run(store.retrieve(f"family-{n}"))
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [f"message {t}" for t in range(5)]
        assert tracker.get_slot("topic") == f"{n}-4"
        assert len(tracker.events) == 15


def test_a_database_outage_is_still_noted_for_the_message(store, monkeypatch):
    """The failure happens in a database thread; the channel's guard must still see it."""
    from sqlalchemy.exc import OperationalError

    from storage.tracker_store import database_failed, reset_database_failed

    def down(*args):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(store, "_read_events", down)
    monkeypatch.setattr(store, "_write_redacted", down)

    async def message(call):
        reset_database_failed()
        with pytest.raises(OperationalError):
            await call
        return database_failed()

    assert asyncio.run(message(store.retrieve("family")))
    assert asyncio.run(message(store.save(DialogueStateTracker.from_events("family", [UserUttered("hi")]))))


def stored(store, sender):
    import json

    with store.engine.connect() as connection:
        rows = (
            connection.exec_driver_sql("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
            .scalars()
            .all()
        )
    return [json.loads(row) for row in rows]


def test_form_answers_are_blanked_as_they_are_written_not_when_the_form_ends(store):
    """A family who gives a number and closes the tab leaves nothing: the form never ended."""
    from rasa.shared.core.events import ActiveLoop

    def asked(slot):
        return [SlotSet("requested_slot", slot), ActionExecuted("action_listen")]

    number = UserUttered(
        "my number is (07700) 900461",
        parse_data={
            "text": "my number is (07700) 900461",
            "intent": {"name": "inform"},
            "entities": [{"entity": "number", "value": "07700900461", "start": 13, "end": 27}],
        },
    )
    events = [
        UserUttered("the council refused to assess my son"),
        ActionExecuted("action_listen"),
        UserUttered("/request_callback"),
        ActionExecuted("callback_form"),
        ActiveLoop("callback_form"),
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
        "the council refused to assess my son",
        "/request_callback",
        "[form answer]",
        "[form answer]",
        "[form answer]",
        "[form answer]",
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
        "family", [SlotSet("contact_detail", "07700900461"), SlotSet("good_time", "after 3")]
    )
    asyncio.run(store.save(tracker))
    values = [e["value"] for e in stored(store, "family") if e["event"] == "slot"]
    assert values == ["[draft]", "[draft]"]
