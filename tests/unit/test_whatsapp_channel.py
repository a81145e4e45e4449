"""The WhatsApp channel's parts without Rasa: settings, signatures, sending, retries, the 24-hour rule.

Sending goes through the real Twilio client to the fake Twilio API on
loopback (tests/fake_twilio.py), so the HTTP requests are real.
"""

import asyncio
import itertools
import logging
import sqlite3
import tempfile
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic.compat import Header
from sanic.request import Request, RequestParameters
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from channels.guard import Guard, GuardSettings
from channels.whatsapp import WhatsAppInput, WhatsAppOutput, WhatsAppSettings, form_fields, public_url
from channels.whatsapp_format import MAX_BODY_CHARS, MENU_HEADING
from channels.whatsapp_seen import KEEP_SECONDS, SeenMessages
from channels.whatsapp_send import TRIES, TwilioSender, is_transient, with_retries
from channels.whatsapp_state import ConversationMemory, conversation_id
from storage.db import create_engine
from tests.fake_twilio import DROP, FakeTwilio

SID = "AC" + "ab" * 16
TOKEN = "unit-test-token"
ASSISTANT = "whatsapp:+14155238886"
FAMILY = "whatsapp:+447700900123"
HOUR = 3600
ENV = {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_WHATSAPP_NUMBER": ASSISTANT}


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


async def no_sleep(_seconds: float) -> None:
    pass


@pytest.fixture(scope="module")
def twilio():
    with FakeTwilio(SID, TOKEN) as fake:
        yield fake


@pytest.fixture
def sender(twilio):
    twilio.messages.clear()
    return TwilioSender(SID, TOKEN, ASSISTANT, api_base=twilio.url, sleep=no_sleep)


def conversation() -> str:
    return conversation_id(FAMILY, TOKEN)


def output(sender, clock=None, wrote_hours_ago=0.0):
    clock = clock or Clock()
    memory = ConversationMemory(clock=clock)
    memory.family_wrote(conversation())
    clock.now += wrote_hours_ago * HOUR
    return WhatsAppOutput(conversation(), FAMILY, sender, memory), memory


# --- Settings ---------------------------------------------------------------


def test_without_credentials_the_channel_is_off_and_says_which_are_missing(caplog):
    caplog.set_level(logging.WARNING)
    channel = WhatsAppInput(env={"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": " "})
    assert channel.settings is None
    assert "WhatsApp channel is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER" in caplog.text
    assert "missing: TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER" in caplog.text


def test_settings_come_from_the_environment():
    settings, missing = WhatsAppSettings.from_env({**ENV, "TWILIO_WHATSAPP_NUMBER": "+14155238886"})
    assert missing == [] and settings.from_address == ASSISTANT
    assert settings.id_secret == TOKEN and settings.webhook_url is None and settings.api_base is None
    settings, _ = WhatsAppSettings.from_env({**ENV, "SEND_ID_SECRET": "s", "TWILIO_API_BASE": "http://x"})
    assert settings.id_secret == "s" and settings.api_base == "http://x"


# --- Signatures -------------------------------------------------------------


def fake_request(url="http://127.0.0.1:5005/webhooks/whatsapp/webhook", headers=None, body=b""):
    return SimpleNamespace(
        url=url,
        scheme="http",
        host="127.0.0.1:5005",
        path="/webhooks/whatsapp/webhook",
        query_string="",
        headers=headers or {},
        body=body,
    )


_apps = itertools.count()


def sanic_request(headers, **config):
    """A real Sanic request to the webhook, on an app with the given proxy settings."""
    app = Sanic(f"whatsapp_test_{next(_apps)}")
    for key, value in config.items():
        app.config[key] = value
    request = Request(
        b"/webhooks/whatsapp/webhook",
        Header({"host": "127.0.0.1:5005", **headers}),
        "1.1",
        "POST",
        SimpleNamespace(get_extra_info=lambda name, default=None: default),
        app,
    )
    request.conn_info = SimpleNamespace(client_ip="10.0.0.2")
    return request


def test_the_signed_url_is_the_configured_one_then_the_proxy_headers_then_the_request_url():
    settings, _ = WhatsAppSettings.from_env(ENV)
    headers = {"x-forwarded-for": "203.0.113.5", "x-forwarded-proto": "https", "x-forwarded-host": "send.example.org"}
    # No proxy declared: the headers are the client's word and are ignored.
    assert public_url(sanic_request(headers), settings) == "http://127.0.0.1:5005/webhooks/whatsapp/webhook"
    # One proxy declared (Sanic's PROXIES_COUNT): the URL as the proxy received it.
    assert public_url(sanic_request(headers, PROXIES_COUNT=1), settings) == (
        "https://send.example.org/webhooks/whatsapp/webhook"
    )
    configured, _ = WhatsAppSettings.from_env({**ENV, "TWILIO_WEBHOOK_URL": "https://a.example/hook"})
    assert public_url(sanic_request(headers, PROXIES_COUNT=1), configured) == "https://a.example/hook"


def test_blank_fields_count_in_the_signature():
    fields = {"Body": "hello", "From": FAMILY, "ProfileName": ""}
    url = "https://send.example.org/webhooks/whatsapp/webhook"
    signature = RequestValidator(TOKEN).compute_signature(url, fields)
    parsed = form_fields(fake_request(body=b"Body=hello&From=whatsapp%3A%2B447700900123&ProfileName="))
    assert parsed.get("ProfileName") == ""
    assert RequestValidator(TOKEN).validate(url, parsed, signature)
    assert not RequestValidator(TOKEN).validate(url, RequestParameters({**parsed, "Body": ["hullo"]}), signature)


# --- Sending ----------------------------------------------------------------


def test_a_3000_character_reply_arrives_as_several_messages_under_the_limit(sender, twilio):
    text = " ".join(f"Sentence {n} is about the tribunal and what it can do." for n in range(1, 60))
    assert len(text) >= 3000
    out, _ = output(sender)
    asyncio.run(out.send_text_message(conversation(), text))
    bodies = [m["Body"] for m in twilio.messages]
    assert len(bodies) >= 2
    assert all(len(b) <= MAX_BODY_CHARS and b.endswith("it can do.") for b in bodies)
    assert " ".join(bodies) == text
    assert all(m["To"] == FAMILY and m["From"] == ASSISTANT for m in twilio.messages)


def test_buttons_go_out_as_a_numbered_list_and_are_remembered(sender, twilio):
    out, memory = output(sender)
    buttons = [
        {"title": "What is mediation?", "payload": "/ask_mediation"},
        {"title": "Contact SENDIAS", "payload": "/ask_sendias"},
    ]
    asyncio.run(out.send_text_with_buttons(conversation(), "Choose one.", buttons))
    asyncio.run(
        out.send_text_with_buttons(conversation(), "Or this.", [{"title": "Is it free?", "payload": "/ask_cost"}])
    )
    assert [m["Body"] for m in twilio.messages] == [
        f"Choose one.\n\n{MENU_HEADING}\n1. What is mediation?\n2. Contact SENDIAS",
        f"Or this.\n\n{MENU_HEADING}\n3. Is it free?",
    ]
    assert [o.payload for o in memory.options(conversation())] == ["/ask_mediation", "/ask_sendias", "/ask_cost"]


def test_nothing_is_sent_more_than_24_hours_after_the_familys_last_message(sender, twilio, caplog):
    clock = Clock()
    out, memory = output(sender, clock, wrote_hours_ago=23.9)
    asyncio.run(out.send_text_message(conversation(), "Still in time."))
    assert len(twilio.messages) == 1
    clock.now += 0.2 * HOUR  # now 24.1 hours since the family wrote
    asyncio.run(out.send_text_message(conversation(), "Too late."))
    asyncio.run(out.send_text_with_buttons(conversation(), "Too late.", [{"title": "A", "payload": "/ask_cost"}]))
    assert [m["Body"] for m in twilio.messages] == ["Still in time."]
    assert "over 24 hours old" in caplog.text
    assert memory.options(conversation()) == []  # what was never shown cannot be chosen


def test_a_reply_for_another_conversation_is_refused(sender, twilio):
    out, _ = output(sender)
    asyncio.run(out.send_text_message("wa-someone-else", "Hello."))
    assert twilio.messages == []


def test_custom_json_is_not_sent_raw(sender, twilio):
    out, _ = output(sender)
    asyncio.run(out.send_custom_json(conversation(), {"blocks": [1, 2]}))
    assert twilio.messages == []


def test_transient_failures_are_retried_and_a_final_failure_is_logged_privately(sender, twilio, caplog):
    caplog.set_level(logging.INFO)
    twilio.fail_next(500, 429, DROP)
    assert asyncio.run(sender.send(FAMILY, "Retried message.")) is True
    twilio.fail_next(*[503] * TRIES)
    assert asyncio.run(sender.send(FAMILY, "Lost message.")) is False
    twilio.fail_next(400)
    assert asyncio.run(sender.send(FAMILY, "Refused message.")) is False
    assert [m["Body"] for m in twilio.messages] == ["Retried message."]
    assert "A WhatsApp message was not sent: Twilio answered 503" in caplog.text
    assert "Twilio answered 400" in caplog.text
    for private in ("7700900123", "Lost message", "Refused message", "Retried message"):
        assert private not in caplog.text


def test_a_long_reply_stops_at_the_part_that_could_not_be_sent(sender, twilio):
    out, _ = output(sender)
    twilio.fail_next(400)
    asyncio.run(out.send_text_message(conversation(), "A sentence of the reply. " * 100))
    assert twilio.messages == []  # part 2 alone would make no sense


# --- Retries ----------------------------------------------------------------


class Flaky:
    def __init__(self, *errors):
        self.errors, self.calls = list(errors), 0

    async def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


def rest_error(status):
    return TwilioRestException(status, "https://api.twilio.com/x", "Failure", 20000 + status)


def test_transient_errors_are_retried_with_a_doubling_pause():
    pauses = []

    async def sleep(seconds):
        pauses.append(seconds)

    attempt = Flaky(rest_error(503), aiohttp.ClientConnectionError(), asyncio.TimeoutError())
    assert asyncio.run(with_retries(attempt, tries=4, first_pause=0.5, sleep=sleep)) == "sent"
    assert attempt.calls == 4 and pauses == [0.5, 1.0, 2.0]


def test_a_permanent_error_is_not_retried():
    attempt = Flaky(rest_error(400))
    with pytest.raises(TwilioRestException):
        asyncio.run(with_retries(attempt, sleep=no_sleep))
    assert attempt.calls == 1


def test_retries_stop_after_the_last_try():
    attempt = Flaky(*[rest_error(429)] * 10)
    with pytest.raises(TwilioRestException):
        asyncio.run(with_retries(attempt, tries=3, sleep=no_sleep))
    assert attempt.calls == 3


@pytest.mark.parametrize(
    "error, transient",
    [
        (rest_error(429), True),
        (rest_error(500), True),
        (rest_error(503), True),
        (rest_error(400), False),
        (rest_error(401), False),
        (rest_error(404), False),
        (aiohttp.ServerDisconnectedError(), True),
        (asyncio.TimeoutError(), True),
        (ConnectionResetError(), True),
        (ValueError("bug"), False),
    ],
)
def test_which_errors_are_worth_retrying(error, transient):
    assert is_transient(error) is transient


# --- Receiving ----------------------------------------------------------------


class RecordingSender:
    def __init__(self):
        self.sent = []

    async def send(self, to, body):
        self.sent.append((to, body))
        return True


def seen_store(path=None, clock=None):
    """Seen message ids in a SQLite file of the test's own (the channel's real table)."""
    path = path or Path(tempfile.mkdtemp()) / "seen.db"
    return SeenMessages(create_engine(f"sqlite:///{path}"), clock=clock or Clock())


def channel(clock=None, guard=None, seen=None):
    settings, _ = WhatsAppSettings.from_env({**ENV, "SEND_ID_SECRET": "unit-secret"})
    return WhatsAppInput(
        settings,
        memory=ConversationMemory(clock=clock or Clock()),
        sender=RecordingSender(),
        guard=guard or Guard(GuardSettings()),
        seen=seen or seen_store(),
    )


class Fields(dict):
    """Form fields as the webhook has them (sanic's RequestParameters gives the first value)."""


def accept_all(chan, on_new_message, *messages, sender=FAMILY):
    async def run():
        for n, text in enumerate(messages):
            chan.accept(Fields(From=sender, Body=text, MessageSid=f"SM{id(text)}{n}"), on_new_message)
            await asyncio.gather(*list(chan._tasks))

    asyncio.run(run())


class FakeRasa:
    """Stands in for Rasa: records each message and answers it with or without buttons."""

    def __init__(self, buttons=True):
        self.messages, self.buttons = [], buttons

    async def __call__(self, message: UserMessage):
        self.messages.append(message)
        if self.buttons:
            await message.output_channel.send_text_with_buttons(
                message.sender_id,
                "Here are your options.",
                [
                    {"title": "What is mediation?", "payload": "/ask_mediation"},
                    {"title": "How do I appeal?", "payload": "/ask_tribunal"},
                ],
            )
        else:
            await message.output_channel.send_text_message(message.sender_id, "An answer.")


def test_rasa_sees_the_hashed_id_and_the_reply_goes_to_the_number():
    chan, rasa = channel(), FakeRasa()
    accept_all(chan, rasa, "my son was refused an assessment")
    (message,) = rasa.messages
    assert message.sender_id == conversation_id(FAMILY, "unit-secret")
    assert message.input_channel == "whatsapp"
    # The number rides along for this message only (a callback "on this number");
    # the tracker store drops it before saving (tests/unit/test_redaction.py).
    assert message.metadata == {"whatsapp_number": FAMILY.removeprefix("whatsapp:")}
    assert chan.sender.sent[0][0] == FAMILY


def test_a_number_sends_the_payload_of_the_option_offered():
    chan, rasa = channel(), FakeRasa()
    accept_all(chan, rasa, "hello", "2", "how do I appeal", "3")
    assert [m.text for m in rasa.messages] == ["hello", "/ask_tribunal", "/ask_tribunal", "3"]


def test_options_are_forgotten_once_an_answer_offers_none():
    chan = channel()
    accept_all(chan, FakeRasa(buttons=True), "hello")
    plain = FakeRasa(buttons=False)
    accept_all(chan, plain, "is it free", "1")
    assert [m.text for m in plain.messages] == ["is it free", "1"]


def test_every_message_passes_the_guard():
    chan = channel(guard=Guard(GuardSettings(max_chars=50, per_conversation=2)))
    rasa = FakeRasa(buttons=False)
    accept_all(chan, rasa, "x" * 51, '/ask_tribunal{"disagreement": "x"}', "one", "two")
    # Too long: answered by the guard. Typed payload: neutralised. Third in a minute: slowed down.
    assert [m.text for m in rasa.messages] == ['ask_tribunal{"disagreement": "x"}', "one"]
    bodies = [body for _, body in chan.sender.sent]
    assert "too long" in bodies[0] and "faster than I can answer" in bodies[-1]


def test_a_repeated_message_id_and_a_non_whatsapp_sender_are_ignored():
    chan, rasa = channel(), FakeRasa(buttons=False)

    async def run():
        fields = Fields(From=FAMILY, Body="hello", MessageSid="SM1")
        chan.accept(fields, rasa)
        chan.accept(fields, rasa)
        chan.accept(Fields(From="+447700900123", Body="sms", MessageSid="SM2"), rasa)
        await asyncio.gather(*list(chan._tasks))

    asyncio.run(run())
    assert [m.text for m in rasa.messages] == ["hello"]


# --- Message ids Twilio delivers twice, remembered in the database ------------------


def test_a_repeated_message_id_is_answered_once_even_after_a_restart(tmp_path):
    database = tmp_path / "send.db"
    rasa = FakeRasa(buttons=False)

    async def deliver(chan, sid):
        chan.accept(Fields(From=FAMILY, Body="hello", MessageSid=sid), rasa)
        await asyncio.gather(*list(chan._tasks))

    asyncio.run(deliver(channel(seen=seen_store(database)), "SM-restart"))
    # A new process (a restart): the same database, a fresh channel.
    asyncio.run(deliver(channel(seen=seen_store(database)), "SM-restart"))
    asyncio.run(deliver(channel(seen=seen_store(database)), "SM-other"))
    assert len(rasa.messages) == 2
    with sqlite3.connect(database) as db:
        stored = db.execute("select message_hash from whatsapp_seen_messages").fetchall()
    assert len(stored) == 2 and not any("SM-" in h for (h,) in stored)  # a hash, not the id


def test_message_ids_are_kept_for_at_least_24_hours_and_purged_after_48(tmp_path):
    clock = Clock()
    seen = seen_store(tmp_path / "send.db", clock)
    assert KEEP_SECONDS >= 24 * HOUR
    assert seen.first_time("SM1")
    clock.now += 25 * HOUR
    assert not seen.first_time("SM1")  # Twilio retries within 24 hours
    assert seen.first_time("SM2")
    clock.now += 24 * HOUR  # SM1 is 49 hours old, SM2 25
    assert seen.purge() == 1
    assert seen.first_time("SM1") and not seen.first_time("SM2")


def test_old_ids_are_purged_by_the_channel_itself(tmp_path):
    clock = Clock()
    database = tmp_path / "send.db"
    seen = seen_store(database, clock)
    for n in range(5):
        seen.first_time(f"SM{n}")
    clock.now += KEEP_SECONDS + 2 * HOUR
    seen.first_time("SM-new")  # an hour or more since the last purge: old ids go
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from whatsapp_seen_messages").fetchone() == (1,)


def test_with_the_database_down_a_message_is_answered_rather_than_dropped(tmp_path, caplog):
    seen = SeenMessages(create_engine("postgresql://send@127.0.0.1:9/send"), clock=Clock())
    assert seen.first_time("SM1") and seen.first_time("SM1")
    assert "could not be created" in caplog.text
