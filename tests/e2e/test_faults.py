"""Faults: the family is never left with silence, and nothing is forgotten.

Each test breaks a real part of the running stack (a server process, the
database) in the middle of a conversation, over HTTP, as it would break in
production.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(servers):
    """The shared stack (conftest.py): each test leaves it running as it found it."""
    return servers


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_action_server_down_still_gets_an_apology_and_the_numbers(stack, sender):
    assert "SEND35a" in text_of(stack.talk(sender, "the council refused to assess my daughter"))
    stack.action.stop()
    try:
        replies = stack.talk(sender, "how long do I have to appeal?")
        text = text_of(replies)
        assert "Sorry" in text and "01922 652871" in text and "01922 650330" in text
    finally:
        stack.action.start()
        stack.action.wait_until_up()
    # Back to normal, and the conversation was not lost.
    assert "2 months" in text_of(stack.talk(sender, "how long do I have to appeal?"))


def test_rasa_server_killed_and_restarted_keeps_the_conversation(stack, sender):
    stack.talk(sender, "they want to stop my son's EHC plan")
    stack.restart_rasa(kill=True)
    # The follow-up is answered for the disagreement told before the crash.
    text = text_of(stack.talk(sender, "how long do I have to appeal?"))
    assert "SEND35" in text and "2 months" in text
