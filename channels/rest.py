"""The REST channel, with the guard in front of it.

Same URL and JSON as Rasa's own (``POST /webhooks/rest/webhook`` with
``{"sender": ..., "message": ...}``), but:

* every message passes through :mod:`channels.guard`;
* the body must be sent as ``Content-Type: application/json`` (else 415), and
  a malformed request gets a 400 with a plain reason instead of a server error;
* the conversation id is ``rest-`` and the client's ``sender``
  (:func:`conversation_id`), so a REST client can never write into a widget
  conversation (a bare uuid) or a WhatsApp one (``wa-...``): the conversation
  store is shared by all channels. Replies still name the client's own
  ``sender`` as ``recipient_id``;
* ``metadata`` is accepted (Rasa's clients send it) but neither passed on nor
  stored: nothing a client writes there can reach an action or the database.
"""

from __future__ import annotations

import json
import re
from typing import Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import access
from channels.guard import Guard, client_address

MAX_SENDER_CHARS = 128
REST_PREFIX = "rest-"
# A conversation id is a key in the database and in logs: no control characters
# (PostgreSQL refuses NUL) and no lone surrogates (no encoder can write them;
# SQLite's failure on one used to stop the Rasa server, see tests/e2e/test_fuzz.py).
_BAD_SENDER_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Metadata is dropped, but a client may still send only a little: not
# megabytes, and not nesting deep enough to break the JSON encoder.
MAX_METADATA_CHARS = 1000


def _metadata_too_big(metadata: dict) -> bool:
    try:
        return len(json.dumps(metadata)) > MAX_METADATA_CHARS
    except (ValueError, RecursionError):
        return True


def _bad_request(reason: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


def conversation_id(sender: str) -> str:
    """The conversation id of a REST client's ``sender``: its own prefix, apart from other channels."""
    return REST_PREFIX + sender


def _is_json(content_type: Optional[str]) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


class GuardedRestInput(RestInput):
    """Rasa's REST channel behind the guard (streaming is not offered)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        self.guard = Guard()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.listener("before_server_start")
        async def server_wide_access_rules(app, _loop) -> None:
            # This channel is always on, so it carries the rules for the whole server.
            access.install(app)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not _is_json(request.headers.get("content-type")):
                return _bad_request("Send the body as JSON, with the header Content-Type: application/json.", 415)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - sanic raises InvalidUsage on bad JSON
                return _bad_request("The body must be JSON.")
            if not isinstance(body, dict):
                return _bad_request('The body must be a JSON object: {"sender": ..., "message": ...}.')
            sender, text = body.get("sender"), body.get("message")
            if (
                not isinstance(sender, str)
                or not sender.strip()
                or len(sender) > MAX_SENDER_CHARS
                or _BAD_SENDER_CHARS.search(sender)
            ):
                return _bad_request(
                    f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters, without control characters."
                )
            if text is not None and not isinstance(text, str):
                return _bad_request("'message' must be a string.")
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            if metadata is not None and _metadata_too_big(metadata):
                return _bad_request(f"'metadata' must be at most {MAX_METADATA_CHARS:,} characters of JSON.")
            collector = CollectingOutputChannel()
            message = UserMessage(text or "", collector, conversation_id(sender), input_channel=self.name())
            # The guard answers every message, even when handling it fails.
            await self.guard.handle(message, on_new_message, client_address(request))
            return response.json([{**reply, "recipient_id": sender} for reply in collector.messages])

        return webhook
