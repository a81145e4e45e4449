"""Starts the real action server and Rasa server for the end-to-end tests.

Both run as separate processes on free loopback ports (so a `make run` on
5005/5055 does not clash), with the trained model in models/. Their logs go to
artifacts/e2e/ so a failure can be read after the run.
"""
from __future__ import annotations

import uuid

import pytest

from scripts.stack import ROOT, running_stack

MODEL = ROOT / "models" / "send-assistant.tar.gz"
ARTIFACTS = ROOT / "artifacts" / "e2e"


@pytest.fixture(scope="session")
def servers():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    # The WhatsApp channel stays off here, whatever the shell has set: this stack
    # must never talk to the real Twilio, and it shows the channel's off state.
    no_twilio = {name: "" for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER")}
    with running_stack(MODEL, ARTIFACTS, name="e2e", env=no_twilio) as stack:
        yield stack


@pytest.fixture
def sender() -> str:
    """A fresh, random conversation id for each test."""
    return f"e2e-{uuid.uuid4().hex}"
