"""Rasa's conversation locks: in memory for one server, in Redis, atomically, for several.

Rasa handles one message of a conversation at a time with a *ticket lock*:
each message takes the next ticket number, waits until its number is the
lowest one left, and gives its ticket back when its events are saved. With
several Rasa servers the tickets must be shared, so Rasa offers
``RedisLockStore``. But Rasa's Redis store (rasa/core/lock_store.py, 3.6.21)
changes a lock by reading it, changing it in Python and writing it back
(``issue_ticket``, ``finish_serving``, ``update_lock``, ``cleanup``), with
nothing to stop another server writing in between. When two messages of one
conversation arrive at the same moment on two servers, both can read the lock
before either writes it: both take ticket 0, both think it is their turn, and
both handle the conversation at once. Each then saves its own copy of the
conversation, and the store, which appends only the events it has not seen,
drops or mixes up the other's (tests/unit/test_shared_state.py shows Rasa's
store giving one ticket to both; tests/e2e/test_cluster.py sends such pairs
to two servers and checks that no event is lost or out of order). A ticket
can also vanish when one server gives its ticket back while another takes
one, and the second message then fails with a LockError.

:class:`AtomicRedisLockStore` keeps Rasa's lock, its JSON format and its
algorithm, but does every read-change-write in a Redis transaction
(``WATCH`` the lock's key, ``MULTI``/``EXEC``; redis-py retries when another
server changed the key in between), so each ticket number is given once and
never lost. Each key also expires a minute after its last ticket would, so a
server that dies holding a ticket leaves nothing behind for long (Rasa's keys
never expire). Waiting messages look again every 0.2 s rather than every
second.

A crashed server's ticket blocks its conversation until the ticket expires:
``TICKET_LOCK_LIFETIME`` seconds (Rasa's setting; default 60). The cluster
sets it lower (scripts/cluster.py), so a family whose message was being
answered by a server that died gets its reply from another within that time.
It must stay above the longest time one message takes.

endpoints.yml names :class:`ConversationLockStore`, which is Rasa's own
``InMemoryLockStore`` in a single process and :class:`AtomicRedisLockStore`
when ``SEND_REDIS_URL`` is set (storage/redis_state.py chooses).
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from storage import redis_state

logger = logging.getLogger(__name__)

T = TypeVar("T")
KEY_MARGIN_SECONDS = 60  # how long a key outlives its last ticket
WAIT_SECONDS = 0.2  # how often a waiting message looks again (Rasa: 1 s)


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's RedisLockStore with every change to a lock made in one Redis transaction."""

    def __init__(self, client, key_prefix: str = redis_state.key("lock", "")) -> None:
        # Not RedisLockStore.__init__, which builds its own client from host and port.
        self.red = client
        self.key_prefix = key_prefix

    def _change(
        self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]
    ) -> T:
        """Read the lock, apply ``change``, write the result (or delete the key for None), atomically."""
        key = self.key_prefix + conversation_id
        result: list = []

        def transaction(pipe) -> None:
            result.clear()
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, value = change(lock)
            pipe.multi()
            if new_lock is None:
                pipe.delete(key)
            else:
                latest = max((ticket.expires for ticket in new_lock.tickets), default=time.time())
                pipe.set(key, new_lock.dumps(), pxat=int((latest + KEY_MARGIN_SECONDS) * 1000))
            result.append(value)

        self.red.transaction(transaction, key)
        return result[0]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """The next ticket number for this conversation, never given to anyone else."""

        def change(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, change)
        except Exception as error:  # as Rasa's: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets (a lock that is gone stays gone, as in Rasa's)."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Give the ticket back, and delete the lock if no one else holds one, in one step."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        try:
            self._change(conversation_id, change)
        except Exception:  # noqa: BLE001 - the message is answered; the ticket expires by itself
            logger.error("A conversation lock could not be released (Redis); it expires by itself.")

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = WAIT_SECONDS
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's lock, looking again every 0.2 s while another message is handled."""
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock


class ConversationLockStore(LockStore):
    """The lock store endpoints.yml names: Rasa's in-memory one, or Redis with ``SEND_REDIS_URL``.

    Rasa creates a custom lock store as ``Class(endpoint_config=...)``; this
    class hands back the store that fits instead of an instance of itself.
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:
        client = redis_state.shared_redis()
        if client is None:
            return InMemoryLockStore()
        logger.info("Conversation locks are shared in Redis (SEND_REDIS_URL).")
        return AtomicRedisLockStore(client)
