"""The callback form's answers are held by the action server, never in slots (storage/drafts.py).

The form's actions run with a real rasa-sdk Tracker: each answer goes to the
draft store and the slot gets only the marker; the submit action stores the
request from the draft; stop, consent "no", a crisis, cancel and a new
session forget the draft; a draft that is gone makes the form ask again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import callback_actions
from actions.callback_actions import (
    ActionCancelRequest,
    ActionMyData,
    ActionStopCallback,
    ActionSubmitCallback,
    ValidateCallbackForm,
)
from actions.conversation_actions import ActionSessionStart
from actions.safety_actions import ActionCrisis
from enquiries.store import EnquiryStore
from storage import drafts
from storage.drafts import MARKER, MemoryDraftStore

NUMBER = "07700 900461"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the store --------------------------------------------------------------------


def test_a_draft_expires_after_its_time_limit_and_each_answer_renews_it():
    clock = Clock()
    store = MemoryDraftStore(time_limit=60, clock=clock)
    store.put("family-a", "contact_detail", "07700900461")
    clock.now += 50
    store.put("family-a", "good_time", "mornings")  # renews the whole draft
    clock.now += 50
    assert store.get("family-a") == {"contact_detail": "07700900461", "good_time": "mornings"}
    clock.now += 11
    assert store.get("family-a") == {} and len(store) == 0


def test_drafts_are_separate_deletable_bounded_and_copies():
    store = MemoryDraftStore(time_limit=60, max_drafts=3, clock=Clock())
    for n in range(5):
        store.put(f"family-{n}", "good_time", "any time")
    assert len(store) == 3 and store.get("family-0") == {}  # the oldest went first
    copy = store.get("family-4")
    copy["good_time"] = "changed"
    assert store.get("family-4") == {"good_time": "any time"}
    store.delete("family-4")
    store.delete("nobody")
    assert store.get("family-4") == {}


def test_the_store_is_thread_safe():
    store = MemoryDraftStore(time_limit=60)
    errors = []

    def work(n):
        try:
            for i in range(300):
                store.put(f"family-{n}-{i % 7}", "good_time", str(i))
                store.get(f"family-{n}-{i % 5}")
                if i % 11 == 0:
                    store.delete(f"family-{n}-{i % 7}")
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_the_time_limit_is_the_session_expiry_plus_a_margin(monkeypatch, tmp_path):
    monkeypatch.delenv(drafts.TIME_LIMIT_VARIABLE, raising=False)
    minutes = drafts.session_expiry_minutes()
    assert minutes == 60  # domain.yml session_config
    assert drafts.time_limit_seconds() == minutes * 60 + drafts.MARGIN_SECONDS
    domain = tmp_path / "domain.yml"
    domain.write_text("session_config:\n  session_expiration_time: 10\n")
    assert drafts.session_expiry_minutes(domain) == 10
    monkeypatch.setenv(drafts.TIME_LIMIT_VARIABLE, "5")
    assert drafts.time_limit_seconds() == 5
    monkeypatch.setenv(drafts.TIME_LIMIT_VARIABLE, "0")
    with pytest.raises(ValueError):
        drafts.time_limit_seconds()


# -- the form's actions ----------------------------------------------------------------


@pytest.fixture
def held(monkeypatch):
    """A fresh draft store for the action server, and a callback store on a SQLite file."""
    store = MemoryDraftStore(time_limit=600)
    monkeypatch.setattr(drafts, "_default", store)
    return store


@pytest.fixture
def requests_store(tmp_path, monkeypatch):
    enquiries = EnquiryStore(f"sqlite:///{tmp_path / 'send.db'}")
    monkeypatch.setattr(callback_actions, "_store", enquiries)
    monkeypatch.setattr(callback_actions, "notify_team", lambda enquiry: False)
    yield enquiries
    enquiries.dispose()


FORM_SLOTS = {
    "callback_topic": None,
    "contact_method": None,
    "contact_detail": None,
    "good_time": None,
    "consent": None,
    "disagreement": None,
    "service": None,
}


def form_tracker(requested=None, text="...", intent="inform", sender="family-a", active=True, **slots):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": [],
    }
    all_slots = {**FORM_SLOTS, "requested_slot": requested, **slots}
    loop = {"name": "callback_form"} if active else {}
    return Tracker(sender, all_slots, latest, [], False, None, loop, "action_listen")


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def extract(slot, text, intent="inform", **slots):
    form = ValidateCallbackForm()
    method = getattr(form, f"extract_{slot}")
    dispatcher = CollectingDispatcher()
    return asyncio.run(method(dispatcher, form_tracker(slot, text, intent, **slots), {}))


def test_answers_go_to_the_draft_and_slots_get_only_the_marker(held):
    assert extract("callback_topic", "my son's school place") == {"callback_topic": MARKER}
    assert extract("contact_method", "phone") == {"contact_method": "phone"}
    assert extract("contact_detail", NUMBER, contact_method="phone") == {"contact_detail": MARKER}
    assert extract("good_time", "after 3pm") == {"good_time": MARKER}
    assert held.get("family-a") == {
        "callback_topic": "my son's school place",
        "contact_detail": "07700900461",
        "good_time": "after 3pm",
    }
    # A number typed straight away, when asked how to be contacted: held too.
    assert extract("contact_method", "mum@example.org", sender="family-b") == {
        "contact_method": "email",
        "contact_detail": MARKER,
    }
    # An unusable answer is asked again and nothing is held.
    assert extract("contact_detail", "0770 090", sender="family-c", contact_method="phone") == {"contact_detail": None}
    assert held.get("family-c") == {}


def test_submit_stores_the_request_from_the_draft_and_forgets_it(held, requests_store):
    for slot, value in (
        ("callback_topic", "a refused assessment"),
        ("contact_detail", "07700900461"),
        ("good_time", "after 3pm"),
    ):
        held.put("family-a", slot, value)
    tracker = form_tracker(
        None,
        "/affirm",
        "affirm",
        active=False,
        callback_topic=MARKER,
        contact_method="phone",
        contact_detail=MARKER,
        good_time=MARKER,
        consent="yes",
    )
    messages, events = run(ActionSubmitCallback(), tracker)
    assert "Your reference is WS-" in texts(messages)
    [enquiry] = requests_store.list_open()
    assert (enquiry.about, enquiry.contact_detail, enquiry.good_time) == (
        "a refused assessment",
        "07700900461",
        "after 3pm",
    )
    assert held.get("family-a") == {drafts.SUBMITTED: enquiry.reference}  # the answers are gone
    assert all(value is None for value in slot_values(events).values())
    assert MARKER not in repr(enquiry)


def test_the_same_consent_handled_twice_stores_one_request_with_one_reference(held, requests_store):
    """A Rasa server died after the submit action; nginx gave the message to another server."""
    for slot, value in (
        ("callback_topic", "a refused assessment"),
        ("contact_detail", "07700900461"),
        ("good_time", "after 3pm"),
    ):
        held.put("family-a", slot, value)
    tracker = form_tracker(
        None,
        "/affirm",
        "affirm",
        active=False,
        callback_topic=MARKER,
        contact_method="phone",
        contact_detail=MARKER,
        good_time=MARKER,
        consent="yes",
    )
    first, _ = run(ActionSubmitCallback(), tracker)
    again, events = run(ActionSubmitCallback(), tracker)
    third, _ = run(ActionSubmitCallback(), tracker)  # and once more: still the same
    [enquiry] = requests_store.list_open()
    for messages in (first, again, third):
        assert f"Your reference is {enquiry.reference}" in texts(messages)
    # Only the reference is held (until the draft's time runs out), never the answers.
    assert held.get("family-a") == {drafts.SUBMITTED: enquiry.reference}
    assert all(value is None for value in slot_values(events).values())


def test_a_new_request_after_one_stored_is_a_new_request(held, requests_store):
    tracker = form_tracker(
        None,
        "/affirm",
        "affirm",
        active=False,
        callback_topic=MARKER,
        contact_method="phone",
        contact_detail=MARKER,
        good_time=MARKER,
        consent="yes",
    )
    for topic in ("a refused assessment", "transport"):
        for slot, value in (("callback_topic", topic), ("contact_detail", "07700900461"), ("good_time", "any")):
            held.put("family-a", slot, value)  # the second form's answers join the held reference
        run(ActionSubmitCallback(), tracker)
    assert sorted(e.about for e in requests_store.list_open()) == ["a refused assessment", "transport"]


def test_a_lost_draft_asks_again_instead_of_storing_nothing_silently(held, requests_store):
    held.put("family-a", "callback_topic", "a refused assessment")  # the rest was lost
    tracker = form_tracker(
        None,
        "/affirm",
        "affirm",
        active=False,
        callback_topic=MARKER,
        contact_method="phone",
        contact_detail=MARKER,
        good_time=MARKER,
        consent="yes",
    )
    messages, events = run(ActionSubmitCallback(), tracker)
    assert "ask for them again" in texts(messages)
    assert slot_values(events) == {"contact_detail": None, "good_time": None, "contact_method": None, "consent": None}
    assert [e["name"] for e in events if e["event"] == "followup"] == ["callback_form"]
    assert requests_store.list(None) == []


@pytest.mark.parametrize(
    "action, intent, text",
    [
        (ActionStopCallback(), "stop", "stop"),
        (ActionCrisis(), "crisis", "my son says he wants to kill himself"),
        (ActionCancelRequest(), "cancel_request", "cancel"),
        (ActionSessionStart(), "greet", "hi"),
    ],
)
def test_leaving_the_form_forgets_the_draft_at_once(held, requests_store, action, intent, text):
    held.put("family-a", "contact_detail", "07700900461")
    run(action, form_tracker("good_time", text, intent))
    assert held.get("family-a") == {}


def test_consent_no_forgets_the_draft(held, requests_store):
    held.put("family-a", "contact_detail", "07700900461")
    tracker = form_tracker(None, "/deny", "deny", active=False, contact_detail=MARKER, consent="no")
    messages, _ = run(ActionSubmitCallback(), tracker)
    assert "not kept your details" in texts(messages)
    assert held.get("family-a") == {} and requests_store.list(None) == []


def test_cancel_gives_one_reply_whoever_asks(held, requests_store):
    enquiry = requests_store.create(
        "about",
        "phone",
        "07700900461",
        "any time",
        "rest",
        "consent",
        dt.datetime.now().astimezone(),
        conversation="family-a",
    )
    cancel = f"cancel {enquiry.reference.lower().replace('-', '')}"
    other, _ = run(ActionCancelRequest(), form_tracker(None, cancel, "cancel_request", sender="family-b", active=False))
    assert requests_store.get(enquiry.reference).status == "open"  # not theirs: untouched
    mine, _ = run(ActionCancelRequest(), form_tracker(None, cancel, "cancel_request", sender="family-a", active=False))
    assert requests_store.get(enquiry.reference).status == "withdrawn"
    assert texts(other) == texts(mine)
    assert enquiry.reference in texts(mine) and "If " in texts(mine)


def test_my_data_gives_this_conversations_code(held, requests_store):
    messages, _ = run(ActionMyData(), form_tracker(None, "what is my conversation code", "my_data", active=False))
    code = requests_store.conversation_code("family-a")
    assert f"Your conversation code is {code}." in texts(messages)
    assert "30 days" in texts(messages)
    assert "family-a" not in texts(messages)
