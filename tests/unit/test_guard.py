"""The checks every channel applies before Rasa sees a message (channels/guard.py)."""
import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import Guard, GuardSettings, SlidingWindow, button_payloads, clean_text


@pytest.mark.parametrize("typed, seen", [
    ('/refused_assessment{"disagreement": "plan_ceasing"}', 'refused_assessment{"disagreement": "plan_ceasing"}'),
    ("/restart", "restart"),
    ("/nlu_fallback", "nlu_fallback"),
    ("//ask_tribunal", "ask_tribunal"),
    ("/session_start", "session_start"),
    ("help\x00\x07 me\x1b[31m", "help me"),
    ("\u202eevil\u200b text", "evil text"),
    ("  ordinary text  ", "ordinary text"),
    ("lone\ud800 surrogate\udfff", "lone surrogate"),
])
def test_typed_payloads_and_control_characters(typed, seen):
    assert clean_text(typed) == seen


def test_our_own_button_payloads_pass_unchanged():
    for payload in ("/ask_tribunal", "/refused_assessment", "/request_callback", "/affirm"):
        assert payload in button_payloads()
        assert clean_text(payload) == payload


def test_sliding_window_limits_and_recovers():
    now = [0.0]
    window = SlidingWindow(limit=3, window=60, clock=lambda: now[0])
    assert [window.allow("a") for _ in range(4)] == [True, True, True, False]
    assert window.allow("b")
    now[0] = 61
    assert window.allow("a")


def _run(guard, text, handler, sender="s1", address="1.2.3.4"):
    collector = CollectingOutputChannel()
    asyncio.run(guard.handle(UserMessage(text, collector, sender), handler, address))
    return collector.messages


def test_too_long_and_rate_limited_messages_get_a_polite_reply_and_go_no_further():
    seen = []

    async def handler(message):
        seen.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    guard = Guard(GuardSettings(max_chars=50, per_conversation=2, per_address=100))
    assert "too long" in _run(guard, "x" * 51, handler)[0]["text"]
    assert _run(guard, "one", handler)[0]["text"] == "ok"
    assert _run(guard, "two", handler)[0]["text"] == "ok"
    assert "wait a minute" in _run(guard, "three", handler)[0]["text"]
    assert seen == ["one", "two"]


def test_a_failure_or_silence_still_gets_the_phone_numbers():
    async def broken(message):
        raise ConnectionError("action server down")

    async def silent(message):
        return None

    guard = Guard(GuardSettings())
    for handler in (broken, silent):
        [reply] = _run(guard, "hello", handler, sender=handler.__name__)
        assert "01922 652871" in reply["text"] and "999" in reply["text"]
