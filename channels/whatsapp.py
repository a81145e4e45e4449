"""The WhatsApp channel, through Twilio: ``POST /webhooks/whatsapp/webhook``.

Based on Rasa's Twilio channel (``rasa/core/channels/twilio.py``), with what
it lacks for families writing on WhatsApp:

* Every request must carry a valid ``X-Twilio-Signature`` (HMAC of the public
  URL and the form fields, keyed with the account's auth token). Otherwise
  anyone who finds the URL could talk to the assistant as any phone number.
  A request without one, or with a wrong one, gets 403 and reaches nothing.
  Behind a proxy the URL Twilio signed is not the one the server sees: set
  ``TWILIO_WEBHOOK_URL`` to the URL configured in Twilio's console, or tell
  Sanic about the proxy (``SANIC_PROXIES_COUNT``, channels/access.py) and the
  URL is rebuilt from ``X-Forwarded-Proto``/``-Host``.
* The conversation id is a keyed hash of the number, never the number
  (:mod:`channels.whatsapp_state`); the number stays in this request's output
  channel, so replies reach the right phone and nothing stores it.
* Buttons become a numbered list, and "2" or the words of an option choose
  it (:mod:`channels.whatsapp_format`); long replies are split, Markdown is
  converted.
* Replies are sent without blocking the server, retried on transient errors,
  and failures are logged without the text or the number
  (:mod:`channels.whatsapp_send`).
* WhatsApp's 24-hour rule: nothing is sent to a family whose last message is
  more than 24 hours old.
* A message Twilio delivers twice is answered once, even across a restart:
  the ids seen in the last 48 hours are kept in the database
  (:mod:`channels.whatsapp_seen`).
* Every message passes through :class:`channels.guard.Guard`, like the REST
  channel's.

The webhook answers Twilio at once with empty TwiML and the message is handled
in the background: Twilio gives up on a webhook after 15 seconds, and a slow
retry of a send must not cut a reply short.

The credentials come from the environment only (see :class:`WhatsAppSettings`);
without them the channel is off, its webhook answers 503, and the rest of the
assistant runs as usual.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text, Tuple
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels.guard import Guard
from channels.whatsapp_format import MAX_BODY_CHARS, Option, choose, render
from channels.whatsapp_seen import SeenMessages
from channels.whatsapp_send import TwilioSender
from channels.whatsapp_state import ConversationMemory, conversation_id, default_memory
from channels.whatsapp_state import id_secret as number_key_secret

logger = logging.getLogger(__name__)

REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER")
OFF_MESSAGE = "The WhatsApp channel is off on this server."
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
ADDRESS_PREFIX = "whatsapp:"


@dataclass(frozen=True)
class WhatsAppSettings:
    """The channel's configuration, from environment variables only (never credentials.yml).

    * ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``: the Twilio account;
    * ``TWILIO_WHATSAPP_NUMBER``: the assistant's WhatsApp sender
      (``whatsapp:+14155238886``; ``whatsapp:`` is added if missing);
    * ``TWILIO_WEBHOOK_URL`` (optional): the webhook's public URL exactly as set
      in Twilio's console, used to check signatures behind a proxy;
    * ``TWILIO_API_BASE`` (optional): another API host than
      https://api.twilio.com (the tests' fake Twilio);
    * ``SEND_ID_SECRET`` (optional, recommended): the key for hashing numbers
      into conversation ids; defaults to the auth token, but then rotating
      the token starts every family's conversation afresh.
    """

    account_sid: str
    auth_token: str
    from_address: str
    webhook_url: Optional[str] = None
    api_base: Optional[str] = None
    id_secret: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Tuple[Optional[WhatsAppSettings], List[str]]:
        """The settings, or None and the names of the missing variables."""
        values = {name: (env.get(name) or "").strip() for name in REQUIRED}
        missing = [name for name, value in values.items() if not value]
        if missing:
            return None, missing
        number = values["TWILIO_WHATSAPP_NUMBER"]
        if not number.lower().startswith(ADDRESS_PREFIX):
            number = ADDRESS_PREFIX + number
        return cls(
            account_sid=values["TWILIO_ACCOUNT_SID"],
            auth_token=values["TWILIO_AUTH_TOKEN"],
            from_address=number,
            webhook_url=(env.get("TWILIO_WEBHOOK_URL") or "").strip() or None,
            api_base=(env.get("TWILIO_API_BASE") or "").strip() or None,
            id_secret=number_key_secret(env),
        ), []


def public_url(request: Request, settings: WhatsAppSettings) -> str:
    """The URL Twilio called, as Twilio saw it: what its signature covers.

    ``TWILIO_WEBHOOK_URL`` if set; otherwise the request's URL as Sanic builds
    it, which behind a proxy declared in Sanic's settings (``SANIC_PROXIES_COUNT``
    ...) uses the proxy's ``X-Forwarded-Proto`` and ``-Host``, and otherwise
    ignores them.
    """
    return settings.webhook_url or request.url


def form_fields(request: Request) -> RequestParameters:
    """The form fields, blank ones included: Twilio signs every field it sends."""
    body = (request.body or b"").decode("utf-8", errors="replace")
    return RequestParameters(parse_qs(body, keep_blank_values=True))


class WhatsAppOutput(OutputChannel):
    """Sends one request's replies to one family; holds their number for that request only."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(
        self,
        conversation: str,
        address: str,
        sender: TwilioSender,
        memory: ConversationMemory,
        limit: int = MAX_BODY_CHARS,
    ) -> None:
        self.conversation, self.address = conversation, address
        self.sender, self.memory, self.limit = sender, memory, limit
        self.offered: List[Option] = []  # every option offered while answering this message

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._deliver(recipient_id, render(text, limit=self.limit))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        options = [
            Option(str(b.get("title") or b.get("payload")), str(b.get("payload") or b.get("title")))
            for b in buttons or []
            if b.get("title") or b.get("payload")
        ]
        # Numbering carries on across messages, so every number offered in one answer is distinct.
        bodies = render(text, [o.title for o in options], start=len(self.offered) + 1, limit=self.limit)
        if await self._deliver(recipient_id, bodies):
            self.offered.extend(options)
            self.memory.offer(self.conversation, self.offered)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Custom payloads are for other channels; shown raw they would be gibberish.
        logger.info("A custom JSON reply was not sent: WhatsApp cannot show it.")

    async def _deliver(self, recipient_id: Text, bodies: List[str]) -> bool:
        if recipient_id != self.conversation:
            logger.error("A reply for another conversation was refused.")
            return False
        if not self.memory.within_window(self.conversation):
            logger.warning(
                "A reply was not sent: the family's last message is over 24 hours old "
                "(WhatsApp allows free-form messages only within 24 hours)."
            )
            return False
        for body in bodies:
            if not await self.sender.send(self.address, body):
                return False  # the rest would make no sense without this part
        return True


