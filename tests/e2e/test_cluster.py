"""The cluster end to end: two Rasa servers and two action servers behind nginx, on PostgreSQL and Redis.

Real processes, as `make cluster` starts them (scripts/cluster.py): Debian's
nginx and redis-server, a throwaway PostgreSQL, the project's Rasa and action
servers. Messages go through nginx, or straight to one Rasa server when a
test must choose which one answers. What each test proves:

* a conversation keeps its context, and the callback form its answers, when
  consecutive messages land on different Rasa servers and action servers;
* the guard's limit per conversation is one limit for all servers;
* WhatsApp: an option offered by one server is chosen on another, and a
  webhook Twilio delivers twice, to two servers, is answered once;
* the widget: a token issued by one server continues the conversation on the
  other (the same SEND_WIDGET_SECRET), and long-polling through nginx works
  (its requests must all reach one server: sticky routing);
* two messages of one conversation at the same moment on two servers (the
  lock store's race): neither is lost, each is stored whole with its own
  replies, one after the other;
* Redis restarted mid-conversation: the family gets the apology with phone
  numbers while it is down, and then the conversation goes on;
* one Rasa server SIGKILLed while families are talking and some of their
  messages are in its hands: every message gets a real reply (nginx gives the
  interrupted ones to the other server), every message is stored, every
  callback request is stored exactly once. Last, as it leaves one server.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from channels.rest import conversation_id
from channels.whatsapp_format import MENU_HEADING
from scripts.cluster import running_cluster
from scripts.stack import ROOT
from storage.redaction import redact
from storage.tracker_store import BLANK
from tests.e2e.chat import Chat, run_async
from tests.fake_twilio import FakeTwilio

pytestmark = pytest.mark.e2e

MODEL = ROOT / "models" / "send-assistant.tar.gz"
ARTIFACTS = ROOT / "artifacts" / "e2e" / "cluster"
SATURDAY_EVENING = "2026-12-05T20:00:00+00:00"  # out of hours: "talk to someone" offers a callback
PER_CONVERSATION = 12
ORIGIN = "http://127.0.0.1:8080"  # the widget's default allowed origin
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-for-cluster-tests"
ASSISTANT = "whatsapp:+14155238886"
PUBLIC_URL = "https://send-assistant.example.org/webhooks/whatsapp/webhook"
APOLOGY = "Sorry, something went wrong"
REFERENCE = re.compile(r"\bWS-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


@pytest.fixture(scope="module")
def twilio():
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="module")
def cluster(twilio):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    env = {
        "SEND_RATE_PER_CONVERSATION": str(PER_CONVERSATION),
        "SEND_RATE_PER_ADDRESS": "100000",  # every test talks from 127.0.0.1
        "SEND_ID_SECRET": "cluster-test-id-secret",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": ASSISTANT,
        "TWILIO_API_BASE": twilio.url,
        "TWILIO_WEBHOOK_URL": PUBLIC_URL,
        "SEND_WIDGET_ORIGINS": ORIGIN,
    }
    with running_cluster(
        MODEL, ARTIFACTS, rasa_servers=2, action_servers=2, env=env, action_env={"SEND_NOW": SATURDAY_EVENING}
    ) as running:
        yield running


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def stored_turns(cluster, conversation: str):
    """[(user text, [bot texts])] as the conversation store holds them, in order."""
    engine = sa.create_engine(cluster.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": conversation}
            ).fetchall()
    finally:
        engine.dispose()
    turns = []
    for type_name, data in rows:
        event = json.loads(data)
        if type_name == "user":
            turns.append((event.get("text"), []))
        elif type_name == "bot" and turns:
            turns[-1][1].append(event.get("text"))
    return turns


def requests_for(cluster, number: str):
    engine = sa.create_engine(cluster.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT reference FROM callback_requests WHERE contact_detail = :n"), {"n": number}
            ).fetchall()
    finally:
        engine.dispose()


def upstreams_used(cluster, path_matches, since: int = 0):
    """The upstream address nginx's access log shows for each request whose path matches."""
    lines = (cluster.nginx.prefix / "access.log").read_text().splitlines()[since:]
    used = []
    for line in lines:
        fields = line.split(" ", 6)  # time method path status bytes time upstream(s) ...
        if len(fields) == 7 and path_matches(fields[2]):
            used.append(fields[6].rsplit(" ", 1)[0])
    return used


