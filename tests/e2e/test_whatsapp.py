"""The WhatsApp channel end to end: signed Twilio webhooks in, replies out to a fake Twilio.

The real action server and Rasa server run with fake Twilio credentials and
TWILIO_API_BASE pointing at a fake Twilio Messages API on loopback
(tests/fake_twilio.py), which records what the assistant sends. Webhooks are
signed exactly as Twilio signs them, over the public URL set in
TWILIO_WEBHOOK_URL (as behind the council's proxy), so the real signature
check runs. Conversations are kept in a SQLite tracker store, so the test can
look for phone numbers where Rasa keeps conversations.

Phone numbers are from Ofcom's range for drama (+44 7700 900xxx).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import uuid

import pytest
import requests
from twilio.request_validator import RequestValidator

from channels.guard import button_payloads
from channels.whatsapp import OFF_MESSAGE
from channels.whatsapp_format import MAX_BODY_CHARS, MENU_HEADING
from channels.whatsapp_send import TRIES
from channels.whatsapp_state import conversation_id
from scripts.stack import ROOT, running_stack
from tests.fake_twilio import DROP, FakeTwilio

pytestmark = pytest.mark.e2e

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-for-tests"
ASSISTANT = "whatsapp:+14155238886"
PUBLIC_URL = "https://send-assistant.example.org/webhooks/whatsapp/webhook"
ID_SECRET = "test-secret-for-conversation-ids"
NAME = "whatsapp"
MODEL = ROOT / "models" / "send-assistant.tar.gz"
ARTIFACTS = ROOT / "artifacts" / "e2e"
TRACKER_DB = ARTIFACTS / f"{NAME}_tracker.db"

SENDIAS = "01922 650330"
# What the answer to each button of the refused-assessment reply starts with.
ANSWERS = {
    "How long do I have?": "There are two time limits.",
    "What is mediation?": "Mediation is a free meeting",
    "How do I appeal?": "You can appeal to a tribunal",
    "Contact SENDIAS": SENDIAS,
    "Keep a copy": "Here is a summary you can keep.",
}

_numbers = itertools.count(100)
USED_NUMBERS: list = []


@pytest.fixture
def family() -> str:
    """A fresh family's WhatsApp address."""
    number = f"+447700900{next(_numbers):03d}"
    USED_NUMBERS.append(number)
    return f"whatsapp:{number}"


@pytest.fixture(scope="module")
def twilio():
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="module")
def stack(twilio):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    TRACKER_DB.parent.mkdir(parents=True, exist_ok=True)
    TRACKER_DB.unlink(missing_ok=True)
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": ASSISTANT,
        "TWILIO_API_BASE": twilio.url,
        "TWILIO_WEBHOOK_URL": PUBLIC_URL,
        "SEND_ID_SECRET": ID_SECRET,
        "SEND_RATE_PER_CONVERSATION": "200",
    }
    # The project's own tracker store, on a SQLite file this module reads afterwards.
    with running_stack(MODEL, ARTIFACTS, name=NAME, env=env, database_url=f"sqlite:///{TRACKER_DB}") as running:
        yield running


def webhook_fields(address: str, text: str, sid: str = "") -> dict:
    """The form fields Twilio posts for an incoming WhatsApp message."""
    sid = sid or f"SM{uuid.uuid4().hex}"
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Test Parent",
        "SmsSid": sid,
        "WaId": address.removeprefix("whatsapp:+"),
        "SmsStatus": "received",
        "Body": text,
        "To": ASSISTANT,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": address,
        "ApiVersion": "2010-04-01",
    }


def post(stack, fields: dict, signature=None, signed_url: str = PUBLIC_URL, token: str = AUTH_TOKEN):
    """POST a webhook; signed like Twilio does unless a signature (or "" for none) is given."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(signed_url, fields)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return requests.post(f"{stack.rasa_url}/webhooks/whatsapp/webhook", data=fields, headers=headers, timeout=30)


def say(stack, twilio, address: str, text: str, **wait) -> list:
    """Send a signed message; the bodies of the replies it got (once they stop coming)."""
    before = len(twilio.sent_to(address))
    response = post(stack, webhook_fields(address, text))
    assert response.status_code == 200, response.text
    assert "<Response>" in response.text
    sent = twilio.wait_for(address, count=before + 1, **wait)
    assert len(sent) > before, f"no reply to {text!r}"
    for message in sent[before:]:
        assert message["From"] == ASSISTANT
    return [m["Body"] for m in sent[before:]]


def shown_payloads(text: str) -> list:
    """Button payloads (/ask_tribunal...) in the text; a web address's path does not count."""
    return [p for p in button_payloads() if re.search(rf"(?<![\w./]){re.escape(p)}(?![\w/-])", text)]


def menu(bodies: list) -> list:
    """The titles of the numbered options in the first reply that offered some.

    (After the routes reply, "Did this help?" offers Yes and No, numbered on from the routes' options.)
    """
    first = [b for b in bodies if MENU_HEADING in b][0]
    lines = first.split(MENU_HEADING, 1)[1].strip().splitlines()
    return [re.sub(r"^\d+\. ", "", line) for line in lines]


