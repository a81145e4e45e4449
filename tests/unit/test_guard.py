"""The checks every channel applies before Rasa sees a message (channels/guard.py)."""

import asyncio
import itertools
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Sanic
from sanic.compat import Header
from sanic.request import Request

from advice.catalogue import all_replies
from advice.content import get_content
from advice.replies import crisis_reply
from channels.guard import (
    CRISIS_PAYLOAD,
    CRISIS_SCAN_CHARS,
    Guard,
    GuardSettings,
    RateLimits,
    SlidingWindow,
    button_payloads,
    clean_text,
    client_address,
    crisis_excerpt,
    render_topic,
    shared_limits,
)

CRISIS = crisis_reply(get_content())[0].text
TOO_LONG = render_topic("too_long", limit="50")
SLOW_DOWN = render_topic("slow_down")
UNAVAILABLE = render_topic("unavailable")


@pytest.mark.parametrize(
    "typed, seen",
    [
        ('/refused_assessment{"disagreement": "plan_ceasing"}', 'refused_assessment{"disagreement": "plan_ceasing"}'),
        ("/restart", "restart"),
        ("/nlu_fallback", "nlu_fallback"),
        ("//ask_tribunal", "ask_tribunal"),
        ("/session_start", "session_start"),
        ("help\x00\x07 me\x1b[31m", "help me"),
        ("\u202eevil\u200b text", "evil text"),
        ("  ordinary text  ", "ordinary text"),
        ("lone\ud800 surrogate\udfff", "lone surrogate"),
        # Whitespace between slashes once left a command behind (issue 10).
        ("/\t/affirm", "affirm"),
        ("/\n/crisis@0.2", "crisis@0.2"),
        ("/\u00a0/restart", "restart"),
        ('/ \u2003/\u3000/ask_tribunal{"disagreement": "x"}', 'ask_tribunal{"disagreement": "x"}'),
        ("\u00a0/restart", "restart"),
        ("/\u200b/restart", "restart"),
        ("/\u00ad/affirm", "affirm"),
    ],
)
def test_typed_payloads_and_control_characters(typed, seen):
    assert clean_text(typed) == seen


@pytest.mark.parametrize("typed", ["/\t/affirm", "/\n/crisis@0.2", "/\u00a0/restart", " / / /stop", "/\r\n/deny"])
def test_nothing_typed_with_a_slash_is_left_starting_with_one(typed):
    assert not clean_text(typed).startswith("/")


def test_every_button_the_assistant_renders_passes_unchanged():
    rendered = {b.payload for _, messages in all_replies(get_content()) for m in messages for b in m.buttons}
    slash = {p for p in rendered if p.startswith("/")}
    assert {"/ask_tribunal", "/refused_assessment", "/request_callback", "/affirm", "/deny"} <= slash
    for payload in slash | {"/greet"}:
        assert payload in button_payloads()
        assert clean_text(payload) == payload


@pytest.mark.parametrize(
    "intent", ["crisis", "restart", "session_start", "nlu_fallback", "out_of_scope", "cancel_request", "back"]
)
def test_intents_no_button_sends_are_not_accepted(intent):
    # Only what our buttons send, not every intent of the domain.
    assert f"/{intent}" not in button_payloads()
    assert clean_text(f"/{intent}") == intent


def test_sliding_window_limits_and_recovers():
    now = [0.0]
    window = SlidingWindow(limit=3, window=60, clock=lambda: now[0])
    assert [window.allow("a") for _ in range(4)] == [True, True, True, False]
    assert window.allow("b")
    now[0] = 61
    assert window.allow("a")


def test_idle_keys_are_forgotten_in_time_order():
    now = [0.0]
    window = SlidingWindow(limit=5, window=60, clock=lambda: now[0])
    for n in range(60_000):
        now[0] = n / 1000  # 60,000 keys within one minute
        window.allow(f"key-{n}")
    assert len(window) == 60_000
    now[0] = 89.9995  # keys last seen before 29.9995 s have expired
    window.allow("new")
    assert len(window) == 60_000 - 30_000 + 1
    now[0] = 200.0
    window.allow("newer")
    assert len(window) == 1


def test_a_key_that_writes_again_is_not_forgotten():
    now = [0.0]
    window = SlidingWindow(limit=5, window=60, clock=lambda: now[0])
    window.allow("a")
    now[0] = 30
    window.allow("b")
    now[0] = 50
    window.allow("a")  # a's newest event is now later than b's
    now[0] = 95  # b (30) has expired, a (50) has not
    window.allow("c")
    assert len(window) == 2
    assert [window.allow("a") for _ in range(5)] == [True] * 4 + [False]  # a kept its event at 50


def test_a_refused_message_does_not_extend_the_wait():
    now = [0.0]
    window = SlidingWindow(limit=1, window=60, clock=lambda: now[0])
    assert window.allow("a")
    now[0] = 59
    assert not window.allow("a")
    now[0] = 60
    assert window.allow("a")


def _run(guard, text, handler, sender="s1", address="1.2.3.4"):
    collector = CollectingOutputChannel()
    asyncio.run(guard.handle(UserMessage(text, collector, sender), handler, address))
    return [m["text"] for m in collector.messages]


