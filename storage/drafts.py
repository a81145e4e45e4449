"""The callback form's answers while the form is open: held by the action server, never stored.

Rasa keeps every slot value in the conversation store, and a family who types
a phone number and then closes the tab, says "stop", or says no to consent,
must not leave that number behind. So the free-text answers (what the request
is about, the number or address, a good time) never go into a slot. The
action server keeps them here, keyed by the conversation id, and the slot gets
only :data:`MARKER`, so the form still sees the question answered. The submit
action takes the real values from here, with consent, into the callback
request (enquiries/store.py), and deletes the draft.

A draft is deleted at once by "stop", consent "no", a crisis, "cancel", a new
session and the end of the form, and otherwise forgotten after
:func:`time_limit_seconds` (the session expiry plus a margin): a family who
just goes away leaves nothing for longer than that. A draft that is gone when
the form ends (the action server restarted, or the time ran out) is not an
error: the form asks again for what is missing (actions/callback_actions.py).

:class:`DraftStore` is the interface. :class:`MemoryDraftStore` keeps drafts in
this process, which is right for one action server. Several action servers
behind a load balancer (`make cluster`) share :class:`RedisDraftStore`: each
draft is a Redis hash with the same time limit, so a family's next answer may
reach any action server. :func:`default_store` picks Redis when
``SEND_REDIS_URL`` is set (storage/redis_state.py), memory otherwise. That
Redis must not write to disk: a draft holds contact details before consent.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import yaml

from storage import redis_state

ROOT = Path(__file__).resolve().parents[1]

# What a form slot holds instead of the answer (the tracker store relies on it too).
MARKER = "[draft]"
# The form's answers that may carry personal details, held here, not in slots.
ANSWER_SLOTS = ("callback_topic", "contact_detail", "good_time")
# After the request is stored, the draft holds only its reference, under this field,
# so the same consent handled again gives the same reference (actions/callback_actions.py).
SUBMITTED = "submitted_reference"

TIME_LIMIT_VARIABLE = "SEND_DRAFT_SECONDS"
MARGIN_SECONDS = 15 * 60
DEFAULT_SESSION_MINUTES = 60
MAX_DRAFTS = 10_000  # bounded memory however many families start a request

Clock = Callable[[], float]


def session_expiry_minutes(domain_file: Path = ROOT / "domain.yml") -> int:
    """Rasa's session expiry from domain.yml (one setting, not a second copy of it)."""
    try:
        with domain_file.open(encoding="utf-8") as handle:
            config = (yaml.safe_load(handle) or {}).get("session_config") or {}
        return int(config.get("session_expiration_time", DEFAULT_SESSION_MINUTES))
    except (OSError, ValueError, TypeError, yaml.YAMLError):
        return DEFAULT_SESSION_MINUTES


def time_limit_seconds(env=os.environ) -> float:
    """How long an untouched draft lives: ``SEND_DRAFT_SECONDS`` (tests), else session expiry + margin."""
    raw = (env.get(TIME_LIMIT_VARIABLE) or "").strip()
    if raw:
        seconds = float(raw)
        if seconds <= 0:
            raise ValueError(f"{TIME_LIMIT_VARIABLE} must be a positive number of seconds")
        return seconds
    return session_expiry_minutes() * 60 + MARGIN_SECONDS


class DraftStore:
    """The form's answers per conversation, for a limited time.

    Values are short strings. ``put`` renews the time limit of the whole
    draft; ``get`` returns a copy (empty when there is none, or it expired);
    ``delete`` forgets the conversation's draft at once.
    """

    def put(self, conversation_id: str, field: str, value: str) -> None:
        raise NotImplementedError

    def get(self, conversation_id: str) -> Dict[str, str]:
        raise NotImplementedError

    def delete(self, conversation_id: str) -> None:
        raise NotImplementedError


class MemoryDraftStore(DraftStore):
    """Drafts in this process's memory: thread-safe, bounded, expiring.

    Entries are kept in order of last change, so the expired ones are always
    at the front and are dropped without scanning the rest.
    """

    def __init__(self, time_limit: float, max_drafts: int = MAX_DRAFTS, clock: Clock = time.monotonic) -> None:
        self.time_limit, self.max_drafts, self.clock = time_limit, max_drafts, clock
        self._drafts: OrderedDict[str, Tuple[float, Dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def _drop_expired(self, now: float) -> None:
        while self._drafts:
            key, (expires, _) = next(iter(self._drafts.items()))
            if expires > now:
                break
            del self._drafts[key]

    def put(self, conversation_id: str, field: str, value: str) -> None:
        with self._lock:
            now = self.clock()
            self._drop_expired(now)
            _, fields = self._drafts.pop(conversation_id, (0.0, {}))
            fields[field] = value
            self._drafts[conversation_id] = (now + self.time_limit, fields)
            while len(self._drafts) > self.max_drafts:
                self._drafts.popitem(last=False)

    def get(self, conversation_id: str) -> Dict[str, str]:
        with self._lock:
            self._drop_expired(self.clock())
            entry = self._drafts.get(conversation_id)
            return dict(entry[1]) if entry else {}

    def delete(self, conversation_id: str) -> None:
        with self._lock:
            self._drafts.pop(conversation_id, None)

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired(self.clock())
            return len(self._drafts)


class RedisDraftStore(DraftStore):
    """Drafts shared by several action servers: one Redis hash per conversation, with an expiry.

    ``put`` sets the field and renews the expiry of the whole draft in one
    transaction; Redis deletes the draft when the time runs out, so nothing
    outlives the time limit even if every action server stops. If Redis cannot
    be reached the error goes up: the action fails, and the family gets the
    guard's apology with the phone numbers, never an answer quietly dropped.
    """

    def __init__(self, client, time_limit: float) -> None:
        self.client, self.time_limit = client, time_limit

    @staticmethod
    def _key(conversation_id: str) -> str:
        return redis_state.key("draft", conversation_id)

    def put(self, conversation_id: str, field: str, value: str) -> None:
        key = self._key(conversation_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, field, value)
            pipe.pexpire(key, max(1, int(self.time_limit * 1000)))
            pipe.execute()

    def get(self, conversation_id: str) -> Dict[str, str]:
        return dict(self.client.hgetall(self._key(conversation_id)) or {})

    def delete(self, conversation_id: str) -> None:
        self.client.delete(self._key(conversation_id))


_default: Optional[DraftStore] = None
_default_lock = threading.Lock()


def default_store() -> DraftStore:
    """The action server's one draft store: shared in Redis with ``SEND_REDIS_URL``, else in memory."""
    global _default
    with _default_lock:
        if _default is None:
            client = redis_state.shared_redis()
            limit = time_limit_seconds()
            _default = RedisDraftStore(client, limit) if client is not None else MemoryDraftStore(limit)
        return _default