def access_log_length(cluster) -> int:
    return len((cluster.nginx.prefix / "access.log").read_text().splitlines())


CALLBACK = ["I want to talk to someone", "/request_callback", "/affirm", "phone", None, "Weekday mornings", "/affirm"]


# -- context across servers ---------------------------------------------------------------------


def test_consecutive_messages_on_different_servers_keep_the_context(cluster):
    sender = f"cluster-{uuid.uuid4().hex}"
    first = cluster.talk(sender, "the council refused to assess my son for an EHC plan", via=0)
    assert "SEND35a" in text_of(first) or "assess" in text_of(first).lower()
    follow_up = cluster.talk(sender, "how long do I have", via=1)
    assert "two time limits" in text_of(follow_up)  # the refused assessment, remembered by the other server
    cost = cluster.talk(sender, "is it free", via=0)
    assert "free" in text_of(cost)
    assert [text for text, _ in stored_turns(cluster, conversation_id(sender))][-3:] == [
        "the council refused to assess my son for an EHC plan",
        "how long do I have",
        "is it free",
    ]


def test_the_callback_form_goes_on_across_rasa_and_action_servers(cluster):
    """Each answer on the other Rasa server, and nginx spreads the action calls over both action servers."""
    sender, number = f"cluster-{uuid.uuid4().hex}", "07700900311"
    since = access_log_length(cluster)
    cluster.talk(sender, "the council refused to assess my son for an EHC plan", via=0)
    replies = []
    for n, message in enumerate(CALLBACK):
        replies = cluster.talk(sender, message or number, via=(n + 1) % 2)
    reference = REFERENCE.search(text_of(replies))
    assert reference, text_of(replies)
    assert requests_for(cluster, number) == [(reference.group(0),)]
    actions_used = set(upstreams_used(cluster, lambda path: path == "/webhook", since))
    assert len(actions_used) == 2, actions_used  # the drafts were written on one and read on the other


def test_the_limit_per_conversation_is_one_limit_for_all_servers(cluster):
    sender = f"cluster-{uuid.uuid4().hex}"
    answers = [text_of(cluster.talk(sender, "hello", via=n % 2)) for n in range(PER_CONVERSATION + 1)]
    assert not any("wait a minute" in a for a in answers[:PER_CONVERSATION])
    assert "wait a minute" in answers[-1]


# -- WhatsApp ------------------------------------------------------------------------------------


def webhook_fields(address: str, text: str, sid: str = "") -> dict:
    sid = sid or f"SM{uuid.uuid4().hex}"
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": text,
        "To": ASSISTANT,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": address,
        "ApiVersion": "2010-04-01",
    }


def post_whatsapp(base: str, fields: dict) -> requests.Response:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, fields)
    return requests.post(
        f"{base}/webhooks/whatsapp/webhook", data=fields, headers={"X-Twilio-Signature": signature}, timeout=30
    )


def whatsapp_say(base, twilio, address, text, **fields) -> list:
    before = len(twilio.sent_to(address))
    assert post_whatsapp(base, webhook_fields(address, text, **fields)).status_code == 200
    sent = twilio.wait_for(address, count=before + 1)
    assert len(sent) > before, f"no reply to {text!r}"
    return [m["Body"] for m in sent[before:]]