class FakeRasa:
    """Records what Rasa is given; answers like action_crisis for a crisis, else "ok"."""

    def __init__(self, crisis_reply_too=True):
        self.seen = []
        self.crisis_reply_too = crisis_reply_too

    async def __call__(self, message):
        self.seen.append(message.text)
        if self.crisis_reply_too and (message.text == CRISIS_PAYLOAD or "knife" in message.text):
            await message.output_channel.send_response(message.sender_id, {"text": CRISIS})
        else:
            await message.output_channel.send_text_message(message.sender_id, "ok")


def test_too_long_and_rate_limited_messages_get_a_polite_reply_and_go_no_further():
    rasa = FakeRasa()
    guard = Guard(GuardSettings(max_chars=50, per_conversation=2, per_address=100))
    assert _run(guard, "x" * 51, rasa) == [TOO_LONG]
    assert _run(guard, "one", rasa) == ["ok"]
    assert _run(guard, "two", rasa) == ["ok"]
    assert _run(guard, "three", rasa) == [SLOW_DOWN]
    assert rasa.seen == ["one", "two"]


def test_the_refusals_name_the_emergency_numbers():
    for text in (TOO_LONG, SLOW_DOWN, UNAVAILABLE):
        assert "call 999" in text and "NHS 111" in text and "116 123" in text


def test_the_per_address_limit_counts_every_conversation_from_that_address():
    rasa = FakeRasa()
    guard = Guard(GuardSettings(per_conversation=100, per_address=3))
    replies = [_run(guard, "hello", rasa, sender=f"s{n}", address="9.9.9.9") for n in range(4)]
    assert replies == [["ok"], ["ok"], ["ok"], [SLOW_DOWN]]
    assert _run(guard, "hello", rasa, sender="s9", address="9.9.9.8") == ["ok"]


def test_a_failure_or_silence_still_gets_the_phone_numbers():
    async def broken(message):
        raise ConnectionError("action server down")

    async def silent(message):
        return None

    guard = Guard(GuardSettings())
    for handler in (broken, silent):
        assert _run(guard, "hello", handler, sender=handler.__name__) == [UNAVAILABLE]
        assert "01922 652871" in UNAVAILABLE


# --- crisis first, always ------------------------------------------------------

LONG_ACCOUNT = (
    "We asked the council for an assessment in March and heard nothing back for months. " * 40
    + "Tonight it is worse than ever and he has a knife"
)


def test_a_long_account_ending_in_danger_gets_the_crisis_reply_and_reaches_rasa():
    assert len(LONG_ACCOUNT) > 3000
    rasa = FakeRasa()
    guard = Guard(GuardSettings(max_chars=2000))
    replies = _run(guard, LONG_ACCOUNT, rasa)
    too_long = render_topic("too_long", limit="2,000")
    # Crisis first (once: Rasa's own copy is not repeated), then why the rest was not read.
    assert replies == [CRISIS, too_long]
    assert rasa.seen == [CRISIS_PAYLOAD]


def test_a_crisis_over_the_rate_limit_gets_the_crisis_reply():
    rasa = FakeRasa()
    guard = Guard(GuardSettings(per_conversation=2, per_address=100))
    assert _run(guard, "one", rasa) == ["ok"]
    assert _run(guard, "two", rasa) == ["ok"]
    assert _run(guard, "three", rasa) == [SLOW_DOWN]
    assert _run(guard, "he has a knife", rasa) == [CRISIS]
    assert rasa.seen == ["one", "two", "he has a knife"]  # within the crisis allowance, Rasa sees it too


def test_beyond_both_allowances_a_crisis_still_gets_the_reply_but_rasa_is_spared():
    rasa = FakeRasa()
    guard = Guard(GuardSettings(per_conversation=1, per_address=100))
    replies = [_run(guard, "he has a knife", rasa) for _ in range(4)]
    assert replies == [[CRISIS]] * 4
    assert rasa.seen == ["he has a knife"] * 2  # the ordinary allowance, then the crisis one


def test_the_crisis_reply_survives_a_broken_or_silent_assistant_without_an_apology():
    async def broken(message):
        raise ConnectionError("action server down")

    guard = Guard(GuardSettings())
    assert _run(guard, "he has a knife", broken) == [CRISIS]
    assert _run(guard, "he has a knife", FakeRasa(crisis_reply_too=False), sender="s2") == [CRISIS, "ok"]


def test_a_crisis_hidden_by_a_soft_hyphen_is_caught_by_the_guard():
    rasa = FakeRasa(crisis_reply_too=False)
    assert _run(Guard(GuardSettings()), "he wants to ki\u00adll himself", rasa)[0] == CRISIS
    assert rasa.seen == ["he wants to kill himself"]


def test_only_the_start_and_end_of_a_huge_message_are_scanned():
    middle = "x" * (CRISIS_SCAN_CHARS * 3)
    assert crisis_excerpt("short") == "short"
    excerpt = crisis_excerpt("he has a knife " + middle + " he has a knife")
    assert len(excerpt) <= CRISIS_SCAN_CHARS + 1
    assert excerpt.startswith("he has a knife") and excerpt.endswith("he has a knife")


