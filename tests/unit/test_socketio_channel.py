"""The widget channel's pure parts: allowed origins and session tokens.

The end-to-end behaviour (a foreign origin refused, replies arriving, a forged
token refused) is in tests/e2e/test_widget.py against the real server.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re

import pytest

from advice.callback import FORM_SLOTS, ask_reply
from advice.content import get_content
from channels.socketio import DEFAULT_ORIGINS, GuardedSocketIOOutput, SessionTokens, allowed_origins

HOUR = 3600


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class TestAllowedOrigins:
    def test_default_is_the_demo_page(self, monkeypatch):
        monkeypatch.delenv("SEND_WIDGET_ORIGINS", raising=False)
        assert allowed_origins() == list(DEFAULT_ORIGINS)

    def test_reads_the_environment(self, monkeypatch):
        monkeypatch.setenv("SEND_WIDGET_ORIGINS", " https://go.walsall.gov.uk/ , https://WWW.Example.org:8443")
        assert allowed_origins() == ["https://go.walsall.gov.uk", "https://www.example.org:8443"]

    @pytest.mark.parametrize(
        "value", ["*", "go.walsall.gov.uk", "https://x.org/path", "ftp://x.org", ",", "https://x.org?a=1"]
    )
    def test_refuses_anything_but_origins(self, value):
        # An empty list would switch python-engineio's Origin check off, "*" allows all.
        with pytest.raises(ValueError):
            allowed_origins(value)

    def test_blank_means_default(self):
        assert allowed_origins("  ") == list(DEFAULT_ORIGINS)


class TestSessionTokens:
    def test_issued_tokens_are_random_and_verified(self):
        tokens = SessionTokens(b"secret")
        first, second = tokens.issue(), tokens.issue()
        assert first != second
        assert re.fullmatch(r"[0-9a-f]{32}\.[0-9]{10}\.[0-9a-f]{64}", first)
        assert tokens.session_id(first) == first.split(".")[0]

    def test_refuses_a_token_it_did_not_issue(self):
        tokens = SessionTokens(b"secret")
        token = tokens.issue()
        session_id, issued, signature = token.split(".")
        other_id = "0" * 32
        assert tokens.session_id(f"{other_id}.{issued}.{signature}") is None
        assert tokens.session_id(f"{session_id}.{issued}.{'0' * 64}") is None
        assert tokens.session_id(f"{session_id}.{int(issued) + 3600}.{signature}") is None  # a later time
        assert tokens.session_id(session_id) is None  # the bare id is not enough
        assert tokens.session_id(f"{session_id}.{signature}") is None  # nor the old format
        assert SessionTokens(b"another secret").session_id(token) is None

    @pytest.mark.parametrize("token", [None, 42, "", "demo-1", "whatsapp:+447700900000", {"id": 1}, "A" * 97])
    def test_refuses_client_chosen_ids(self, token):
        assert SessionTokens(b"secret").session_id(token) is None

    def test_secret_from_environment_survives_a_restart(self, monkeypatch):
        monkeypatch.setenv("SEND_WIDGET_SECRET", "council-secret")
        token = SessionTokens().issue()
        assert SessionTokens().session_id(token) == token.split(".")[0]

    def test_without_a_secret_each_process_has_its_own(self, monkeypatch):
        monkeypatch.delenv("SEND_WIDGET_SECRET", raising=False)
        assert SessionTokens().session_id(SessionTokens().issue()) is None


class TestTokenExpiry:
    def test_a_token_expires_after_the_limit_from_its_issue_not_its_last_use(self):
        clock = Clock()
        tokens = SessionTokens(b"secret", max_age=24 * HOUR, clock=clock)
        token = tokens.issue()
        session_id = token.split(".")[0]
        clock.now += 23 * HOUR
        assert tokens.session_id(token) == session_id  # reconnecting does not renew it
        clock.now += 1 * HOUR + 1
        assert tokens.session_id(token) is None

    def test_the_limit_comes_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("SEND_WIDGET_TOKEN_HOURS", "2")
        clock = Clock()
        tokens = SessionTokens(b"secret", clock=clock)
        token = tokens.issue()
        clock.now += 2 * HOUR - 1
        assert tokens.session_id(token)
        clock.now += 2
        assert tokens.session_id(token) is None

    def test_a_token_from_the_future_is_refused(self):
        clock = Clock()
        body = f"{'a' * 32}.{int(clock.now) + 2 * HOUR}"
        forged = f"{body}.{hmac.new(b'secret', body.encode(), hashlib.sha256).hexdigest()}"
        assert SessionTokens(b"secret", clock=clock).session_id(forged) is None


class FakeSio:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data, room=None, **_):
        self.emitted.append((event, data, room))


def test_the_form_questions_reach_the_widget_marked_and_other_replies_do_not():
    """What the action sends (Message.as_dict) is what Rasa passes to the output's send_response."""
    content = get_content()
    sio = FakeSio()
    output = GuardedSocketIOOutput(sio, "bot_uttered")
    for slot in FORM_SLOTS:
        for message in ask_reply(content, slot, method="phone"):
            asyncio.run(output.send_response("sid-1", {**message.as_dict(), "timestamp": 1.0}))
    asyncio.run(
        output.send_response(
            "sid-1", {"text": "Part one.\n\nPart two.", "buttons": [{"title": "Phone", "payload": "phone"}]}
        )
    )
    marked = [data for _, data, _ in sio.emitted if data.get("metadata")]
    assert len(marked) == 4  # topic, contact method, number, good time; not consent
    assert all(data["metadata"] == {"asks_personal_detail": True} for data in marked)
    *_, (_, part_one, _), (_, part_two, room) = sio.emitted
    assert part_one == {"text": "Part one."} and room == "sid-1"
    assert part_two == {
        "text": "Part two.",
        "quick_replies": [{"content_type": "text", "title": "Phone", "payload": "phone"}],
    }
