"""What the WhatsApp channel remembers between messages, and the family's pseudonym.

Privacy by default: the family's phone number is never the conversation id.
The id is a keyed hash of the number (:func:`conversation_id`), so the
tracker, the logs and the action server only ever see ``wa-<hex>``; the
number itself lives only in the output channel of the request being answered.

The channel remembers two things per conversation, in memory only, each
bounded in size and forgotten after a while (:class:`ExpiringStore`):

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
import re
import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, List, Mapping, Optional, Sequence, Tuple, TypeVar

from channels.whatsapp_format import Option

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
        self._items: "OrderedDict[Hashable, Tuple[float, V]]" = OrderedDict()

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


class ConversationMemory:
    """The channel's short memory of each conversation (see the module docstring)."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        window: float = SERVICE_WINDOW_SECONDS,
        max_conversations: int = MAX_CONVERSATIONS,
    ) -> None:
        self.clock, self.window = clock, window
        self._last_inbound: ExpiringStore[float] = ExpiringStore(window, max_conversations, clock)
        self._options: ExpiringStore[Tuple[Option, ...]] = ExpiringStore(window, max_conversations, clock)

    # WhatsApp's 24-hour rule
    def family_wrote(self, conversation: str) -> None:
        self._last_inbound.set(conversation, self.clock())

    def within_window(self, conversation: str) -> bool:
        """True while the family's last message is less than 24 hours old."""
        last = self._last_inbound.get(conversation)
        return last is not None and self.clock() - last < self.window

    # Options offered as a numbered list
    def offer(self, conversation: str, options: Sequence[Option]) -> None:
        if options:
            self._options.set(conversation, tuple(options))
        else:
            self._options.pop(conversation)

    def options(self, conversation: str) -> List[Option]:
        return list(self._options.get(conversation) or ())
