"""Fuzzing the REST webhook of the running assistant with thousands of generated requests.

Families type anything, and anything can be sent to a public webhook. Against
the real Rasa and action servers (the shared stack, conftest.py), hypothesis
generates:

* valid bodies whose ``message`` is odd text: any unicode (lone surrogates
  too), emoji, control characters, strings far over the size cap, typed
  payloads with entities (``/refused_assessment{"disagreement": "x"}``),
  markdown and HTML;
* malformed bodies: bytes that are not JSON, JSON that is not an object,
  wrong-typed or missing fields, oversized metadata, nested junk, and odd
  content types.

Every response must be well formed (200 with a list of replies for a valid
body, 400 with ``{"error": ...}`` for a malformed one, 415 with one for a body
not sent as ``application/json``), never a 5xx and never a dropped connection. At the end the Rasa server must be the same process,
still answering, and its memory (VmRSS, measured after a warm-up) must not
have grown beyond ``MAX_RSS_GROWTH_MB``.

Runs are reproducible (``derandomize=True``, no example database), so CI sees
the same requests every time. Counts and the memory figures are printed.

What it found when written: a lone surrogate in ``sender`` stopped the Rasa
server (Rasa's SQL store exits on any ValueError); one in ``message`` broke
the NLU pipeline; metadata nested 1,000 deep could not be stored; and the
consent question's "No" button had the title ``false`` (YAML). The explicit
examples below keep those cases in every run.

The rate limits are not fuzzed here: reaching the shared stack's raised limits
would take more messages than it can answer in a minute, and lowering them
would break the other tests. tests/e2e/test_limits.py reaches them on a stack
of its own, and tests/unit/test_guard.py covers them too.

Typed payloads (``/contact_case_officer{"service": "ehc_team"}``, ``/restart``)
are sent mid-conversation over REST and socket.io: neither may take effect.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from channels.rest import conversation_id
from tests.e2e.chat import Chat, run_async
from tests.e2e.expected import APOLOGY

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
INTENTS = [i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]]
SLOTS = list(DOMAIN["slots"])

# Examples per test: about 3 minutes in all on a 2-core machine (the valid
# messages go through the NLU pipeline, about 0.2 s each; a malformed body is cheap).
VALID_MESSAGES = 400
ODD_VALID_BODIES = 100
MALFORMED_BODIES = 2500
MAX_RSS_GROWTH_MB = 300
REPLY_KEYS = {"recipient_id", "text", "image", "buttons", "attachment", "custom"}
# The guard's apology when handling a message failed (content/topics.yml,
# tests/e2e/expected.py): with every server up, no message may cause it.
# A few conversations take all the generated messages (the shared stack's
# per-conversation limit is raised), so the fuzz also reaches deep histories.
SENDERS = [f"fuzz-{n}" for n in range(10)]

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)

counts: Counter = Counter()


# -- helpers ------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.fixture(scope="module")
def fuzz(servers):
    """The shared stack, a kept-alive HTTP session, the Rasa pid and its memory after a warm-up."""
    session = requests.Session()
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    pid = servers.rasa_process.pid
    # Warm-up: every kind of turn once, so caches and lazily loaded parts are in
    # memory before the baseline is taken. The callback form goes as far as the
    # consent question, whose buttons are checked like every other reply.
    warm_up = [
        "hello",
        "the council refused to assess my son",
        "how long do I have to appeal?",
        "what is mediation",
        "is it free",
        "I want to talk to someone",
        "/request_callback",
        "/affirm",
        "phone",
        "07700 900123",
        "any time",
        "stop",
        "x" * 3000,
        "\U0001f621",
        '/refused_assessment{"disagreement": "x"}',
        "thanks",
    ]
    warm_up_sender = f"fuzz-warm-up-{uuid.uuid4().hex}"
    for message in warm_up:
        response = session.post(url, json={"sender": warm_up_sender, "message": message}, timeout=60)
        assert_replies(response, warm_up_sender)
    session.post(url, data=b"{", timeout=10)
    counts.clear()
    before = rss_mb(pid)
    started = time.monotonic()
    yield {"session": session, "url": url, "pid": pid, "rss_before": before, "started": started, "servers": servers}
    session.close()


def post(fuzz, **kwargs) -> requests.Response:
    """POST to the webhook; a dropped connection or a timeout fails the test with what was sent."""
    counts["requests"] += 1
    try:
        return fuzz["session"].post(fuzz["url"], timeout=60, **kwargs)
    except requests.RequestException as error:  # pragma: no cover - the failure being tested for
        pytest.fail(f"no HTTP response ({type(error).__name__}) for {str(kwargs)[:300]}")


def assert_replies(response: requests.Response, sender: str) -> None:
    """200 and a JSON list of replies to ``sender``, at least one with text, none an apology."""
    assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
    assert response.headers.get("content-type", "").startswith("application/json")
    replies = response.json()
    assert isinstance(replies, list) and replies, "a valid message always gets a reply"
    for reply in replies:
        assert isinstance(reply, dict) and set(reply) <= REPLY_KEYS, reply
        assert reply["recipient_id"] == sender
        if "text" in reply:
            assert isinstance(reply["text"], str) and reply["text"].strip()
        for button in reply.get("buttons") or []:
            assert isinstance(button.get("title"), str) and button["title"].strip()
            assert isinstance(button.get("payload"), str) and button["payload"].strip()
    assert any(reply.get("text") for reply in replies)
    assert not any(reply.get("text") == APOLOGY for reply in replies), "handling the message failed"
    counts["200"] += 1


def assert_refused(response: requests.Response, status: int = 400) -> None:
    """400 (or 415 for a body not sent as JSON) with a JSON object saying what is wrong."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:300]}"
    assert response.headers.get("content-type", "").startswith("application/json")
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]
    counts[str(status)] += 1