def test_a_family_gets_the_routes_and_a_numbered_list(stack, twilio, family):
    bodies = say(stack, twilio, family, "the council refused to assess my son")
    text = "\n".join(bodies)
    assert "SEND35a" in text and "tribunal" in text.lower()
    assert "automated assistant" in text  # the opening message came first
    assert (
        f"{MENU_HEADING}\n1. How long do I have?\n2. What is mediation?\n3. How do I appeal?\n4. Contact SENDIAS"
        in text
    )
    assert not shown_payloads(text)


def test_a_number_or_the_words_choose_an_option(stack, twilio, family):
    offered = menu(say(stack, twilio, family, "they wont even assess my daughter for an ehcp"))
    assert offered == list(ANSWERS)
    first = say(stack, twilio, family, "1")
    assert first[0].startswith(ANSWERS[offered[0]]), first
    say(stack, twilio, family, "the council refused to assess my son")
    by_words = say(stack, twilio, family, "contact sendias")
    assert SENDIAS in by_words[0] and "Mediation is a free meeting" not in "\n".join(by_words)


def test_did_this_help_is_numbered_on_from_the_routes_options(stack, twilio, family):
    bodies = say(stack, twilio, family, "the council refused to assess my son")
    menus = [b for b in bodies if MENU_HEADING in b]
    assert len(menus) == 2 and menus[-1].startswith("Did this help?")
    offered = len(menus[0].split(MENU_HEADING, 1)[1].strip().splitlines())  # the routes' options: 1 to n
    assert offered >= 4
    assert f"{MENU_HEADING}\n{offered + 1}. Yes\n{offered + 2}. No" in menus[-1]
    missing = "\n".join(say(stack, twilio, family, str(offered + 2)))
    assert "What was missing?" in missing and "4. Talk to someone" in missing, missing


def test_a_number_is_ordinary_text_when_no_options_were_offered(stack, twilio, family):
    say(stack, twilio, family, "hello")
    replies = say(stack, twilio, family, "7")
    assert not any(r.startswith(tuple(ANSWERS.values())) for r in replies)


def test_did_you_mean_is_a_numbered_list_and_something_else_is_an_option(stack, twilio, family):
    offered = menu(say(stack, twilio, family, "i dont agree with what they decided about my son"))
    assert 2 <= len(offered) <= 4 and offered[-1] == "Something else"
    again = say(stack, twilio, family, str(len(offered)))
    assert "in your own words" in again[0] and MENU_HEADING not in again[0]
    final = "\n".join(say(stack, twilio, family, "erm"))
    assert SENDIAS in final and "999" in final
    assert "1. The council won't assess" in final and not shown_payloads(final)


def test_unsigned_or_tampered_webhooks_are_refused_and_answered_by_no_one(stack, twilio, family):
    fields = webhook_fields(family, "the council refused to assess my son")
    good = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, fields)
    tampered = {**fields, "Body": "something else"}
    attempts = {
        "no signature": post(stack, fields, signature=""),
        "body changed after signing": post(stack, tampered, signature=good),
        "sender changed after signing": post(stack, {**fields, "From": "whatsapp:+447700900999"}, signature=good),
        "wrong auth token": post(stack, fields, token="not-the-token"),
        "signed for another URL": post(stack, fields, signed_url=f"{stack.rasa_url}/webhooks/whatsapp/webhook"),
        "garbage signature": post(stack, fields, signature="bm90IGEgc2lnbmF0dXJl"),
    }
    for name, response in attempts.items():
        assert response.status_code == 403, name
        assert "Twilio" not in response.headers.get("Content-Type", "") and response.text.startswith("Forbidden")
    # A real message from someone else is answered meanwhile; nothing ever went to this family.
    other = "whatsapp:+447700900998"
    USED_NUMBERS.append(other.removeprefix("whatsapp:"))
    say(stack, twilio, other, "is mediation free")
    assert twilio.sent_to(family) == []
    assert twilio.sent_to("whatsapp:+447700900999") == []


def test_a_webhook_twilio_sends_twice_is_answered_once(stack, twilio, family):
    fields = webhook_fields(family, "what is mediation")
    assert post(stack, fields).status_code == 200
    first = twilio.wait_for(family)
    assert first
    assert post(stack, fields).status_code == 200
    assert len(twilio.wait_for(family, count=len(first), settle=3)) == len(first)


def test_a_webhook_redelivered_after_a_restart_is_answered_once(stack, twilio, family):
    """Twilio may retry after the Rasa server restarted: the ids seen are in the database, not in memory."""
    fields = webhook_fields(family, "is mediation free")
    assert post(stack, fields).status_code == 200
    first = twilio.wait_for(family)
    assert first
    stack.restart_rasa(kill=True)
    assert post(stack, fields).status_code == 200
    assert len(twilio.wait_for(family, count=len(first), settle=3)) == len(first)
    # A new message from the same family is answered as usual.
    assert say(stack, twilio, family, "what is mediation")
    with sqlite3.connect(TRACKER_DB) as db:
        kept = [row[0] for row in db.execute("select message_hash from whatsapp_seen_messages")]
    assert kept and fields["MessageSid"] not in kept  # a hash of the id, not the id


