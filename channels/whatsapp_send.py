"""Sending WhatsApp messages through Twilio's API without blocking the assistant.

Why not Rasa's own Twilio output: its client is synchronous, so every send
stops the Rasa server's event loop (every other family waits); an error is
not retried at all (its retry loop only repeats when Twilio returns nothing);
and it logs Twilio's error text, which can contain the family's number.

Here Twilio's own ``Client`` builds the request, but an asynchronous HTTP
client on aiohttp sends it (:class:`AiohttpTwilioClient`), so the server
keeps answering others meanwhile. A send is retried, with a growing pause,
only when trying again can help: Twilio busy (429), a server error (5xx),
a lost connection or a timeout. A failure is logged with Twilio's status and
error code only: never the message, never the number.

``api_base`` points the client at another host than https://api.twilio.com
(the tests' fake Twilio on loopback); it replaces the API domain's base URL,
which is where Twilio's client builds every Messages URL from.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

logger = logging.getLogger(__name__)

TRIES = 4
FIRST_PAUSE = 0.5  # seconds; doubles after each failed try: 0.5, 1, 2
REQUEST_TIMEOUT = 10.0

Sleep = Callable[[float], Awaitable[Any]]


class AiohttpTwilioClient(AsyncHttpClient):
    """Twilio's asynchronous HTTP interface, on aiohttp, one short session per request.

    Twilio's own ``AsyncTwilioHttpClient`` creates its aiohttp session when it
    is constructed (here, before the server's event loop runs) and, without
    pooling, leaves a session open when a request fails. One session per
    request is simpler and always closed; a reply is only a few requests.
    It never logs the request: its body is the message.
    """

    def __init__(self, timeout: float = REQUEST_TIMEOUT) -> None:
        super().__init__(logger, is_async=True, timeout=timeout)

    async def request(
        self,
        method: str,
        url: str,
        params: Optional[Dict[str, object]] = None,
        data: Optional[Dict[str, object]] = None,
        headers: Optional[Dict[str, str]] = None,
        auth: Optional[Tuple[str, str]] = None,
        timeout: Optional[float] = None,
        allow_redirects: bool = False,
    ) -> Response:
        basic_auth = aiohttp.BasicAuth(*auth) if auth else None
        client_timeout = aiohttp.ClientTimeout(total=timeout or self.timeout)
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.request(
                method.upper(),
                url,
                params=params,
                data=data,
                headers=headers,
                auth=basic_auth,
                allow_redirects=allow_redirects,
            ) as response,
        ):
            return Response(response.status, await response.text(), response.headers)


def is_transient(error: BaseException) -> bool:
    """True when the same request may well succeed if tried again shortly."""
    if isinstance(error, TwilioRestException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError))


def describe(error: BaseException) -> str:
    """What went wrong, without anything the family wrote or their number."""
    if isinstance(error, TwilioRestException):
        return f"Twilio answered {error.status}, error code {error.code}"
    return type(error).__name__


async def with_retries(
    attempt: Callable[[], Awaitable[Any]],
    tries: int = TRIES,
    first_pause: float = FIRST_PAUSE,
    sleep: Sleep = asyncio.sleep,
) -> Any:
    """Run ``attempt`` until it succeeds, retrying transient errors with a doubling pause.

    A permanent error (say, 400 for a bad number), or the last transient one,
    is raised to the caller.
    """
    pause = first_pause
    for number in range(1, tries + 1):
        try:
            return await attempt()
        except Exception as error:
            if number == tries or not is_transient(error):
                raise
            logger.info("Twilio send failed (%s); trying again in %.1f s.", describe(error), pause)
            await sleep(pause)
            pause *= 2


class TwilioSender:
    """Sends one message body to one WhatsApp address from the assistant's number."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_address: str,
        api_base: Optional[str] = None,
        tries: int = TRIES,
        first_pause: float = FIRST_PAUSE,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = Client(account_sid, auth_token, http_client=AiohttpTwilioClient())
        if api_base:
            self.client.api.base_url = api_base.rstrip("/")
        self.from_address = from_address
        self.tries, self.first_pause, self.sleep = tries, first_pause, sleep

    async def send(self, to_address: str, body: str) -> bool:
        """True once Twilio has accepted the message; False (and logged) if it never did."""

        async def attempt():
            return await self.client.messages.create_async(to=to_address, from_=self.from_address, body=body)

        try:
            await with_retries(attempt, self.tries, self.first_pause, self.sleep)
            return True
        except Exception as error:  # noqa: BLE001 - whatever Twilio raised, logged and reported as not sent
            logger.error("A WhatsApp message was not sent: %s.", describe(error))
            return False