def is_json_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


# -- what a family might type ---------------------------------------------------

EVERY_CODE_POINT = st.characters(blacklist_categories=())  # lone surrogates included
CONTROL = st.characters(max_codepoint=0x9F)
WORDS = st.sampled_from(
    [
        "the council",
        "refused",
        "ehcp",
        "EHC plan",
        "assessment",
        "my son",
        "my daughter",
        "appeal",
        "tribunal",
        "mediation",
        "school",
        "SENCO",
        "help",
        "how long",
        "is it free",
        "stop",
        "cancel",
        "07700 900123",
        "mum@example.com",
        "WS1 1TP",
        "\U0001f621",
        "\U0001f44d\U0001f3fd",
        "\u202e",
        "\u200b",
        "kill",
        "hurt",
        "ceasing",
        "plan_ceasing",
        "disagreement",
        "{",
        "}",
        '"',
        "\\",
        "%s",
        "{0}",
        "${x}",
    ]
)
MARKUP = st.sampled_from(
    [
        "<script>alert({})</script>",
        "<b>{}</b>",
        "<img src=x onerror=alert(1)>{}",
        "**{}**",
        "[{}](javascript:x)",
        "# {}",
        "```{}```",
        "> {}",
        "<!-- {} -->",
        "{}\n\n---\n{}",
        "&lt;{}&gt;",
        "{}\r\n{}",
    ]
)
PAYLOAD_INTENTS = st.sampled_from(
    INTENTS + ["restart", "session_start", "nlu_fallback", "action_listen", "back", "out_of_scope", "", "/", "x"]
)
ENTITIES = st.one_of(
    st.just(""),
    st.dictionaries(
        st.sampled_from(SLOTS + ["requested_slot", "session_started_metadata"]), st.text(max_size=20), max_size=3
    ).map(json.dumps),
    st.text(max_size=20),
    st.just('{"disagreement": "plan_ceasing"}'),
    st.just("@0.99"),
)
MESSAGES = st.one_of(
    st.text(),
    st.text(EVERY_CODE_POINT, max_size=60),
    st.text(CONTROL, max_size=40),
    st.lists(WORDS, max_size=12).map(" ".join),
    # Long: around the 2,000-character cap, and far beyond it.
    st.builds(lambda piece, n: piece * n, st.text(min_size=1, max_size=10), st.integers(50, 3000)),
    st.builds(lambda prefix, ch, n: prefix + ch * n, st.text(max_size=5), st.characters(), st.integers(1990, 2010)),
    st.builds(
        lambda slash, intent, entities: slash + intent + entities,
        st.sampled_from(["/", "//", " /", "/ "]),
        PAYLOAD_INTENTS,
        ENTITIES,
    ),
    st.builds(lambda template, words: template.format(words, words), MARKUP, st.lists(WORDS, max_size=4).map(" ".join)),
)


