"""What the WhatsApp channel remembers between messages, and the family's pseudonym.

Privacy by default: the family's phone number is never the conversation id.
The id is a keyed hash of the number (:func:`conversation_id`), so the
tracker, the logs and the action server only ever see ``wa-<hex>``; the
number itself lives only in the output channel of the request being answered.

The channel remembers two things per conversation, each forgotten after a
while: in this process's memory, bounded in size (:class:`ExpiringStore`),
or, when several Rasa servers share the work (``SEND_REDIS_URL``,
storage/redis_state.py), in Redis (:class:`RedisExpiringStore`), so that a
"2" answered by another server still means the option this family was offered
(:func:`default_memory` chooses):

* the options last offered, so "2" can be read as the second button;
* when the family last wrote, for WhatsApp's 24-hour rule: a business may
  send free-form messages only within 24 hours of the person's last message.

A restart forgets both; the worst that happens is that a "2" sent just
before a restart is read as ordinary text. (The Twilio message ids already
answered must survive a restart: they are in the database,
:mod:`channels.whatsapp_seen`.)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections import OrderedDict
from typing import Any, Callable, Generic, Hashable, List, Mapping, Optional, Sequence, Tuple, TypeVar

from channels.whatsapp_format import Option
from storage import redis_state

logger = logging.getLogger(__name__)

V = TypeVar("V")
Clock = Callable[[], float]

SERVICE_WINDOW_SECONDS = 24 * 60 * 60  # WhatsApp's customer service window
MAX_CONVERSATIONS = 10_000

_ADDRESS_PREFIX = re.compile(r"^whatsapp:", re.IGNORECASE)
_NUMBER_NOISE = re.compile(r"[\s().-]")


def phone_number(address: str) -> str:
    """'whatsapp:+44 7700 900123' -> '+447700900123' (the number alone, spacing removed)."""
    return _NUMBER_NOISE.sub("", _ADDRESS_PREFIX.sub("", (address or "").strip()))


def id_secret(env: Mapping[str, str]) -> str:
    """The key for hashing numbers: ``SEND_ID_SECRET``, else the Twilio auth token ('' if neither).

    One rule for the channel and for the team's ``erase-whatsapp`` command.
    """
    return (env.get("SEND_ID_SECRET") or "").strip() or (env.get("TWILIO_AUTH_TOKEN") or "").strip()


def conversation_id(address: str, secret: str) -> str:
    """The conversation id for a WhatsApp address: ``wa-`` and 32 hex digits of HMAC-SHA256.

    Keyed, so nobody without the secret can test a guessed number against an
    id; stable, so the same family keeps the same conversation.
    """
    if not secret:
        raise ValueError("a secret is needed to hash phone numbers")
    digest = hmac.new(secret.encode("utf-8"), phone_number(address).encode("utf-8"), hashlib.sha256)
    return "wa-" + digest.hexdigest()[:32]


class ExpiringStore(Generic[V]):
    """A dict whose entries expire after ``ttl`` seconds, holding at most ``max_items``.

    Setting a key makes it the newest; when full, the oldest is dropped. So
    memory stays bounded however many families write, and nothing is kept
    longer than it is useful.
    """

    def __init__(self, ttl: float, max_items: int = MAX_CONVERSATIONS, clock: Clock = time.monotonic) -> None:
        self.ttl, self.max_items, self.clock = ttl, max_items, clock
        self._items: OrderedDict[Hashable, Tuple[float, V]] = OrderedDict()

    def _purge(self, now: float) -> None:
        # Entries are in order of setting, and all live equally long, so the
        # expired ones are at the front.
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now:
                break
            del self._items[key]

    def get(self, key: Hashable) -> Optional[V]:
        now = self.clock()
        self._purge(now)
        entry = self._items.get(key)
        return entry[1] if entry else None

    def set(self, key: Hashable, value: V) -> None:
        now = self.clock()
        self._purge(now)
        self._items.pop(key, None)
        self._items[key] = (now + self.ttl, value)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def add(self, key: Hashable, value: V) -> bool:
        """Set the key only if absent; True if it was added (used to spot repeats)."""
        if self.get(key) is not None:
            return False
        self.set(key, value)
        return True

    def pop(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        self._purge(self.clock())
        return len(self._items)


class StoreUnavailable(RuntimeError):
    """The shared store (Redis) could not be reached."""


class RedisExpiringStore(Generic[V]):
    """:class:`ExpiringStore`'s get, set, add and pop on Redis, shared by every server.

    Each entry is one key (``send:wa:<name>:<key>``) with Redis's own expiry,
    so nothing outlives ``ttl`` and memory is Redis's to bound. Values are
    stored as JSON (``encode``/``decode`` turn them into plain lists and back).
    A Redis failure raises :class:`StoreUnavailable`; :class:`ConversationMemory`
    decides what that means for the family.
    """

    def __init__(
        self,
        client,
        name: str,
        ttl: float,
        encode: Callable[[V], Any] = lambda v: v,
        decode: Callable[[Any], V] = lambda v: v,
    ) -> None:
        self.client, self.name, self.ttl = client, name, ttl
        self.encode, self.decode = encode, decode

    def _key(self, key: Hashable) -> str:
        return redis_state.key("wa", self.name, str(key))

    def _call(self, method: str, *args, **kwargs):
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every Redis failure looks the same to the caller
            raise StoreUnavailable(type(error).__name__) from error

    def get(self, key: Hashable) -> Optional[V]:
        raw = self._call("get", self._key(key))
        return None if raw is None else self.decode(json.loads(raw))

    def set(self, key: Hashable, value: V) -> None:
        self._call("set", self._key(key), json.dumps(self.encode(value)), px=max(1, int(self.ttl * 1000)))

    def add(self, key: Hashable, value: V) -> bool:
        """Set the key only if absent; True if it was added."""
        return bool(
            self._call("set", self._key(key), json.dumps(self.encode(value)), px=max(1, int(self.ttl * 1000)), nx=True)
        )

    def pop(self, key: Hashable) -> None:
        self._call("delete", self._key(key))


def _encode_options(options: Tuple[Option, ...]) -> list:
    return [[option.title, option.payload] for option in options]


def _decode_options(raw: list) -> Tuple[Option, ...]:
    return tuple(Option(str(title), str(payload)) for title, payload in raw)


class ConversationMemory:
    """The channel's short memory of each conversation (see the module docstring).

    In this process's memory; or, given a Redis client, in Redis, shared by
    every server (then times are wall-clock, comparable between servers). If
    Redis cannot be reached, a family is never left without a reply: the
    24-hour window counts as open (the family has just written), and a "2"
    is read as text, as after a restart.
    """

    def __init__(
        self,
        clock: Optional[Clock] = None,
        window: float = SERVICE_WINDOW_SECONDS,
        max_conversations: int = MAX_CONVERSATIONS,
        redis=None,
    ) -> None:
        self.clock, self.window = clock or (time.time if redis is not None else time.monotonic), window
        self._last_inbound: Any
        self._options: Any
        if redis is not None:
            self._last_inbound = RedisExpiringStore(redis, "last", window, float, float)
            self._options = RedisExpiringStore(redis, "options", window, _encode_options, _decode_options)
        else:
            self._last_inbound = ExpiringStore(window, max_conversations, self.clock)
            self._options = ExpiringStore(window, max_conversations, self.clock)

    # WhatsApp's 24-hour rule
    def family_wrote(self, conversation: str) -> None:
        try:
            self._last_inbound.set(conversation, self.clock())
        except StoreUnavailable:
            logger.error("The WhatsApp channel's shared memory is unavailable (Redis).")

    def within_window(self, conversation: str) -> bool:
        """True while the family's last message is less than 24 hours old."""
        try:
            last = self._last_inbound.get(conversation)
        except StoreUnavailable:
            return True  # the family has just written: answering is right
        return last is not None and self.clock() - last < self.window

    # Options offered as a numbered list
    def offer(self, conversation: str, options: Sequence[Option]) -> None:
        try:
            if options:
                self._options.set(conversation, tuple(options))
            else:
                self._options.pop(conversation)
        except StoreUnavailable:
            logger.error("The WhatsApp channel's shared memory is unavailable (Redis).")

    def options(self, conversation: str) -> List[Option]:
        try:
            return list(self._options.get(conversation) or ())
        except StoreUnavailable:
            return []


def default_memory() -> ConversationMemory:
    """The channel's memory: in Redis with ``SEND_REDIS_URL`` (shared by every server), else in this process."""
    client = redis_state.shared_redis()
    return ConversationMemory(redis=client) if client is not None else ConversationMemory()