# --- one set of limits for every channel -----------------------------------------


def test_every_channel_shares_one_set_of_limits(monkeypatch):
    from channels.rest import GuardedRestInput
    from channels.socketio import GuardedSocketIOInput
    from channels.whatsapp import WhatsAppInput

    monkeypatch.setenv("SEND_RATE_PER_ADDRESS", "3")
    env = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t", "TWILIO_WHATSAPP_NUMBER": "+14155238886"}
    guards = [GuardedRestInput().guard, GuardedSocketIOInput().guard, WhatsAppInput(env=env, seen=object()).guard]
    assert guards[0].limits is guards[1].limits is guards[2].limits is shared_limits(GuardSettings.from_env())
    # An address that used its allowance on one channel has none left on another.
    rasa = FakeRasa()
    for guard in itertools.islice(itertools.cycle(guards[:2]), 3):
        assert _run(guard, "hello", rasa, sender=f"c{len(rasa.seen)}", address="7.7.7.7") == ["ok"]
    assert _run(guards[1], "hello", rasa, sender="other", address="7.7.7.7") == [SLOW_DOWN]
    assert _run(guards[0], "hello", rasa, sender="other", address="7.7.7.7") == [SLOW_DOWN]


def test_a_guard_with_its_own_settings_has_its_own_limits():
    assert Guard(GuardSettings()).limits is not Guard(GuardSettings()).limits
    limits = RateLimits(GuardSettings())
    assert Guard(GuardSettings(), limits=limits).limits is limits


# --- the client's address, with Sanic's own proxy settings -------------------------

_apps = itertools.count()


def request_from(socket_ip, headers, **config):
    """A real Sanic request as the server builds it, on an app with the given proxy settings."""
    app = Sanic(f"guard_test_{next(_apps)}")
    for key, value in config.items():
        app.config[key] = value
    request = Request(b"/webhooks/rest/webhook", Header(headers), "1.1", "POST", None, app)
    request.conn_info = SimpleNamespace(client_ip=socket_ip)
    return request


def test_without_proxy_settings_the_address_is_the_sockets_whatever_the_headers_say():
    for headers in (
        {},
        {"x-forwarded-for": "198.51.100.7"},
        {"x-real-ip": "198.51.100.7"},
        {"forwarded": "for=198.51.100.7"},
    ):
        assert client_address(request_from("192.0.2.10", headers)) == "192.0.2.10"


def test_behind_one_proxy_the_address_is_the_entry_the_proxy_added():
    # nginx's $proxy_add_x_forwarded_for appends the address it saw to what the client sent.
    one_proxy = {"PROXIES_COUNT": 1}
    assert client_address(request_from("10.0.0.2", {"x-forwarded-for": "203.0.113.5"}, **one_proxy)) == "203.0.113.5"
    for written_by_client in ("198.51.100.1", "1.1.1.1, 2.2.2.2", "unknown", "203.0.113.99"):
        headers = {"x-forwarded-for": f"{written_by_client}, 203.0.113.5"}
        assert client_address(request_from("10.0.0.2", headers, **one_proxy)) == "203.0.113.5"
    # A second header line counts as further entries, as the proxy's own is last.
    headers = [("x-forwarded-for", "198.51.100.1"), ("x-forwarded-for", "203.0.113.5")]
    assert client_address(request_from("10.0.0.2", headers, **one_proxy)) == "203.0.113.5"
    # Reached directly, not through the proxy: the socket's address.
    assert client_address(request_from("192.0.2.10", {}, **one_proxy)) == "192.0.2.10"


def test_two_proxies_and_a_real_ip_header():
    headers = {"x-forwarded-for": "198.51.100.1, 203.0.113.5, 10.0.0.3"}
    assert client_address(request_from("10.0.0.2", headers, PROXIES_COUNT=2)) == "203.0.113.5"
    real_ip = {"REAL_IP_HEADER": "x-real-ip"}
    assert client_address(request_from("10.0.0.2", {"x-real-ip": "203.0.113.5"}, **real_ip)) == "203.0.113.5"


def test_the_older_setting_means_one_proxy_unless_sanics_own_settings_say_otherwise():
    from channels.access import configure_proxies

    app = Sanic(f"guard_test_{next(_apps)}")
    configure_proxies(app, env={})
    assert not app.config.PROXIES_COUNT
    configure_proxies(app, env={"SEND_TRUST_PROXY": "1"})
    assert app.config.PROXIES_COUNT == 1
    request = Request(b"/", Header({"x-forwarded-for": "198.51.100.1, 203.0.113.5"}), "1.1", "GET", None, app)
    request.conn_info = SimpleNamespace(client_ip="10.0.0.2")
    assert client_address(request) == "203.0.113.5"  # not the leftmost, which the client wrote

    with_real_ip = Sanic(f"guard_test_{next(_apps)}")
    with_real_ip.config.REAL_IP_HEADER = "x-real-ip"
    configure_proxies(with_real_ip, env={"SEND_TRUST_PROXY": "1"})
    assert not with_real_ip.config.PROXIES_COUNT