@settings(FUZZ, max_examples=VALID_MESSAGES)
@given(message=MESSAGES, sender=st.sampled_from(SENDERS))
@example(message="", sender=SENDERS[0])
@example(message="x" * 2000, sender=SENDERS[0])
@example(message="x" * 2001, sender=SENDERS[0])
@example(message="\ud800 lone surrogate", sender=SENDERS[0])
@example(message='/refused_assessment{"disagreement":"x"}', sender=SENDERS[0])
@example(message="/request_callback", sender=SENDERS[1])  # the form, then whatever comes next
def test_any_message_text_gets_well_formed_replies(fuzz, message, sender):
    assert_replies(post(fuzz, json={"sender": sender, "message": message}), sender)
    counts["valid messages"] += 1


# -- malformed requests ---------------------------------------------------------

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
NOT_A_SENDER = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(JSON_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=3),
    st.just(""),
    st.text(" \t\n", min_size=1, max_size=5),
    st.text(min_size=129, max_size=400),
    st.builds(
        lambda a, c, b: a + c + b,
        st.text(max_size=5),
        CONTROL.filter(lambda c: c < " " or c >= "\x7f"),
        st.text(max_size=5),
    ),
    st.builds(lambda a, b: a + "\ud800" + b, st.text(max_size=5), st.text(max_size=5)),
)
NOT_A_MESSAGE = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(JSON_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3),
)
TOO_MUCH_METADATA = st.builds(lambda key, n: {key: "x" * n}, st.text(max_size=5), st.integers(1000, 50_000))
FIELD_NAMES = st.sampled_from(["sender", "message", "metadata", "Sender", "text", "sender_id", ""])


def _json(value, ascii_only=True) -> bytes:
    # "surrogatepass" lets a lone surrogate out as the (invalid) UTF-8 bytes a client might send.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


MALFORMED = st.one_of(
    # Not JSON at all.
    st.binary(max_size=300).filter(lambda b: not _parses_to_object(b)),
    st.builds(
        lambda body, cut: body[:cut],
        st.builds(lambda s, m: _json({"sender": s, "message": m}), st.sampled_from(SENDERS), st.text(max_size=40)),
        st.integers(0, 20),
    ),
    st.sampled_from(
        [
            b"{",
            b'{"sender": "a", "message": "hi"',
            b"sender=a&message=hi",
            b"<xml/>",
            b'\xef\xbb\xbf{"sender": "a"}',
            b"{'sender': 'a'}",
            b"[" * 5000,
            b'{"a":' * 2000,
            b"\x00" * 100,
            b"null",
            b"true",
            b'"sender"',
            b'{"sender": "a", }',
        ]
    ),
    # JSON, but not an object: arrays, scalars, nested junk.
    st.builds(_json, JSON_VALUES.filter(lambda v: not isinstance(v, dict))),
    # Objects without a usable sender.
    st.builds(
        lambda sender, message, ascii_only: _json({"sender": sender, "message": message}, ascii_only),
        NOT_A_SENDER,
        st.one_of(st.text(max_size=30), JSON_VALUES),
        st.booleans(),
    ),
    st.builds(_json, st.dictionaries(FIELD_NAMES.filter(lambda k: k != "sender"), JSON_VALUES, max_size=4)),
    # A usable sender, but the message is not text, or the metadata is too big.
    st.builds(
        lambda sender, message: _json({"sender": sender, "message": message}), st.sampled_from(SENDERS), NOT_A_MESSAGE
    ),
    st.builds(
        lambda sender, metadata: _json({"sender": sender, "message": "hi", "metadata": metadata}),
        st.sampled_from(SENDERS),
        TOO_MUCH_METADATA,
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "",
        "application/json; charset=latin-1",
        "*/*",
    ]
)


def _parses_to_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, RecursionError):
        return False