def test_sending_is_retried_after_transient_failures(stack, twilio, family):
    attempts_before = twilio.attempts
    twilio.fail_next(500, 429, DROP)
    bodies = say(
        stack,
        twilio,
        family,
        "his plan says weekly speech therapy but the school havent provided a single session since september",
    )
    assert any("support written in an Education, Health and Care (EHC) plan is not being given" in b for b in bodies), (
        bodies
    )
    assert twilio.attempts - attempts_before == len(bodies) + 3


def test_a_send_that_keeps_failing_is_logged_without_the_number_or_the_text(stack, twilio, family):
    twilio.fail_next(*[503] * TRIES)
    bodies = say(stack, twilio, family, "the plan names a mainstream secondary but we want a specialist school for him")
    # The first message (the opening one) was lost after TRIES tries; the answer still came.
    assert not any("automated assistant" in b for b in bodies)
    assert any("school or college named in the" in b for b in bodies)
    log = (ARTIFACTS / f"{NAME}_rasa_server.log").read_text(encoding="utf-8")
    assert "A WhatsApp message was not sent: Twilio answered 503" in log


def test_the_guard_answers_an_over_long_message(stack, twilio, family):
    bodies = say(stack, twilio, family, "my son needs help " * 150)
    assert any("too long" in b for b in bodies)


def test_every_message_sent_fits_whatsapp_and_shows_no_payload(stack, twilio):
    assert twilio.messages, "the tests above sent nothing"
    for message in twilio.messages:
        assert 0 < len(message["Body"]) <= MAX_BODY_CHARS
        assert message["From"] == ASSISTANT
        assert not shown_payloads(message["Body"]), message["Body"]


def test_a_callback_on_this_whatsapp_number(stack, twilio, family):
    """The family chooses "WhatsApp, on this number": the request keeps it, the conversation does not."""
    say(stack, twilio, family, "the council refused to assess my son")
    say(stack, twilio, family, "can i book a callback please")
    methods = menu(say(stack, twilio, family, "1"))  # the topic: the disagreement offered
    assert any("WhatsApp" in m for m in methods), methods
    say(stack, twilio, family, "whatsapp")
    say(stack, twilio, family, "any time")
    done = "\n".join(say(stack, twilio, family, "yes"))
    reference = re.search(r"WS-[A-Z2-9]{4}-[A-Z2-9]{4}", done).group(0)
    with sqlite3.connect(TRACKER_DB) as db:
        stored = db.execute(
            "select contact_method, contact_detail, channel from callback_requests where reference = ?", (reference,)
        ).fetchall()
    local = "0" + family.removeprefix("whatsapp:+44")
    assert stored == [("whatsapp", local, "whatsapp")]


def test_phone_numbers_are_in_no_log_and_no_tracker(stack, twilio):
    """Runs last in this module: it reads what the conversations above left behind."""
    # Let the tracker store and logs catch up with the last conversation.
    twilio.wait_for(twilio.messages[-1]["To"], settle=2)
    logs = {path.name: path.read_text(encoding="utf-8") for path in ARTIFACTS.glob(f"{NAME}_*.log")}
    assert len(logs) == 2
    with sqlite3.connect(TRACKER_DB) as db:
        events = "\n".join(row[0] for row in db.execute("SELECT data FROM events"))
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert USED_NUMBERS
    for number in USED_NUMBERS:
        digits = number.removeprefix("+")
        local = "0" + digits[2:]
        for where, text in [*logs.items(), ("tracker", events), ("tracker sender ids", "\n".join(senders))]:
            for form in (digits, local):
                assert form not in text, f"a phone number is in {where}"
    # What the tracker does hold: the hashed ids, and the messages (so the check above looked at real data).
    assert conversation_id(f"whatsapp:{USED_NUMBERS[0]}", ID_SECRET) in senders
    assert all(re.fullmatch(r"wa-[0-9a-f]{32}", s) for s in senders)
    assert "refused to assess my son" in events
    assert "Test Parent" not in events  # Twilio's profile name is not kept either
    for name, text in logs.items():
        assert "refused to assess my son" not in text, f"message text in {name}"


def test_without_credentials_the_channel_is_off_and_the_rest_runs(servers, family):
    """The shared REST stack starts with no Twilio variables (tests/e2e/conftest.py)."""
    fields = webhook_fields(family, "hello")
    response = post(servers, fields)
    assert response.status_code == 503
    assert response.text == OFF_MESSAGE
    assert servers.talk(f"e2e-{uuid.uuid4().hex}", "the council refused to assess my son")
    log = (ARTIFACTS / "e2e_rasa_server.log").read_text(encoding="utf-8")
    # Once per start of the server (other tests restart the shared stack).
    starts = log.count("Rasa server is up and running")
    assert starts >= 1
    assert (
        log.count("WhatsApp channel is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER")
        == starts
    )
