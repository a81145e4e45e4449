"""The guard's rate limits, reached over HTTP, with and without a proxy in front.

Two stacks of their own (the shared one has its limits raised), each with low
limits, one after the other:

* ``direct``: no proxy settings. The address is the socket's, whatever
  ``X-Forwarded-For`` a client writes: a random header per request (the attack
  in issue 10) does not lift the per-address limit.
* ``one proxy``: ``SANIC_PROXIES_COUNT=1``, as behind the council's reverse
  proxy, which appends the address it saw to ``X-Forwarded-For``. The address
  is that rightmost entry; entries the client wrote before it change nothing.

And, behind the proxy: one allowance for REST and socket.io together, and a
crisis message over the limit still gets the crisis reply.
"""

from __future__ import annotations

import itertools
import sqlite3
import uuid

import pytest
import requests

from channels.rest import conversation_id
from scripts.stack import free_port, running_stack
from tests.e2e.chat import Chat, run_async
from tests.e2e.conftest import ARTIFACTS, MODEL
from tests.e2e.expected import SLOW_DOWN, assert_crisis_first, texts

pytestmark = pytest.mark.e2e

PER_CONVERSATION, PER_ADDRESS = 3, 5
_addresses = itertools.count(10)


def _stack(name: str, proxies: str):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    origin = f"http://127.0.0.1:{free_port()}"
    env = {
        "SEND_RATE_PER_CONVERSATION": str(PER_CONVERSATION),
        "SEND_RATE_PER_ADDRESS": str(PER_ADDRESS),
        "SEND_WIDGET_ORIGINS": origin,
        "SANIC_PROXIES_COUNT": proxies,
        **dict.fromkeys(
            (
                "TWILIO_ACCOUNT_SID",
                "TWILIO_AUTH_TOKEN",
                "TWILIO_WHATSAPP_NUMBER",
                "SEND_TRUST_PROXY",
                "SANIC_REAL_IP_HEADER",
                "SANIC_FORWARDED_SECRET",
            ),
            "",
        ),
    }
    stack = running_stack(MODEL, ARTIFACTS, name=name, env=env)
    return stack, origin


@pytest.fixture(scope="module")
def direct():
    """No proxy settings: the address is the socket's."""
    context, _ = _stack("limits_direct", "0")
    with context as stack:
        yield stack


@pytest.fixture(scope="module")
def proxied():
    """One trusted proxy in front (SANIC_PROXIES_COUNT=1)."""
    context, origin = _stack("limits_proxy", "1")
    with context as stack:
        stack.origin = origin
        yield stack


def a_client() -> str:
    """A documentation address (RFC 5737) for one client behind the proxy, new for each test."""
    return f"203.0.113.{next(_addresses)}"


def say(stack, sender: str, message: str, forwarded_for: str = "") -> list:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()


def refused(replies) -> bool:
    return texts(replies) == [SLOW_DOWN]


def test_without_a_proxy_a_client_written_header_does_not_lift_the_limit(direct):
    answered = [
        not refused(say(direct, f"direct-{uuid.uuid4().hex}", "hello", forwarded_for=f"198.51.100.{n}"))
        for n in range(PER_ADDRESS + 3)
    ]
    assert answered == [True] * PER_ADDRESS + [False] * 3


def test_behind_one_proxy_the_address_is_the_one_the_proxy_added(proxied):
    client, neighbour = a_client(), a_client()
    for _ in range(PER_ADDRESS):
        assert not refused(say(proxied, f"proxy-{uuid.uuid4().hex}", "hello", forwarded_for=client))
    assert refused(say(proxied, f"proxy-{uuid.uuid4().hex}", "hello", forwarded_for=client))
    # Whatever the client writes before the proxy's entry, it is still the same client.
    for written in ("198.51.100.1", "198.51.100.2, 198.51.100.3", "unknown", neighbour):
        assert refused(say(proxied, f"proxy-{uuid.uuid4().hex}", "hello", forwarded_for=f"{written}, {client}"))
    # Another client behind the same proxy has its own allowance.
    assert not refused(say(proxied, f"proxy-{uuid.uuid4().hex}", "hello", forwarded_for=neighbour))


def test_the_per_conversation_limit_and_a_crisis_over_it(proxied):
    client = a_client()
    sender = f"crisis-{uuid.uuid4().hex}"
    for message in ("the council refused to assess my son", "is it free", "what is mediation"):
        assert not refused(say(proxied, sender, message, client))
    assert refused(say(proxied, sender, "how long do I have", client))
    replies = say(proxied, sender, "please help he has a knife", client)
    assert_crisis_first(replies)
    assert SLOW_DOWN not in texts(replies)
    # Within the crisis allowance, Rasa was told too.
    path = proxied.database_url.replace("sqlite:///", "")
    with sqlite3.connect(path) as db:
        intents = [
            row[0]
            for row in db.execute(
                "select intent_name from events where sender_id = ? and type_name = 'user'", (conversation_id(sender),)
            )
        ]
    assert intents[-1] == "crisis"


def test_rest_and_the_widget_share_one_allowance(proxied):
    client = a_client()
    for _ in range(PER_ADDRESS):
        assert not refused(say(proxied, f"shared-{uuid.uuid4().hex}", "hello", forwarded_for=client))

    async def over_socketio(address):
        chat = Chat()
        await chat.connect(proxied.rasa_url, proxied.origin, "websocket", headers={"X-Forwarded-For": address})
        try:
            await chat.session()
            return await chat.say("hello")
        finally:
            await chat.close()

    assert refused(run_async(over_socketio(client))), "the widget gave the client a second allowance"
    assert not refused(run_async(over_socketio(a_client())))
