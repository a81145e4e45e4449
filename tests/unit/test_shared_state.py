"""The Redis implementations beside the in-memory ones, against a real redis-server.

With ``SEND_REDIS_URL`` set, several servers share the callback form's drafts,
the guard's rate limits, the WhatsApp channel's memory and Rasa's
conversation locks (storage/redis_state.py). Each test here uses two
clients, as two servers would, on a throwaway Redis started by
scripts/redis_server.py (Debian's redis-server; scripts/ci-setup-cluster.sh).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from channels.guard import GuardSettings, RateLimits, RedisSlidingWindow
from channels.whatsapp_format import Option
from channels.whatsapp_state import ConversationMemory, default_memory
from scripts.redis_server import temporary_redis
from storage import drafts, redis_state
from storage.lock_store import AtomicRedisLockStore, ConversationLockStore


@pytest.fixture(scope="module")
def redis_server():
    with temporary_redis() as server:
        yield server


@pytest.fixture
def two_clients(redis_server):
    """Two clients of one Redis, as two servers would have; the database emptied first."""
    first, second = redis_state.connect(redis_server.url), redis_state.connect(redis_server.url)
    first.flushdb()
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def dead_client():
    """A client of a Redis that is not there (a closed port): every call fails fast."""
    from scripts.redis_server import _free_port

    return redis_state.connect(f"redis://127.0.0.1:{_free_port()}/0")


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- where the choice is made ---------------------------------------------------------------


def test_without_send_redis_url_every_store_stays_in_this_process(monkeypatch):
    monkeypatch.delenv("SEND_REDIS_URL", raising=False)
    monkeypatch.setattr(drafts, "_default", None)
    assert redis_state.shared_redis() is None
    assert isinstance(drafts.default_store(), drafts.MemoryDraftStore)
    assert isinstance(ConversationLockStore(), InMemoryLockStore)
    assert isinstance(RateLimits(GuardSettings()).conversations, type(RateLimits(GuardSettings()).addresses))
    assert not isinstance(RateLimits(GuardSettings()).conversations, RedisSlidingWindow)
    assert default_memory().clock is time.monotonic


def test_with_send_redis_url_every_store_is_shared(monkeypatch, redis_server):
    monkeypatch.setenv("SEND_REDIS_URL", redis_server.url)
    monkeypatch.setattr(drafts, "_default", None)
    client = redis_state.shared_redis()
    assert client is not None and client.ping()
    assert isinstance(drafts.default_store(), drafts.RedisDraftStore)
    assert isinstance(ConversationLockStore(), AtomicRedisLockStore)
    assert default_memory().clock is time.time
    monkeypatch.setattr(drafts, "_default", None)


# -- the callback form's drafts ---------------------------------------------------------------


def test_a_draft_written_by_one_action_server_is_read_by_another(two_clients):
    first = drafts.RedisDraftStore(two_clients[0], time_limit=60)
    second = drafts.RedisDraftStore(two_clients[1], time_limit=60)
    first.put("family-a", "contact_detail", "07700900461")
    second.put("family-a", "good_time", "mornings")
    assert first.get("family-a") == {"contact_detail": "07700900461", "good_time": "mornings"}
    assert second.get("family-b") == {}
    second.delete("family-a")
    assert first.get("family-a") == {}


def test_a_draft_expires_in_redis_and_each_answer_renews_it(two_clients):
    store = drafts.RedisDraftStore(two_clients[0], time_limit=0.6)
    store.put("family-a", "contact_detail", "07700900461")
    time.sleep(0.4)
    store.put("family-a", "good_time", "mornings")  # renews the whole draft
    time.sleep(0.4)
    assert store.get("family-a") == {"contact_detail": "07700900461", "good_time": "mornings"}
    assert 0 < two_clients[0].pttl(redis_state.key("draft", "family-a")) <= 600
    time.sleep(0.7)
    assert store.get("family-a") == {}
    assert two_clients[0].keys("*") == []


def test_a_draft_store_without_redis_raises_rather_than_dropping_an_answer(dead_client):
    store = drafts.RedisDraftStore(dead_client, time_limit=60)
    started = time.monotonic()
    with pytest.raises(redis.exceptions.RedisError):
        store.put("family-a", "contact_detail", "07700900461")
    assert time.monotonic() - started < 5  # fails fast: the family gets the apology, not a hang


# -- the guard's rate limits ----------------------------------------------------------------


def test_two_servers_share_one_allowance_per_conversation(two_clients):
    clock = Clock()
    first = RedisSlidingWindow(two_clients[0], "conversation", limit=5, clock=clock)
    second = RedisSlidingWindow(two_clients[1], "conversation", limit=5, clock=clock)
    answers = [(first if n % 2 else second).allow("rest-family") for n in range(6)]
    assert answers == [True] * 5 + [False]
    assert first.allow("rest-another-family")
    clock.now += 59.9
    assert not second.allow("rest-family")  # still within the minute
    clock.now += 0.2
    assert second.allow("rest-family") and first.allow("rest-family")


def test_the_shared_windows_hold_no_address_and_expire(two_clients):
    window = RedisSlidingWindow(two_clients[0], "address", limit=3, window=0.5)
    window.allow("203.0.113.7")
    keys = two_clients[0].keys("*")
    assert len(keys) == 1 and keys[0].startswith("send:rate:address:") and "203.0.113.7" not in keys[0]
    time.sleep(0.7)
    assert two_clients[0].keys("*") == []


def test_two_servers_at_once_never_let_more_than_the_limit_through(two_clients):
    """The count and the add are one Lua script: racing servers cannot both take the last place."""
    windows = [RedisSlidingWindow(client, "conversation", limit=50) for client in two_clients]
    allowed = []

    def send(window):
        allowed.extend(window.allow("rest-racing") for _ in range(60))

    threads = [threading.Thread(target=send, args=(windows[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 50


def test_without_redis_the_limits_still_hold_on_this_server(dead_client):
    window = RedisSlidingWindow(dead_client, "conversation", limit=2)
    assert [window.allow("rest-family") for _ in range(3)] == [True, True, False]


def test_the_guard_s_limits_use_redis_when_given_a_client(two_clients):
    first = RateLimits(GuardSettings(per_conversation=2, per_address=100), redis=two_clients[0])
    second = RateLimits(GuardSettings(per_conversation=2, per_address=100), redis=two_clients[1])
    assert first.refusal("rest-a", "198.51.100.1") is None
    assert second.refusal("rest-a", "198.51.100.1") is None
    assert first.refusal("rest-a", "198.51.100.1") == "a conversation"
    # Crisis messages have an allowance of their own, shared too.
    assert second.allow_crisis("rest-a", "198.51.100.1")


# -- the WhatsApp channel's memory ----------------------------------------------------------------


def test_options_offered_by_one_server_are_read_by_another(two_clients):
    first, second = ConversationMemory(redis=two_clients[0]), ConversationMemory(redis=two_clients[1])
    options = [Option("Mediation", "/ask_mediation"), Option("Something else", "/deny")]
    first.offer("wa-1", options)
    assert second.options("wa-1") == options
    second.offer("wa-1", ())
    assert first.options("wa-1") == []


def test_the_24_hour_window_is_shared_and_wall_clock(two_clients):
    clock = Clock()
    first = ConversationMemory(clock=clock, redis=two_clients[0])
    second = ConversationMemory(clock=clock, redis=two_clients[1])
    assert not second.within_window("wa-1")
    first.family_wrote("wa-1")
    clock.now += 23 * 3600
    assert second.within_window("wa-1")
    clock.now += 3600
    assert not second.within_window("wa-1")
    assert 0 < two_clients[0].pttl(redis_state.key("wa", "last", "wa-1")) <= 24 * 3600 * 1000


def test_without_redis_a_family_still_gets_its_reply(dead_client):
    memory = ConversationMemory(redis=dead_client)
    memory.family_wrote("wa-1")
    memory.offer("wa-1", [Option("Mediation", "/ask_mediation")])
    assert memory.within_window("wa-1")  # the family has just written
    assert memory.options("wa-1") == []  # "2" is read as text, as after a restart


# -- Rasa's conversation locks ---------------------------------------------------------------------


def _issue_at_the_same_moment(monkeypatch, stores):
    """Both stores read the lock and choose a number before either writes it back."""
    barrier = threading.Barrier(len(stores), timeout=5)
    original = TicketLock.issue_ticket
    paused = set()

    def issue(self, lifetime):
        number = original(self, lifetime)
        if threading.get_ident() not in paused:
            paused.add(threading.get_ident())
            barrier.wait()
        return number

    monkeypatch.setattr(TicketLock, "issue_ticket", issue)
    tickets = []
    threads = [
        threading.Thread(target=lambda s=s: tickets.append(s.issue_ticket("conversation-1", 60))) for s in stores
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(tickets)


def test_rasa_s_own_redis_lock_store_gives_one_ticket_to_two_servers(monkeypatch, redis_server, two_clients):
    """The known race, shown: read, change, write back, with nothing in between stopping the other."""
    stores = [RedisLockStore(port=redis_server.port, password=redis_server.password, db=0) for _ in range(2)]
    assert _issue_at_the_same_moment(monkeypatch, stores) == [0, 0]
    lock = stores[0].get_lock("conversation-1")
    assert not lock.is_locked(0)  # both servers now think it is their turn


def test_the_atomic_lock_store_gives_each_server_its_own_ticket(monkeypatch, two_clients):
    stores = [AtomicRedisLockStore(client) for client in two_clients]
    assert _issue_at_the_same_moment(monkeypatch, stores) == [0, 1]
    lock = stores[1].get_lock("conversation-1")
    assert [ticket.number for ticket in lock.tickets] == [0, 1]
    assert not lock.is_locked(0) and lock.is_locked(1)


def test_only_one_message_of_a_conversation_is_handled_at_a_time(two_clients):
    """Two 'servers' (clients, threads, event loops) with 15 messages each for one conversation."""
    stores = [AtomicRedisLockStore(client) for client in two_clients]
    inside, most_inside, done = [0], [0], []
    guard = threading.Lock()

    async def message(store, n):
        async with store.lock("conversation-1", lock_lifetime=30, wait_time_in_seconds=0.01):
            with guard:
                inside[0] += 1
                most_inside[0] = max(most_inside[0], inside[0])
            await asyncio.sleep(0.003)
            with guard:
                inside[0] -= 1
            done.append(n)

    def server(store):
        async def run():
            await asyncio.gather(*(message(store, n) for n in range(15)))

        asyncio.run(run())

    threads = [threading.Thread(target=server, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(done) == 30 and most_inside[0] == 1
    assert two_clients[0].keys("*") == []  # the last message deleted the lock


def test_a_dead_server_s_ticket_expires_and_its_key_with_it(two_clients):
    store = AtomicRedisLockStore(two_clients[0])
    store.issue_ticket("conversation-1", lock_lifetime=0.3)  # a server that died holding it
    assert store.get_lock("conversation-1").is_locked(1)
    time.sleep(0.4)
    ticket = store.issue_ticket("conversation-1", lock_lifetime=30)
    assert not store.get_lock("conversation-1").is_locked(ticket)
    key_ttl = two_clients[0].pttl(redis_state.key("lock", "conversation-1"))
    assert 30_000 < key_ttl <= 91_000  # the ticket's 30 s and a minute's margin
