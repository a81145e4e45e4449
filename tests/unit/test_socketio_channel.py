"""The widget channel's pure parts: allowed origins and session tokens.

The end-to-end behaviour (a foreign origin refused, replies arriving, a forged
token refused) is in tests/e2e/test_widget.py against the real server.
"""
from __future__ import annotations

import re

import pytest

from channels.socketio import DEFAULT_ORIGINS, SessionTokens, allowed_origins


class TestAllowedOrigins:
    def test_default_is_the_demo_page(self, monkeypatch):
        monkeypatch.delenv("SEND_WIDGET_ORIGINS", raising=False)
        assert allowed_origins() == list(DEFAULT_ORIGINS)

    def test_reads_the_environment(self, monkeypatch):
        monkeypatch.setenv("SEND_WIDGET_ORIGINS", " https://go.walsall.gov.uk/ , https://WWW.Example.org:8443")
        assert allowed_origins() == ["https://go.walsall.gov.uk", "https://www.example.org:8443"]

    @pytest.mark.parametrize("value", ["*", "go.walsall.gov.uk", "https://x.org/path", "ftp://x.org", ",", "https://x.org?a=1"])
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
        assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{64}", first)
        assert tokens.session_id(first) == first.split(".")[0]

    def test_refuses_a_token_it_did_not_issue(self):
        tokens = SessionTokens(b"secret")
        token = tokens.issue()
        session_id, signature = token.split(".")
        other_id = "0" * 32
        assert tokens.session_id(f"{other_id}.{signature}") is None
        assert tokens.session_id(f"{session_id}.{'0' * 64}") is None
        assert tokens.session_id(session_id) is None  # the bare id is not enough
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
