"""Starts the real action server and Rasa server for the end-to-end tests.

Both run as separate processes on free loopback ports (so a `make run` on
5005/5055 does not clash), with the trained model in models/. Their logs go to
artifacts/e2e/ so a failure can be read after the run.
"""

from __future__ import annotations

import uuid

import pytest

from scripts.stack import ROOT, free_port, running_stack

MODEL = ROOT / "models" / "send-assistant.tar.gz"
ARTIFACTS = ROOT / "artifacts" / "e2e"
# The action server's clock: a Saturday evening, so "talk to someone" takes the
# out-of-hours path whatever the machine's time (SEND_NOW, advice/office_hours.py).
SATURDAY_EVENING = "2026-12-05T20:00:00+00:00"
# The shared stack's key for widget tokens, so a test can make an old (expired) one.
WIDGET_SECRET = "e2e-widget-secret-for-tests-only"


@pytest.fixture(scope="session")
def servers():
    """One stack for the whole run (starting one costs about a minute).

    Tests that break it (kill a server) restore it before they finish. The
    demo page's port is chosen now so the Rasa server can allow its origin.
    Rate limits are raised: every test talks from 127.0.0.1, and the limits
    themselves are tested on their own (tests/unit/test_guard.py).
    """
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    demo_port = free_port()
    env = {
        "SEND_WIDGET_ORIGINS": f"http://127.0.0.1:{demo_port},http://localhost:{demo_port}",
        "SEND_RATE_PER_CONVERSATION": "1000",
        "SEND_RATE_PER_ADDRESS": "100000",
        "SEND_WIDGET_SECRET": WIDGET_SECRET,
        # The WhatsApp channel stays off here, whatever the shell has set: this stack
        # must never talk to the real Twilio, and it shows the channel's off state.
        **dict.fromkeys(("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER"), ""),
    }
    with running_stack(MODEL, ARTIFACTS, name="e2e", env=env, action_env={"SEND_NOW": SATURDAY_EVENING}) as stack:
        stack.demo_port = demo_port
        yield stack


@pytest.fixture
def sender() -> str:
    """A fresh, random conversation id for each test."""
    return f"e2e-{uuid.uuid4().hex}"
