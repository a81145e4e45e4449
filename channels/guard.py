"""The checks every channel applies to a family's message before Rasa sees it.

Why here and not in the NLU pipeline: Rasa treats any text that starts with
``/`` as an intent, with entities that set slots (``/intent{"slot": "x"}``),
before the pipeline runs. So the only safe place to stop a typed payload is
the channel. The guard:

* removes control and invisible formatting characters (and lone surrogates);
* passes a leading ``/`` through only when the whole message is exactly a
  payload our own buttons send (``/`` plus an intent of the domain, with no
  entities); anything else typed with a slash is treated as text;
* refuses a message longer than ``SEND_MAX_MESSAGE_CHARS`` with a polite reply;
* limits messages per conversation and per client address (sliding one-minute
  window), with a friendly reply, so one sender cannot flood the assistant;
* makes sure the family is never left with silence: if handling the message
  fails (action server down, database down) or produces no reply, it sends an
  apology with the phone numbers (``unavailable``).

The replies live in ``content/topics.yml`` (``too_long``, ``slow_down``,
``unavailable``).
"""
from __future__ import annotations

import functools
import logging
import os
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Deque, Dict, FrozenSet, Optional

import yaml
from rasa.core.channels.channel import UserMessage

from actions.content import get_content
from enquiries.tracker_store import database_failed, reset_database_failed

logger = logging.getLogger(__name__)

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"

# C0/C1 controls except tab and newline, zero-width and bidirectional marks,
# and lone surrogates: JSON can carry "\ud800", but no encoder can write it, so
# it broke the NLU pipeline and the database (found by tests/e2e/test_fuzz.py).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ud800-\udfff]"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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
    def from_env(cls) -> "GuardSettings":
        return cls(
            max_chars=_env_int("SEND_MAX_MESSAGE_CHARS", cls.max_chars),
            per_conversation=_env_int("SEND_RATE_PER_CONVERSATION", cls.per_conversation),
            per_address=_env_int("SEND_RATE_PER_ADDRESS", cls.per_address),
        )


@functools.lru_cache(maxsize=1)
def button_payloads() -> FrozenSet[str]:
    """The payloads our buttons send: ``/`` plus an intent, never entities."""
    intents = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["intents"]
    names = (i if isinstance(i, str) else next(iter(i)) for i in intents)
    return frozenset(f"/{name}" for name in names)


def clean_text(text: Optional[str]) -> str:
    """The message without control characters; a typed payload becomes text."""
    if not isinstance(text, str):
        return ""
    text = _CONTROL.sub("", _ANSI.sub("", text)).strip()
    if text.startswith("/") and text not in button_payloads():
        text = text.lstrip("/ ").strip()
    return text


class SlidingWindow:
    """Counts events per key over the last ``window`` seconds."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: Dict[str, Deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = self.clock()
        events = self._events[key]
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        # Keeps memory bounded: drop keys whose newest event has expired.
        if len(self._events) > 10_000:
            for key in [k for k, v in self._events.items() if not v or now - v[-1] >= self.window]:
                del self._events[key]


class Guard:
    """Wraps a channel's ``on_new_message`` with the checks above."""

    def __init__(self, settings: Optional[GuardSettings] = None) -> None:
        self.settings = settings or GuardSettings.from_env()
        self.conversations = SlidingWindow(self.settings.per_conversation)
        self.addresses = SlidingWindow(self.settings.per_address)

    async def handle(
        self,
        message: UserMessage,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
        client_address: Optional[str] = None,
    ) -> None:
        """Pass a cleaned message on, or answer it here with a polite refusal."""
        raw = message.text if isinstance(message.text, str) else ""
        if len(raw) > self.settings.max_chars:
            logger.info("Message refused: %d characters (limit %d)", len(raw), self.settings.max_chars)
            return await self._reply(message, "too_long", limit=f"{self.settings.max_chars:,}")
        if client_address and not self.addresses.allow(client_address):
            logger.info("Message refused: rate limit for a client address")
            return await self._reply(message, "slow_down")
        if not self.conversations.allow(str(message.sender_id)):
            logger.info("Message refused: rate limit for a conversation")
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

    @staticmethod
    async def _reply(message: UserMessage, topic: str, **values) -> None:
        text = get_content().render(get_content().topics[topic], **values)
        await message.output_channel.send_text_message(message.sender_id, text)


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


def client_address(request) -> Optional[str]:
    """The client's address; behind a proxy, the first X-Forwarded-For entry.

    Only trusted when ``SEND_TRUST_PROXY=1`` (the council's proxy sets it);
    otherwise a client could pick its own address and dodge the rate limit.
    """
    if os.environ.get("SEND_TRUST_PROXY") == "1":
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[0].strip()
    return getattr(request, "ip", None)