class WhatsAppInput(InputChannel):
    """Twilio's WhatsApp webhooks in, replies out through Twilio's Messages API."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if credentials:
            logger.warning("The WhatsApp channel ignores credentials.yml: set its secrets as environment variables.")
        return cls()

    def __init__(
        self,
        settings: Optional[WhatsAppSettings] = None,
        env: Mapping[str, str] = os.environ,
        memory: Optional[ConversationMemory] = None,
        sender: Optional[TwilioSender] = None,
        guard: Optional[Guard] = None,
        seen: Optional[SeenMessages] = None,
    ) -> None:
        if settings is None:
            settings, missing = WhatsAppSettings.from_env(env)
            if settings is None:
                logger.warning(
                    "WhatsApp channel is off: set %s to turn it on (missing: %s).",
                    ", ".join(REQUIRED),
                    ", ".join(missing),
                )
        self.settings = settings
        self.env = env
        self.memory = memory or default_memory()
        self.guard = guard or Guard()
        self._tasks: Set[asyncio.Task[None]] = set()
        self._locks: Dict[str, list] = {}  # conversation -> [lock, tasks using it]
        if settings is not None:
            self.validator = RequestValidator(settings.auth_token)
            self.sender = sender or TwilioSender(
                settings.account_sid, settings.auth_token, settings.from_address, settings.api_base
            )
            self.seen = seen or SeenMessages()
            logger.info("WhatsApp channel is on.")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"status": "off"}, status=503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.text(OFF_MESSAGE, status=503)
            fields = form_fields(request)
            signature = request.headers.get("x-twilio-signature") or ""
            if not signature or not self.validator.validate(public_url(request, self.settings), fields, signature):
                logger.warning("A WhatsApp webhook was refused: its Twilio signature is missing or wrong.")
                return response.text("Forbidden: the request is not signed by Twilio.", status=403)
            self.accept(fields, on_new_message)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook

    def accept(self, fields: RequestParameters, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Start answering a signed webhook in the background (or ignore it, and say why)."""
        address = (fields.get("From") or "").strip()
        if not address.lower().startswith(ADDRESS_PREFIX):
            logger.info("A signed webhook without a WhatsApp sender was ignored.")
            return
        message_sid = fields.get("MessageSid") or fields.get("SmsMessageSid") or ""
        conversation = conversation_id(address, self.settings.id_secret)  # type: ignore[union-attr]  # set when signed
        task = asyncio.get_running_loop().create_task(
            self.handle_once(message_sid, fields.get("Body") or "", conversation, address, on_new_message)
        )
        self._tasks.add(task)  # a reference, so the task is not garbage-collected mid-way
        task.add_done_callback(self._tasks.discard)

    async def handle_once(
        self,
        message_sid: str,
        text: str,
        conversation: str,
        address: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Answer a message unless Twilio delivered it before; a number chooses an option offered.

        One message at a time per conversation, in the order they came (an
        asyncio lock serves waiters in order): the database check must not let
        a later message overtake, and "2" must mean an option of the answer
        the family has seen.
        """
        lock = self._locks.setdefault(conversation, [asyncio.Lock(), 0])
        lock[1] += 1
        try:
            async with lock[0]:
                if message_sid:
                    loop = asyncio.get_running_loop()
                    if not await loop.run_in_executor(None, self.seen.first_time, message_sid):
                        logger.info("A WhatsApp message Twilio delivered twice was answered once.")
                        return
                self.memory.family_wrote(conversation)
                choice = choose(text, self.memory.options(conversation))
                if choice is not None:
                    text = choice.payload
                await self.handle(text, conversation, address, on_new_message)
        finally:
            lock[1] -= 1
            if lock[1] == 0:
                del self._locks[conversation]

    async def handle(
        self,
        text: str,
        conversation: str,
        address: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Pass one message through the guard to Rasa; the replies go out as Rasa makes them."""
        output = WhatsAppOutput(conversation, address, self.sender, self.memory)
        # The number rides along for this message only, so a family can ask for
        # a callback "on this number"; the tracker store drops it before saving
        # (storage/tracker_store.py PERSONAL_METADATA).
        number = address.split(":", 1)[-1]
        message = UserMessage(
            text, output, conversation, input_channel=self.name(), metadata={"whatsapp_number": number}
        )
        answered = False

        async def to_rasa(checked: UserMessage) -> None:
            nonlocal answered
            answered = True
            await on_new_message(checked)

        try:
            # The client address is the hashed number, not Twilio's IP: every
            # family's message comes from Twilio's few servers, so a limit per
            # IP would be one limit for all families together.
            await self.guard.handle(message, to_rasa, client_address=conversation)
        except asyncio.CancelledError:
            logger.error("A WhatsApp message was cancelled before it was answered.")
            raise
        except Exception:
            # Never log the message itself: it may hold personal details.
            logger.exception("A WhatsApp message could not be handled.")
        if answered and not output.offered:
            # The latest answer offered no options, so "2" no longer means one.
            self.memory.offer(conversation, ())
