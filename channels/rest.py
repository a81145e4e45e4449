"""The REST channel, with the guard in front of it.

Same URL and JSON as Rasa's own (``POST /webhooks/rest/webhook`` with
``{"sender": ..., "message": ...}``), but every message passes through
:mod:`channels.guard`, and a malformed request gets a 400 with a plain reason
instead of a server error.
"""
from __future__ import annotations

from typing import Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import access
from channels.guard import Guard, client_address

MAX_SENDER_CHARS = 128


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


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
            try:
                body = request.json
            except Exception:  # sanic raises InvalidUsage on bad JSON
                return _bad_request("The body must be JSON.")
            if not isinstance(body, dict):
                return _bad_request('The body must be a JSON object: {"sender": ..., "message": ...}.')
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return _bad_request(f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters.")
            if text is not None and not isinstance(text, str):
                return _bad_request("'message' must be a string.")
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            message = UserMessage(
                text or "", collector, sender, input_channel=self.name(), metadata=metadata
            )
            # The guard answers every message, even when handling it fails.
            await self.guard.handle(message, on_new_message, client_address(request))
            return response.json(collector.messages)

        return webhook