def test_whatsapp_options_and_repeats_are_shared_by_the_servers(cluster, twilio):
    family = "whatsapp:+447700900321"
    bodies = whatsapp_say(cluster.rasa_urls[0], twilio, family, "the council refused to assess my son")
    menu = [b for b in bodies if MENU_HEADING in b][0].split(MENU_HEADING, 1)[1].strip().splitlines()
    assert menu[1] == "2. What is mediation?"
    chosen = whatsapp_say(cluster.rasa_urls[1], twilio, family, "2")  # the other server
    assert chosen[0].startswith("Mediation is a free meeting"), chosen
    # Twilio delivers one message twice, once to each server: answered once.
    fields = webhook_fields(family, "is it free")
    before = len(twilio.sent_to(family))
    assert post_whatsapp(cluster.rasa_urls[0], fields).status_code == 200
    first = twilio.wait_for(family, count=before + 1)
    assert post_whatsapp(cluster.rasa_urls[1], fields).status_code == 200
    assert len(twilio.wait_for(family, count=len(first), settle=3)) == len(first)
    # And through nginx, as Twilio would call it.
    assert whatsapp_say(cluster.url, twilio, family, "what is mediation")


# -- the widget (socket.io) ------------------------------------------------------------------------


def test_a_widget_token_from_one_server_continues_the_conversation_on_the_other(cluster):
    async def scenario():
        first = Chat()
        await first.connect(cluster.rasa_urls[0], ORIGIN, "websocket")
        token = await first.session()
        await first.say("the council refused to assess my son")
        await first.close()
        second = Chat()  # a reload, answered by the other server
        await second.connect(cluster.rasa_urls[1], ORIGIN, "websocket")
        again = await second.session(token)
        replies = await second.say("how long do I have")
        await second.close()
        return token, again, replies

    token, again, replies = run_async(scenario())
    assert again == token  # the same conversation, not "your earlier conversation has ended"
    assert "two time limits" in text_of(replies)


def test_long_polling_through_nginx_stays_on_one_server(cluster):
    since = access_log_length(cluster)

    async def scenario():
        chat = Chat()
        await chat.connect(cluster.url, ORIGIN, "polling")
        await chat.session()
        answers = [await chat.say(text) for text in ("the council refused to assess my son", "how long do I have")]
        await chat.close()
        return answers

    answers = run_async(scenario())
    assert "two time limits" in text_of(answers[-1])
    used = upstreams_used(cluster, lambda path: path.startswith("/socket.io/"), since)
    assert len(used) >= 4 and len(set(used)) == 1, used  # every poll reached the server holding the session


# -- the lock store's race ---------------------------------------------------------------------------


def test_two_messages_of_one_conversation_at_the_same_moment_on_two_servers(cluster):
    pairs = [("how long do I have", "is it free"), ("what is mediation", "how do I appeal")]
    senders = [f"cluster-race-{uuid.uuid4().hex}" for _ in range(8)]
    for sender in senders:
        cluster.talk(sender, "the council refused to assess my son", via=0)
    results = {}

    def both_at_once(index, sender):
        first, second = pairs[index % 2]
        barrier = threading.Barrier(2)

        def send(via, text):
            barrier.wait()
            results[(sender, text)] = cluster.talk(sender, text, via=via)

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(send, (0, 1), (first, second)))

    with ThreadPoolExecutor(len(senders)) as pool:
        list(pool.map(both_at_once, range(len(senders)), senders))

    for index, sender in enumerate(senders):
        turns = stored_turns(cluster, conversation_id(sender))
        sent = set(pairs[index % 2])
        assert [text for text, _ in turns][0] == "the council refused to assess my son"
        later = turns[1:]
        # Both messages stored, once each: neither lost nor duplicated.
        assert sorted(text for text, _ in later) == sorted(sent), later
        for text, bot_texts in later:
            # Each stored whole, with exactly the replies its sender got: no events lost or interleaved.
            replies = [redact(r["text"]) for r in results[(sender, text)] if r.get("text")]
            assert bot_texts == replies, (text, bot_texts, replies)
            assert APOLOGY not in " ".join(replies)


# -- Redis restarted ------------------------------------------------------------------------------------