@settings(FUZZ, max_examples=MALFORMED_BODIES)
@given(body=MALFORMED, content_type=CONTENT_TYPES)
@example(body=b"", content_type="application/json")
@example(body=b"[" * 100_000, content_type="application/json")
@example(body=_json({"sender": "x" * 100_000, "message": "hi"}), content_type="application/json")
@example(body=_json({"sender": SENDERS[0], "message": {"text": "hi"}}), content_type="application/json")
# These two once broke the server: a lone surrogate in the sender stopped it (the
# SQL store took the encoding error for a fatal one), and metadata nested 1,000
# deep could not be stored, so the conversation fell back to memory.
@example(body=b'{"sender": "\\ud800", "message": "hi"}', content_type="application/json")
@example(
    body=b'{"sender": "fuzz-0", "message": "hi", "metadata": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001,
    content_type="application/json",
)
def test_malformed_bodies_get_a_400_with_a_reason(fuzz, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    assert_refused(post(fuzz, data=body, headers=headers), 400 if is_json_type(content_type) else 415)
    counts["malformed bodies"] += 1


# Valid, if unusual: extra fields, small junk metadata, no message, any content type.
ODD_BUT_VALID = st.builds(
    lambda sender, message, extra, metadata: (sender, {**extra, "sender": sender, **message, **metadata}),
    st.sampled_from(SENDERS),
    st.one_of(st.just({}), st.just({"message": None}), st.builds(lambda m: {"message": m}, WORDS)),
    st.dictionaries(
        st.text(max_size=8).filter(lambda k: k not in ("sender", "message", "metadata")), JSON_VALUES, max_size=3
    ),
    st.one_of(
        st.just({}), st.builds(lambda v: {"metadata": v}, JSON_VALUES.filter(lambda v: len(json.dumps(v)) <= 1000))
    ),
)


@settings(FUZZ, max_examples=ODD_VALID_BODIES)
@given(case=ODD_BUT_VALID, content_type=CONTENT_TYPES)
def test_unusual_but_valid_bodies_are_answered(fuzz, case, content_type):
    """Answered when sent as application/json (any parameters); any other Content-Type gets a 415."""
    sender, body = case
    headers = {"Content-Type": content_type} if content_type else {}
    response = post(fuzz, data=_json(body), headers=headers)
    if is_json_type(content_type):
        assert_replies(response, sender)
    else:
        assert_refused(response, 415)
    counts["unusual valid bodies"] += 1


# -- typed payloads take no effect ----------------------------------------------

DEADLINE_QUESTION = "how long do I have to appeal?"


def _texts(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def _events(servers, conversation: str, type_name: str):
    path = servers.database_url.replace("sqlite:///", "")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "select data from events where sender_id = ? and type_name = ?", (conversation, type_name)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


# -- REST's own rules -------------------------------------------------------------


def test_a_body_not_sent_as_json_gets_a_415_with_a_reason(servers):
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    body = json.dumps({"sender": "fuzz-415", "message": "hello"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = requests.post(url, data=body, headers=headers, timeout=30)
        assert response.status_code == 415, content_type
        assert "application/json" in response.json()["error"]
    assert (
        requests.post(
            url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, timeout=30
        ).status_code
        == 200
    )


def test_client_metadata_is_neither_passed_on_nor_stored(servers):
    sender = f"fuzz-metadata-{uuid.uuid4().hex}"
    metadata = {"note_from_client": "Jo Bloggs 07700 900999", "whatsapp_number": "+447700900998"}
    response = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        timeout=30,
        json={"sender": sender, "message": "the council refused to assess my son", "metadata": metadata},
    )
    assert response.status_code == 200 and response.json()
    stored = [json.dumps(e) for e in _events(servers, conversation_id(sender), "user")]
    assert stored, "the message was stored"
    for value in ("note_from_client", "Jo Bloggs", "900999", "900998"):
        assert not any(value in event for event in stored), f"{value!r} was stored"


def test_a_rest_client_cannot_write_into_a_widget_or_whatsapp_conversation(servers):
    origin = f"http://127.0.0.1:{servers.demo_port}"

    async def widget_conversation():
        chat = Chat()
        await chat.connect(servers.rasa_url, origin, "websocket")
        try:
            token = await chat.session()
            await chat.say(CEASING)
        finally:
            await chat.close()
        return token.split(".")[0]

    widget_id = run_async(widget_conversation())
    before = len(_events(servers, widget_id, "user"))
    # Naming the widget's conversation id as the REST sender reaches a conversation of its own.
    replies = servers.talk(widget_id, DEADLINE_QUESTION)
    assert [r["recipient_id"] for r in replies] == [widget_id] * len(replies)
    assert CEASING_DEADLINE not in _texts(replies), "the REST client saw the widget conversation's state"
    assert len(_events(servers, widget_id, "user")) == before
    assert _events(servers, conversation_id(widget_id), "user")
    whatsapp_like = "wa-" + "0" * 32
    servers.talk(whatsapp_like, "hello")
    assert not _events(servers, whatsapp_like, "user")
    assert _events(servers, conversation_id(whatsapp_like), "user")


# A typed payload with an entity an action reads (`service`), and a typed
# /restart, in the middle of a conversation about a plan being stopped. Without
# the guard, Rasa reads the first as contact_case_officer with service=ehc_team
# (the EHC Assessment Team's details, whatever the disagreement) and the second
# as a restart (the conversation and its disagreement forgotten).
SERVICE_PAYLOAD = '/contact_case_officer{"service":"ehc_team"}'
CEASING = "got a letter saying they intend to cease my daughters ehc plan"
CEASING_DEADLINE = "using form SEND35 to"  # SEND35 (not 35a): the plan ending


def _commands_stored(servers, conversation: str):
    """User turns Rasa took as a typed command: entities from its regex handler, or a /text."""
    users = _events(servers, conversation, "user")
    return [
        u
        for u in users
        if (u.get("text") or "").startswith("/")
        and u["text"] not in ("/greet",)
        or any(e.get("extractor") == "RegexMessageHandler" for e in (u.get("parse_data") or {}).get("entities") or [])
    ]


def _assert_neither_took_effect(servers, conversation: str, deadline_answer: str) -> None:
    assert not _events(servers, conversation, "restart"), "a typed /restart restarted the conversation"
    assert CEASING_DEADLINE in deadline_answer, "the conversation forgot its disagreement"
    assert not _commands_stored(servers, conversation), "a typed payload reached Rasa as a command"
    users = _events(servers, conversation, "user")
    assert any(u.get("text") == SERVICE_PAYLOAD.lstrip("/") for u in users)
    assert any(u.get("text") == "restart" for u in users)


def test_typed_payloads_take_no_effect_over_rest(servers):
    sender = f"fuzz-typed-rest-{int(time.time() * 1000)}"
    servers.talk(sender, CEASING)
    servers.talk(sender, SERVICE_PAYLOAD)
    servers.talk(sender, "/restart")
    answer = _texts(servers.talk(sender, DEADLINE_QUESTION))
    _assert_neither_took_effect(servers, conversation_id(sender), answer)


def test_typed_payloads_take_no_effect_over_socketio(servers):
    origin = f"http://127.0.0.1:{servers.demo_port}"

    async def scenario():
        chat = Chat()
        await chat.connect(servers.rasa_url, origin, "websocket")
        try:
            token = await chat.session()
            await chat.say(CEASING)
            await chat.say(SERVICE_PAYLOAD)
            await chat.say("/restart")
            answer = await chat.say(DEADLINE_QUESTION)
        finally:
            await chat.close()
        return token.split(".")[0], "\n".join(r.get("text") or "" for r in answer)

    conversation, answer = run_async(scenario())
    _assert_neither_took_effect(servers, conversation, answer)


# -- and afterwards ------------------------------------------------------------


def test_the_server_survived_and_its_memory_is_bounded(fuzz, capsys):
    """Runs last in this module: same process, still answering, memory growth bounded."""
    servers, pid = fuzz["servers"], fuzz["pid"]
    assert servers.rasa_process.pid == pid and servers.rasa_process.poll() is None, "the Rasa server died"
    after = rss_mb(pid)
    replies = servers.talk(f"fuzz-after-{int(time.time())}", "the council refused to assess my son")
    assert "SEND35a" in _texts(replies)
    elapsed = time.monotonic() - fuzz["started"]
    with capsys.disabled():
        print(
            f"\nfuzz: {counts['requests']} requests in {elapsed:.0f}s: "
            f"{counts['valid messages']} generated messages, {counts['unusual valid bodies']} unusual valid "
            f"bodies, {counts['malformed bodies']} malformed bodies; {counts['200']} answered 200, "
            f"{counts['400']} refused 400, {counts['415']} refused 415 (not JSON), no other status. "
            f"Rasa server RSS {fuzz['rss_before']:.0f} MB after warm-up, {after:.0f} MB after "
            f"(+{after - fuzz['rss_before']:.0f} MB; bound {MAX_RSS_GROWTH_MB} MB)."
        )
    assert counts["requests"] >= 1000, "the fuzz tests above did not all run"
    assert after - fuzz["rss_before"] < MAX_RSS_GROWTH_MB
