"""Where the servers keep what they must share: Redis when ``SEND_REDIS_URL`` is set.

One Rasa server and one action server (`make run`) keep a few short-lived
things in their own memory: the guard's rate limits, the WhatsApp channel's
options offered and last message times, the callback form's drafts, and
Rasa's conversation locks. Several servers behind a load balancer (`make
cluster`, deploy/) must share them, or a family's next message, landing on
another server, would find none of it. So every one of those stores has a
Redis implementation beside its in-memory one, and this module is the one
place that chooses: :func:`shared_redis` returns a client when
``SEND_REDIS_URL`` names a Redis server (``redis://:password@host:6379/0``),
and None otherwise, in which case each store keeps to this process's memory,
exactly as before.

What is kept in Redis, always with an expiry, under ``send:`` keys:

* ``send:lock:<conversation>``: Rasa's ticket lock (storage/lock_store.py);
* ``send:rate:<window>:<key>``: the guard's sliding windows (channels/guard.py);
* ``send:wa:<what>:<conversation>``: the WhatsApp channel's memory
  (channels/whatsapp_state.py);
* ``send:draft:<conversation>``: the callback form's answers while it is open
  (storage/drafts.py). These are a family's contact details before they have
  consented, so this Redis must never write to disk: run it with ``save ""``
  and ``appendonly no`` (scripts/redis_server.py and deploy/ do).

The conversation store and callback requests stay in the database
(``SEND_DATABASE_URL``), and so does WhatsApp's replay protection
(channels/whatsapp_seen.py), which must survive a restart of everything.

The client fails fast (short timeouts): a store that cannot reach Redis must
let the family's message through or give the guard's apology, never hang the
server. Connections are re-made after a Redis restart.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Mapping, Optional

logger = logging.getLogger(__name__)

URL_VARIABLE = "SEND_REDIS_URL"
PREFIX = "send:"
CONNECT_TIMEOUT_SECONDS = 1.0
SOCKET_TIMEOUT_SECONDS = 2.0


def redis_url(env: Mapping[str, str] = os.environ) -> Optional[str]:
    """``SEND_REDIS_URL``, or None for a single process (in-memory stores)."""
    url = (env.get(URL_VARIABLE) or "").strip()
    return url or None


def connect(url: str):
    """A Redis client for ``url`` that fails fast and reconnects after a restart."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        # A connection that died with a Redis restart is replaced on its next use.
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        health_check_interval=30,
        decode_responses=True,
    )


@functools.lru_cache(maxsize=1)
def _client_for(url: str):
    return connect(url)


def shared_redis(env: Mapping[str, str] = os.environ):
    """The process's one Redis client if ``SEND_REDIS_URL`` is set, else None (stay in memory)."""
    url = redis_url(env)
    return _client_for(url) if url else None


def key(*parts: str) -> str:
    """``send:a:b``: every key the assistant writes starts with ``send:``."""
    return PREFIX + ":".join(parts)