def test_conversations_go_on_after_redis_restarts(cluster):
    sender = f"cluster-{uuid.uuid4().hex}"
    cluster.talk(sender, "the council refused to assess my son")
    cluster.redis.stop()
    try:
        down = cluster.talk(sender, "what is mediation")
        assert APOLOGY in text_of(down) and "999" in text_of(down)  # numbers, not silence or an error
    finally:
        cluster.redis.start()
    after = cluster.talk(sender, "how long do I have")
    assert "two time limits" in text_of(after)  # the conversation itself was never in Redis
    # A new family's callback request from start to end after the restart.
    newcomer, number = f"cluster-{uuid.uuid4().hex}", "07700900312"
    cluster.talk(newcomer, "the council refused to assess my son")
    for message in CALLBACK:
        replies = cluster.talk(newcomer, message or number)
    assert REFERENCE.search(text_of(replies)) and len(requests_for(cluster, number)) == 1


def same_or_one_repeat(stored, expected) -> bool:
    """Every message stored, in order. One message stored twice in a row is allowed: a server
    that died after saving a message but before answering it leaves it to be handled again."""
    if stored == expected:
        return True
    return len(stored) == len(expected) + 1 and any(
        stored[i] == stored[i - 1] and stored[:i] + stored[i + 1 :] == expected for i in range(1, len(stored))
    )


# -- a Rasa server killed ------------------------------------------------------------------------------


def test_a_rasa_server_killed_mid_conversation_loses_nothing(cluster):
    """SIGSTOP server 1 so that messages pile up in its hands, then SIGKILL it (a crash)."""
    rng = random.Random(12)
    families = []
    for n in range(10):
        sender = f"cluster-kill-{uuid.uuid4().hex}"
        if n < 4:
            number = f"07700900{330 + n}"
            script = ["the council refused to assess my son"] + [m or number for m in CALLBACK]
        else:
            number = None
            script = [
                "the council refused to assess my son",
                "how long do I have",
                "what is mediation",
                "is it free",
                "how do I appeal",
                "thanks",
            ]
        families.append((sender, number, script))
    answers = {}
    killed = threading.Event()

    def family(sender, number, script):
        for step, message in enumerate(script):
            time.sleep(rng.uniform(0.2, 0.6))
            response = cluster.say(sender, message, timeout=120)
            answers[(sender, step)] = (response.status_code, response.json() if response.ok else response.text)

    def crash():
        time.sleep(3)  # every family is mid-conversation
        os.kill(cluster.rasa[0].process.pid, signal.SIGSTOP)
        time.sleep(2)  # messages routed to it meanwhile wait in its hands
        cluster.kill_rasa(0)
        killed.set()

    with ThreadPoolExecutor(len(families) + 1) as pool:
        crasher = pool.submit(crash)
        list(pool.map(lambda f: family(*f), families))
        crasher.result()
    assert killed.is_set()

    for sender, number, script in families:
        for step, message in enumerate(script):
            status, replies = answers[(sender, step)]
            assert status == 200, (message, replies)
            assert replies and APOLOGY not in text_of(replies), (message, replies)
        turns = stored_turns(cluster, conversation_id(sender))
        stored = [text for text, _ in turns]
        expected = [BLANK if step in (3, 4, 5, 6) and number else redact(m) for step, m in enumerate(script)]
        assert same_or_one_repeat(stored, expected), (stored, expected)
        if number:
            last = answers[(sender, len(script) - 1)][1]
            reference = REFERENCE.search(text_of(last))
            assert reference, text_of(last)
            assert requests_for(cluster, number) == [(reference.group(0),)]  # exactly once
    # Messages were in the dead server's hands: nginx saw their connections break and retried them.
    dead = cluster.rasa_urls[0].rsplit(":", 1)[1]
    errors = (cluster.nginx.prefix / "error.log").read_text()
    assert re.search(rf"while reading response header from upstream.*127\.0\.0\.1:{dead}", errors), errors[-2000:]
