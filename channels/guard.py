"""The checks every channel applies to a family's message before Rasa sees it.

Why here and not in the NLU pipeline: Rasa treats any text that starts with
``/`` as an intent, with entities that set slots (``/intent{"slot": "x"}``),
before the pipeline runs. So the only safe place to stop a typed payload is
the channel. The guard, in this order:

* **crisis first, always**: a message that looks like a crisis (the keyword
  net, :func:`advice.safety.looks_like_crisis`, on the raw text) gets the
  crisis reply at once, rendered from content exactly as ``action_crisis``
  gives it, even when the message is too long or over a rate limit. It still
  reaches Rasa if it can (so a form in progress ends and the history shows
  the crisis); an over-long one reaches it as the ``/crisis`` payload;
* removes control and invisible formatting characters (and lone surrogates);
* passes a leading ``/`` through only when the whole message is exactly a
  payload our own buttons send (:func:`button_payloads`, collected from every
  reply the assistant can render); anything else loses its leading run of
  slashes and spaces and is treated as text;
* refuses a message longer than ``SEND_MAX_MESSAGE_CHARS`` with a polite reply;
* limits messages per conversation and per client address (sliding one-minute
  window), with a friendly reply, so one sender cannot flood the assistant.
  One set of limits is shared by every channel of the server
  (:func:`shared_limits`), so a client gets no second allowance on another
  channel; with ``SEND_REDIS_URL`` set, by every server of the cluster too
  (:class:`RedisSlidingWindow`), so a client gets none on another server;
* makes sure the family is never left with silence: if handling the message
  fails (action server down, database down) or produces no reply, it sends an
  apology with the phone numbers (``unavailable``).

The replies live in ``content/topics.yml`` (``crisis``, ``too_long``,
``slow_down``, ``unavailable``); the last three also give the emergency number.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Deque, FrozenSet, List, Optional

import yaml
from rasa.core.channels.channel import UserMessage

from advice.catalogue import all_replies
from advice.content import get_content
from advice.replies import crisis_reply
from advice.safety import looks_like_crisis, remove_hidden
from storage import redis_state
from storage.tracker_store import database_failed, reset_database_failed

logger = logging.getLogger(__name__)

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"

# Sent by our own clients rather than by a button: the widget opens a
# conversation with it, so the assistant introduces itself (web/src/widget.js).
CLIENT_PAYLOADS = frozenset({"/greet"})
# What Rasa is given for a crisis message too long to pass on as it is.
CRISIS_PAYLOAD = "/crisis"
# The crisis check reads at most this much of a message (its start and end when
# longer): the patterns cost about 3 ms per 1,000 characters, and a request may
# carry up to 1 MB, which would stall the server for seconds.
CRISIS_SCAN_CHARS = 20_000

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LEADING_SLASHES = re.compile(r"^[\s/]+")


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        logger.warning("%s is not a whole number; using %s", name, default)
        return default


@dataclass(frozen=True)
class GuardSettings:
    """Limits, from the environment so operators can tune them without code."""

    max_chars: int = 2000
    per_conversation: int = 20  # messages a minute in one conversation
    per_address: int = 120  # messages a minute from one client address

    @classmethod
    def from_env(cls) -> GuardSettings:
        return cls(
            max_chars=_env_int("SEND_MAX_MESSAGE_CHARS", cls.max_chars),
            per_conversation=_env_int("SEND_RATE_PER_CONVERSATION", cls.per_conversation),
            per_address=_env_int("SEND_RATE_PER_ADDRESS", cls.per_address),
        )


def _domain_payloads() -> List[str]:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}
    return [
        str(button.get("payload"))
        for variants in (domain.get("responses") or {}).values()
        for variant in variants or []
        for button in variant.get("buttons") or []
    ]


@functools.lru_cache(maxsize=1)
def button_payloads() -> FrozenSet[str]:
    """The ``/`` payloads our buttons send: nothing else typed with a slash reaches Rasa as a command.

    Collected from what the assistant renders, so a new reply's buttons are
    allowed without a list to keep up to date: the domain's responses, every
    reply in ``advice.catalogue.all_replies`` (which includes the callback
    form's), and the widget's opening payload.
    """
    payloads = set(CLIENT_PAYLOADS) | set(_domain_payloads())
    try:
        payloads |= {b.payload for _, messages in all_replies(get_content()) for m in messages for b in m.buttons}
    except Exception:  # noqa: BLE001 - a content error must not stop the channels
        # `make content-check` catches this before release; meanwhile a button
        # press is read as text, which the NLU model mostly understands.
        logger.exception("The content's buttons could not be collected; only the domain's are accepted.")
    return frozenset(p for p in payloads if p.startswith("/"))


def clean_text(text: Optional[str]) -> str:
    """The message without control characters; a typed payload becomes text.

    ``/\\t/affirm`` or ``/ /restart`` would otherwise reach Rasa as a command
    once the whitespace is gone, so the whole leading run of slashes and
    whitespace is removed, not one slash.
    """
    if not isinstance(text, str):
        return ""
    text = remove_hidden(_ANSI.sub("", text)).strip()
    if text.startswith("/") and text not in button_payloads():
        text = _LEADING_SLASHES.sub("", text)
    return text


def crisis_excerpt(text: str) -> str:
    """What the crisis check reads: all of it, or its start and end beyond CRISIS_SCAN_CHARS."""
    if len(text) <= CRISIS_SCAN_CHARS:
        return text
    half = CRISIS_SCAN_CHARS // 2
    return f"{text[:half]}\n{text[-half:]}"


class SlidingWindow:
    """Counts events per key over the last ``window`` seconds, in bounded memory.

    Keys are kept in the order of their newest event, so the idle ones (newest
    event older than the window) are at the front and are dropped there: each
    message costs O(1) however many keys there are (the old version scanned
    the whole table on every message once it held 10,000 keys).
    """

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: OrderedDict[str, Deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self.clock()
        self._forget_idle(now)
        events = self._events.get(key)
        if events is not None:
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
        if self.limit < 1:
            return False
        if events is None:
            events = self._events[key] = deque()
        else:
            self._events.move_to_end(key)
        events.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        while self._events:
            key, events = next(iter(self._events.items()))
            if now - events[-1] < self.window:
                return
            del self._events[key]

    def __len__(self) -> int:
        return len(self._events)


class RedisSlidingWindow:
    """:class:`SlidingWindow` shared by every server of a cluster, in Redis.

    Each key's events are a sorted set of their times, trimmed to the window,
    counted and added to in one Lua script, so two servers cannot both let the
    last allowed message through. The key names a hash of the address or
    conversation, never the address itself, and expires with the window.
    Times are the servers' wall clocks (the same host, or NTP).

    If Redis cannot be reached the window falls back to this process's own
    (:class:`SlidingWindow`): the limits keep working, per server, and no
    family is refused because a store is down.
    """

    SCRIPT = """
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
      return 0
    end
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
    """

    def __init__(self, client, name: str, limit: int, window: float = 60.0, clock=time.time) -> None:
        self.client, self.name, self.limit, self.window, self.clock = client, name, limit, window, clock
        self._script = client.register_script(self.SCRIPT)
        self._local = SlidingWindow(limit, window, clock)
        self._warned_at = float("-inf")

    def _key(self, key: str) -> str:
        digest = hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=16).hexdigest()
        return redis_state.key("rate", self.name, digest)

    def allow(self, key: str) -> bool:
        if self.limit < 1:
            return False
        now_ms = int(self.clock() * 1000)
        try:
            member = f"{now_ms}-{secrets.token_hex(6)}"
            return bool(self._script(keys=[self._key(key)], args=[now_ms, int(self.window * 1000), self.limit, member]))
        except Exception:  # noqa: BLE001 - any Redis failure: keep limiting, in this process
            if now_ms / 1000 - self._warned_at > 60:
                self._warned_at = now_ms / 1000
                logger.error("The shared rate limits are unavailable (Redis); using this server's own for now.")
            return self._local.allow(key)


class RateLimits:
    """The per-address and per-conversation windows, and the same again for crisis messages.

    A message that looks like a crisis always gets the crisis reply; it is
    passed on to Rasa within the ordinary allowance or, beyond it, within an
    allowance of its own as big again, so a flood of crisis words cannot make
    the server do unlimited work.

    With a Redis client the windows are shared by every server using it
    (:class:`RedisSlidingWindow`); without, they are this process's own.
    """

    def __init__(self, settings: GuardSettings, clock=None, redis=None) -> None:
        def window(name: str, limit: int):
            if redis is not None:
                return RedisSlidingWindow(redis, name, limit, clock=clock or time.time)
            return SlidingWindow(limit, clock=clock or time.monotonic)

        self.conversations = window("conversation", settings.per_conversation)
        self.addresses = window("address", settings.per_address)
        self.crisis_conversations = window("crisis-conversation", settings.per_conversation)
        self.crisis_addresses = window("crisis-address", settings.per_address)

    @staticmethod
    def _allow(addresses, conversations, conversation: str, address: Optional[str]) -> Optional[str]:
        if address and not addresses.allow(address):
            return "a client address"
        if not conversations.allow(conversation):
            return "a conversation"
        return None

    def refusal(self, conversation: str, address: Optional[str]) -> Optional[str]:
        """None if the message is within the limits; else which limit it is over."""
        return self._allow(self.addresses, self.conversations, conversation, address)

    def allow_crisis(self, conversation: str, address: Optional[str]) -> bool:
        return self._allow(self.crisis_addresses, self.crisis_conversations, conversation, address) is None


@functools.cache
def shared_limits(settings: GuardSettings) -> RateLimits:
    """The one set of limits of this server process, shared by every channel
    (and, with ``SEND_REDIS_URL``, by every server: storage/redis_state.py)."""
    return RateLimits(settings, redis=redis_state.shared_redis())


class Guard:
    """Wraps a channel's ``on_new_message`` with the checks above.

    Channels create it without arguments and so share this process's limits
    (:func:`shared_limits`). Given its own ``settings`` (tests, tools), a guard
    has limits of its own unless ``limits`` is passed too.
    """

    def __init__(self, settings: Optional[GuardSettings] = None, limits: Optional[RateLimits] = None) -> None:
        if settings is None:
            self.settings = GuardSettings.from_env()
            self.limits = limits or shared_limits(self.settings)
        else:
            self.settings = settings
            self.limits = limits or RateLimits(settings)

    async def handle(
        self,
        message: UserMessage,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
        client_address: Optional[str] = None,
    ) -> None:
        """Pass a cleaned message on, or answer it here with a polite refusal."""
        raw = message.text if isinstance(message.text, str) else ""
        too_long = len(raw) > self.settings.max_chars
        if looks_like_crisis(crisis_excerpt(raw)):
            over_limit = self.limits.refusal(str(message.sender_id), client_address)
            return await self._crisis(message, on_new_message, raw, too_long, over_limit, client_address)
        if too_long:
            logger.info("Message refused: %d characters (limit %d)", len(raw), self.settings.max_chars)
            return await self._reply(message, "too_long", limit=f"{self.settings.max_chars:,}")
        over_limit = self.limits.refusal(str(message.sender_id), client_address)
        if over_limit:
            logger.info("Message refused: rate limit for %s", over_limit)
            return await self._reply(message, "slow_down")
        message.text = clean_text(raw)
        output = _CountingOutput(message.output_channel)
        message.output_channel = output
        reset_database_failed()
        try:
            await on_new_message(message)
        except Exception:  # noqa: BLE001 - logged without the message; the family gets numbers
            logger.exception("A message could not be handled; sending the fallback reply.")
        if output.sent == 0 or database_failed():
            # Silence, or a reply without the conversation's history: say so plainly.
            logger.error("A message was not handled normally; sending the fallback reply.")
            await self._reply(message, "unavailable")

    async def _crisis(
        self,
        message: UserMessage,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
        raw: str,
        too_long: bool,
        over_limit: Optional[str],
        client_address: Optional[str],
    ) -> None:
        """The crisis reply now; then Rasa, if the limits allow, without repeating it."""
        logger.info(
            "A message looks like a crisis: the crisis reply goes first%s.",
            " (over a limit)" if too_long or over_limit else "",
        )
        channel = message.output_channel
        texts = [m.text for m in crisis_reply(get_content())]
        for text in texts:
            await channel.send_text_message(message.sender_id, text)
        if not over_limit or self.limits.allow_crisis(str(message.sender_id), client_address):
            message.text = CRISIS_PAYLOAD if too_long else clean_text(raw)
            message.output_channel = _WithoutRepeats(channel, texts)
            try:
                await on_new_message(message)
            except Exception:  # noqa: BLE001 - the family already has the crisis reply
                logger.exception("A crisis message could not be handled; the crisis reply was sent.")
            message.output_channel = channel
        if too_long:
            await self._reply(message, "too_long", limit=f"{self.settings.max_chars:,}")

    @staticmethod
    async def _reply(message: UserMessage, topic: str, **values) -> None:
        await message.output_channel.send_text_message(message.sender_id, render_topic(topic, **values))


def render_topic(topic: str, **values) -> str:
    """One of the guard's replies from content/topics.yml, placeholders filled."""
    content = get_content()
    return content.render(content.topics[topic], **values)


class _CountingOutput:
    """Passes replies through to the channel, counting them (Rasa sends each with send_response)."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.sent = 0

    async def send_response(self, recipient_id: str, message: dict) -> None:
        self.sent += 1
        await self._inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs) -> None:
        self.sent += 1
        await self._inner.send_text_message(recipient_id, text, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


class _WithoutRepeats:
    """Passes Rasa's replies through, except the crisis text the guard has already sent (once)."""

    def __init__(self, inner, already_sent: List[str]) -> None:
        self._inner = inner
        self._pending = list(already_sent)

    def _repeat(self, message: dict) -> bool:
        text = message.get("text")
        if text in self._pending and not any(message.get(k) for k in ("buttons", "quick_replies", "custom")):
            self._pending.remove(text)
            return True
        return False

    async def send_response(self, recipient_id: str, message: dict) -> None:
        if not self._repeat(message):
            await self._inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs) -> None:
        if not self._repeat({"text": text}):
            await self._inner.send_text_message(recipient_id, text, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


def client_address(request) -> Optional[str]:
    """The client's address, for the per-address limit.

    Behind a reverse proxy, the address the proxy saw, as Sanic's own proxy
    settings find it (``SANIC_PROXIES_COUNT``, ``SANIC_REAL_IP_HEADER``,
    ``SANIC_FORWARDED_SECRET``): with one proxy, the rightmost
    ``X-Forwarded-For`` entry, which the proxy added, never the leftmost,
    which the client wrote. Without those settings, or when no proxy header
    is there, the address of the socket.
    """
    forwarded = getattr(request, "remote_addr", "") or ""
    return forwarded or getattr(request, "ip", None) or None
