"""The socket.io channel the website widget talks to, with three fixes to Rasa's own.

Same name ("socketio"), path (``/socket.io``) and events (``session_request``,
``session_confirm``, ``user_uttered``, ``bot_uttered``) as
``rasa.core.channels.socketio.SocketIOInput``, so any Rasa socket.io client
works, but:

1. **Only the council's sites may connect from a browser.** Rasa's channel
   sets ``cors_allowed_origins=[]``, which switches the Origin check off and
   lets any web page talk to the assistant in a visitor's browser. Here the
   allowed origins come from ``SEND_WIDGET_ORIGINS`` (comma-separated, e.g.
   ``https://go.walsall.gov.uk``); the default is the demo page
   (``http://localhost:8080``, ``http://127.0.0.1:8080``). A browser always
   sends Origin, so a page elsewhere is refused. (A script outside a browser
   can send any Origin it likes; that is what the guard's limits are for.)
2. **The server, not the client, picks the conversation id.** Rasa's channel
   takes any ``session_id`` a client sends, so a client could join someone
   else's conversation, or any other channel's (the tracker store is shared),
   by naming its id. Here a new conversation gets a random ``uuid4`` id, and
   the client is given a *token*: the id and the time it was issued, with an
   HMAC of both made with a server secret (``SEND_WIDGET_SECRET``, or a random
   one per process). A token comes back on reconnect (page reload, another
   page of the site); the server continues that conversation only if the HMAC
   is right and the token is less than ``SEND_WIDGET_TOKEN_HOURS`` old
   (default 24), and otherwise starts a new one (the widget says so). So a
   token copied from a shared computer stops working. The conversation is
   bound to the socket on the server, so the ``session_id`` in a
   ``user_uttered`` event is ignored. Tokens are never logged and never reach
   the tracker store (only the uuid does).
3. **Every message passes through** :class:`channels.guard.Guard`, like the
   REST channel, with the client's address taken from the request that opened
   the socket (the sanic driver's ``REMOTE_ADDR`` is always 127.0.0.1).

Also: ``enter_room`` is awaited when it is a coroutine, so replies still arrive
with python-socketio >= 5.10 (RasaHQ/rasa#13027; we pin 5.9.0 anyway). And a
question whose typed answer may hold personal details (the callback form's,
``asks_personal_detail`` in the action's message) reaches the widget with
``metadata: {"asks_personal_detail": true}``, so the widget keeps a placeholder,
not the answer, in the browser's saved transcript.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import os
import re
import secrets
import time
import uuid
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.guard import Guard, client_address

logger = logging.getLogger(__name__)

DEFAULT_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")
_TOKEN = re.compile(r"^([0-9a-f]{32})\.([0-9]{1,12})\.([0-9a-f]{64})$")
DEFAULT_TOKEN_HOURS = 24
CLOCK_SKEW_SECONDS = 60
# Set by the actions on a question whose typed answer may hold personal details
# (advice/replies.py Message.asks_personal_detail).
ASKS_PERSONAL_DETAIL = "asks_personal_detail"
# Set by the actions on a summary the family may keep (advice/replies.py Message.keep_copy).
KEEP_COPY = "keep_copy"


def allowed_origins(value: Optional[str] = None) -> List[str]:
    """The origins from ``SEND_WIDGET_ORIGINS`` (or ``value``), checked.

    Each must be ``scheme://host[:port]`` with no path. ``*`` is refused, and
    so is an empty list: python-engineio reads ``[]`` as "no check at all".
    """
    raw = os.environ.get("SEND_WIDGET_ORIGINS") if value is None else value
    if raw is None or not raw.strip():
        return list(DEFAULT_ORIGINS)
    origins = []
    for entry in (part.strip().rstrip("/") for part in raw.split(",")):
        if not entry:
            continue
        parts = urlsplit(entry)
        if (
            entry == "*"
            or parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.path
            or parts.query
            or parts.fragment
        ):
            raise ValueError(f"SEND_WIDGET_ORIGINS: {entry!r} is not an origin like https://www.example.gov.uk")
        origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
    if not origins:
        raise ValueError("SEND_WIDGET_ORIGINS lists no origins")
    return origins


def _token_hours() -> float:
    raw = os.environ.get("SEND_WIDGET_TOKEN_HOURS", "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_TOKEN_HOURS
    except ValueError:
        logger.warning("SEND_WIDGET_TOKEN_HOURS is not a number; using %s", DEFAULT_TOKEN_HOURS)
        return DEFAULT_TOKEN_HOURS
    return hours if hours > 0 else DEFAULT_TOKEN_HOURS


class SessionTokens:
    """Issues conversation ids and checks the tokens that carry them.

    A token is ``<uuid4 hex>.<issued, Unix seconds>.<HMAC-SHA256 of both>``:
    the server needs to remember nothing, and a token it did not issue (or
    one for another server secret), or one older than ``max_age`` seconds, is
    refused. The issue time is the conversation's start and is never renewed,
    so reconnecting cannot keep a token alive forever.
    """

    def __init__(
        self, secret: Optional[bytes] = None, max_age: Optional[float] = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_age = max_age if max_age is not None else _token_hours() * 3600
        self.clock = clock
        if secret is None:
            configured = os.environ.get("SEND_WIDGET_SECRET", "")
            if configured:
                secret = configured.encode("utf-8")
            else:
                logger.info(
                    "SEND_WIDGET_SECRET is not set: widget conversations cannot be continued after the server restarts."
                )
                secret = secrets.token_bytes(32)
        self._secret = secret

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        body = f"{uuid.uuid4().hex}.{int(self.clock())}"
        return f"{body}.{self._sign(body)}"

    def session_id(self, token: Any) -> Optional[str]:
        """The conversation id in ``token`` if this server issued it and it has not expired, else None."""
        if not isinstance(token, str):
            return None
        match = _TOKEN.match(token)
        if not match:
            return None
        session_id, issued, signature = match.groups()
        if not hmac.compare_digest(signature, self._sign(f"{session_id}.{issued}")):
            return None
        age = self.clock() - int(issued)
        if age > self.max_age or age < -CLOCK_SKEW_SECONDS:
            logger.info("An expired widget token was refused; a new conversation starts.")
            return None
        return session_id


class GuardedSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, passing on which question asks for personal details."""

    async def _send_parts(
        self, recipient_id: Text, text: Text, quick_replies: Optional[List[Dict]], kwargs: Dict[Text, Any]
    ) -> None:
        parts = text.strip().split("\n\n") or [text]
        messages: List[Dict[Text, Any]] = [{"text": part} for part in parts]
        if quick_replies is not None:
            messages[-1]["quick_replies"] = quick_replies
        if kwargs.get(ASKS_PERSONAL_DETAIL):
            messages[-1]["metadata"] = {ASKS_PERSONAL_DETAIL: True}
        if kwargs.get(KEEP_COPY):
            # A summary to keep: the widget offers it whole as a text file to
            # download or print (the parts above are how it reads in the chat).
            messages[-1].setdefault("metadata", {})[KEEP_COPY] = {"text": text.strip()}
        for message in messages:
            await self._send_message(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_parts(recipient_id, text, None, kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: Iterable[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        quick_replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_parts(recipient_id, text, quick_replies, kwargs)


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with the origin check, server-issued ids and the guard."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        namespace: Optional[Text] = None,
        session_persistence: bool = False,
        socketio_path: Optional[Text] = "/socket.io",
    ) -> None:
        super().__init__(user_message_evt, bot_message_evt, namespace, session_persistence, socketio_path)
        self.origins = allowed_origins()
        self.tokens = SessionTokens()
        self.guard = Guard()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins)
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "guarded_socketio_webhook", __name__)
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            request = environ.get("sanic.request")
            address = client_address(request) if request is not None else None
            await sio.save_session(sid, {"address": address, "session_id": None}, namespace=namespace)
            return True

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            session_id = self.tokens.session_id(token)
            if session_id is None:
                token = self.tokens.issue()
                session_id = self.tokens.session_id(token)
            state = await sio.get_session(sid, namespace=namespace)
            if self.session_persistence:
                if state.get("session_id") and state["session_id"] != session_id:
                    await _maybe_await(sio.leave_room(sid, state["session_id"], namespace=namespace))
                # Awaited when a coroutine: python-socketio >= 5.10 (RasaHQ/rasa#13027).
                await _maybe_await(sio.enter_room(sid, session_id, namespace=namespace))
            state["session_id"] = session_id
            await sio.save_session(sid, state, namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            state = await sio.get_session(sid, namespace=namespace)
            if not state.get("session_id"):
                logger.info("A socket.io message before session_request was ignored.")
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str):
                return
            sender_id = state["session_id"] if self.session_persistence else sid
            message = UserMessage(
                text,
                GuardedSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
            )
            try:
                await self.guard.handle(message, on_new_message, state.get("address"))
            except CancelledError:
                logger.error("A message timed out before it was answered.")
            except Exception:
                # Never log the message itself: it may hold personal details.
                logger.exception("A message could not be handled.")

        return webhook
