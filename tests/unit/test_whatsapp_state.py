"""The WhatsApp channel's pseudonyms and short memory, with an injected clock."""

import re

import pytest

from channels.whatsapp_format import Option
from channels.whatsapp_state import ConversationMemory, ExpiringStore, conversation_id, phone_number

HOUR = 60 * 60


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_conversation_id_is_a_keyed_hash_not_the_number():
    number = "whatsapp:+447700900123"
    cid = conversation_id(number, "secret")
    assert re.fullmatch(r"wa-[0-9a-f]{32}", cid)
    assert "7700900123" not in cid
    assert cid == conversation_id(number, "secret")  # the same family keeps its conversation
    assert cid == conversation_id("whatsapp:+44 7700 900123", "secret")
    assert cid != conversation_id("whatsapp:+447700900124", "secret")
    assert cid != conversation_id(number, "another secret")  # nobody can hash a guess without the key


def test_a_conversation_id_needs_a_secret():
    with pytest.raises(ValueError):
        conversation_id("whatsapp:+447700900123", "")


def test_phone_number_strips_the_channel_prefix_and_spacing():
    assert phone_number("WhatsApp:+44 (7700) 900-123") == "+447700900123"


def test_entries_expire():
    clock = Clock()
    store = ExpiringStore(ttl=10, clock=clock)
    store.set("a", 1)
    clock.now += 9.9
    assert store.get("a") == 1
    clock.now += 0.2
    assert store.get("a") is None and len(store) == 0


def test_the_store_never_holds_more_than_its_limit():
    store = ExpiringStore(ttl=100, max_items=3, clock=Clock())
    for key in "abcde":
        store.set(key, key)
    assert len(store) == 3
    assert [store.get(k) for k in "abcde"] == [None, None, "c", "d", "e"]


def test_add_spots_a_repeat():
    store = ExpiringStore(ttl=100, clock=Clock())
    assert store.add("SM1", True) is True
    assert store.add("SM1", True) is False


def test_the_24_hour_window_opens_with_each_message_and_closes_after_24_hours():
    clock = Clock()
    memory = ConversationMemory(clock=clock)
    assert not memory.within_window("wa-1")  # never wrote
    memory.family_wrote("wa-1")
    clock.now += 23 * HOUR + 59 * 60
    assert memory.within_window("wa-1")
    clock.now += 60
    assert not memory.within_window("wa-1")  # exactly 24 hours later
    memory.family_wrote("wa-1")
    assert memory.within_window("wa-1")
    assert not memory.within_window("wa-2")


def test_options_are_remembered_per_conversation_and_can_be_cleared():
    clock = Clock()
    memory = ConversationMemory(clock=clock)
    memory.offer("wa-1", [Option("Contact SENDIAS", "/ask_sendias")])
    assert memory.options("wa-1") == [Option("Contact SENDIAS", "/ask_sendias")]
    assert memory.options("wa-2") == []
    memory.offer("wa-1", [])
    assert memory.options("wa-1") == []
    memory.offer("wa-1", [Option("Contact SENDIAS", "/ask_sendias")])
    clock.now += 25 * HOUR
    assert memory.options("wa-1") == []
