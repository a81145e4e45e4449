"""The website widget, end to end: a real browser on the demo page, the real Rasa server.

One stack (action server + Rasa server with the socket.io channel) and one demo
page server are shared by the module. The Rasa server allows only the demo
page's origin (SEND_WIDGET_ORIGINS), exactly as a council would configure it.

What is checked, in Debian's Chromium driven by Playwright:
* keyboard only: Tab to the launcher, Enter opens it and moves focus inside,
  Escape closes it and focus returns to the launcher;
* the routes reply arrives over socket.io (session_persistence on: the
  python-socketio >= 5.10 trap), with a working tribunal link and buttons;
* the conversation survives a reload and a move to another page, and the
  server carries on the same conversation; "Start again" clears it;
* a family's "<img onerror>" shows as text and creates no element;
* the same at 320 px wide (no horizontal scroll), at 200% zoom and with
  200% text; reduced motion stops the typing animation;
* axe-core finds no serious or critical WCAG 2.2 A/AA violations;
* a foreign Origin is refused; a client cannot pick its conversation id;
* the callback form's typed answers (number, good time, what it is about)
  are shown but never kept in the saved transcript (sessionStorage);
* a token older than the limit starts a new conversation, and the widget
  says so.

Screenshots go to artifacts/browser/.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio
from playwright.sync_api import Page, expect, sync_playwright

from advice.content import get_content
from scripts.stack import ROOT
from tests.e2e.chat import Chat, run_async
from tests.e2e.conftest import WIDGET_SECRET
from tests.e2e.expected import TOO_LONG

pytestmark = pytest.mark.e2e

MODEL = ROOT / "models" / "send-assistant.tar.gz"
LOGS = ROOT / "artifacts" / "widget"
SHOTS = ROOT / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
WIDGET = ROOT / "web" / "dist" / "widget.js"
WIDGET_SOURCES = [
    ROOT / "web" / "package-lock.json",
    ROOT / "web" / "build.mjs",
    *sorted((ROOT / "web" / "src").iterdir()),
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRIBUNAL = "https://www.gov.uk/appeal-ehc-plan-decision"
QUESTION = "the council refused to assess my son for an EHC plan"
FOREIGN_ORIGIN = "https://evil.example"
REPLY_TIMEOUT = 30_000  # ms; the machine may be busy


@dataclass
class Site:
    demo_url: str  # the demo page, standing in for the council's site
    rasa_url: str
    stack: object


def _check_prerequisites() -> None:
    """Fail (never skip) with what to run when something is missing."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: run scripts/ci-setup-browser.sh")
    if not WIDGET.exists() or not AXE.exists():
        pytest.fail("the widget is not built: run scripts/ci-setup-browser.sh (or `make widget`)")
    newest = max(path.stat().st_mtime for path in WIDGET_SOURCES)
    if WIDGET.stat().st_mtime < newest:
        pytest.fail("web/dist/widget.js is older than web/src: run `make widget`")


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the demo server exited; see {LOGS}"
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@pytest.fixture(scope="module")
def site(servers):
    """The demo page, on the port whose origin the shared stack allows (conftest.py)."""
    _check_prerequisites()
    LOGS.mkdir(parents=True, exist_ok=True)
    port = servers.demo_port
    log = open(LOGS / "widget_demo_server.log", "w", encoding="utf-8")  # noqa: SIM115 - open while the server runs
    demo = subprocess.Popen(
        [sys.executable, "-m", "web.serve", "--port", str(port), "--rasa-url", servers.rasa_url],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/", demo)
        yield Site(f"http://127.0.0.1:{port}", servers.rasa_url, servers)
    finally:
        demo.terminate()
        demo.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- helpers that look inside the widget (an open shadow root; Playwright's CSS pierces it)


def focused(page: Page) -> str:
    """What has focus: 'widget:<class or id>' inside the widget, else the tag name."""
    return page.evaluate(
        """() => {
            const a = document.activeElement;
            if (a && a.id === 'send-widget') {
                const inner = a.shadowRoot.activeElement;
                return 'widget:' + (inner ? (inner.id || inner.className) : '');
            }
            return a ? a.tagName : '';
        }"""
    )


def tab_to_launcher(page: Page, limit: int = 25) -> int:
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page) == "widget:sw-launcher":
            return presses
    pytest.fail(f"the launcher was not reached with {limit} presses of Tab")


def bot_messages(page: Page):
    return page.locator(".sw-msg--bot .sw-text")


def wait_for_bot_count(page: Page, count: int) -> None:
    """Waits until at least ``count`` assistant messages are shown."""
    bot_messages(page).nth(count - 1).wait_for(timeout=REPLY_TIMEOUT)


def intros(page: Page):
    """The opening message of a conversation (sent once per conversation)."""
    return bot_messages(page).filter(has_text="I am an automated assistant")


def watch_typing(page: Page) -> None:
    """Records whether the typing indicator appeared (it may last less than a poll)."""
    page.evaluate(
        """() => {
            const root = document.getElementById('send-widget').shadowRoot;
            const status = root.querySelector('.sw-status');
            window.__typing = [];
            new MutationObserver(() => {
                const dot = status.querySelector('.sw-dot');
                if (dot) window.__typing.push({
                    text: status.textContent,
                    animation: getComputedStyle(dot).animationName,
                });
            }).observe(status, {childList: true});
        }"""
    )


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        """() => {
            const root = document.getElementById('send-widget').shadowRoot;
            const out = {page: [document.documentElement.scrollWidth, window.innerWidth]};
            for (const sel of ['.sw-panel', '.sw-log', '.sw-header', '.sw-form']) {
                const node = root.querySelector(sel);
                out[sel] = [node.scrollWidth, node.clientWidth];
            }
            return out;
        }"""
    )
    for name, (scroll, client) in widths.items():
        assert scroll <= client, f"{name} scrolls sideways: {scroll} > {client}"


def targets_big_enough(page: Page) -> None:
    """Every visible button and link in the widget is at least 44x44 CSS px."""
    small = page.evaluate(
        """() => {
            const root = document.getElementById('send-widget').shadowRoot;
            return [...root.querySelectorAll('button, a')]
                .filter((n) => n.getClientRects().length)
                .map((n) => ({name: n.textContent.trim().slice(0, 30), ...n.getBoundingClientRect().toJSON()}))
                .filter((r) => r.width < 44 || r.height < 44);
        }"""
    )
    assert not small, f"targets smaller than 44x44 px: {small}"


def in_viewport(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["y"] >= 0, f"{selector} starts off screen: {box}"
    assert box["x"] + box["width"] <= size["width"] + 0.5, f"{selector} is cut off: {box}"
    assert box["y"] + box["height"] <= size["height"] + 0.5, f"{selector} is cut off: {box}"


def open_with_keyboard(page: Page, url: str) -> None:
    page.goto(url)
    launcher = page.locator(".sw-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_have_accessible_name("Ask about a SEND decision")
    tab_to_launcher(page)
    page.keyboard.press("Enter")
    expect(page.locator(".sw-panel")).to_be_visible()
    assert focused(page) == "widget:sw-input", "focus did not move into the widget"
    expect(launcher).to_have_attribute("aria-expanded", "true")


def ask(page: Page, text: str) -> None:
    """Types into the focused input, sends, waits for the turn's reply."""
    before = bot_messages(page).count()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_for_bot_count(page, before + 1)
    page.wait_for_timeout(500)  # a reply can be several messages (Rasa splits at blank lines)


def session_token(page: Page) -> str:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('send-widget/v1')).session")


def saved_transcript(page: Page) -> str:
    """Everything the widget keeps in the browser, as stored."""
    return page.evaluate("() => sessionStorage.getItem('send-widget/v1')")


def click_and_wait(page: Page, title: str) -> None:
    before = bot_messages(page).count()
    page.locator(".sw-choice", has_text=title).last.click()
    wait_for_bot_count(page, before + 1)
    page.wait_for_timeout(500)


# --- the browser tests


@pytest.mark.parametrize(
    "name, viewport, motion",
    [("desktop", {"width": 1280, "height": 800}, "no-preference"), ("320px", {"width": 320, "height": 640}, "reduce")],
)
def test_a_family_uses_the_widget_with_the_keyboard(site, browser, name, viewport, motion):
    context = browser.new_context(viewport=viewport, reduced_motion=motion)
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The demo page has a strict Content-Security-Policy (no inline script or style).
    page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    try:
        open_with_keyboard(page, f"{site.demo_url}/")
        # The header says who this is; the assistant introduces itself (greeting).
        expect(page.locator(".sw-title")).to_have_text("Walsall SEND disagreements helper")
        expect(page.locator(".sw-subtitle")).to_contain_text("automated")
        privacy = page.locator(".sw-privacy a")
        expect(privacy).to_have_attribute("href", f"{site.demo_url}/privacy.html")
        wait_for_bot_count(page, 1)
        expect(bot_messages(page).first).to_contain_text("automated assistant")
        expect(page.locator(".sw-log")).to_have_attribute("role", "log")
        expect(page.locator(".sw-log")).to_have_attribute("aria-live", "polite")

        # The question: the routes arrive, with a working tribunal link and buttons.
        watch_typing(page)
        page.keyboard.type(QUESTION)
        page.keyboard.press("Enter")
        expect(page.locator(".sw-msg--user .sw-text").last).to_have_text(QUESTION)
        link = page.locator(f'.sw-text a[href="{TRIBUNAL}"]').first
        link.wait_for(timeout=REPLY_TIMEOUT)
        expect(link).to_have_attribute("target", "_blank")
        assert "noopener" in link.get_attribute("rel").split()
        expect(link).to_contain_text("opens in a new tab")
        routes = bot_messages(page).filter(has_text="SEND35a").last
        expect(routes).to_contain_text("SEND Tribunal")
        typing = page.evaluate("window.__typing")
        assert typing and "is typing" in typing[0]["text"], "no typing indicator was shown"
        expected_animation = "none" if motion == "reduce" else "sw-bounce"
        assert typing[0]["animation"] == expected_animation
        # "Did this help?" follows the routes, with its own two buttons.
        question = bot_messages(page).filter(has_text="Did this help?")
        question.last.wait_for(timeout=REPLY_TIMEOUT)
        expect(page.locator(".sw-msg--bot").last.locator(".sw-choice")).to_have_count(2)
        buttons = page.locator(".sw-msg--bot", has_text="SEND35a").last.locator(".sw-choice")
        # The refused assessment's next questions, as content/routes.yml lists them.
        expect(buttons).to_have_count(len(get_content().disagreements["refused_assessment"]["buttons"]))
        targets_big_enough(page)
        no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / f"{name}-1-routes.png"))

        # A button: its title shows as the family's message and its answer arrives.
        count = bot_messages(page).count()
        page.locator(".sw-choice", has_text="How do I appeal?").last.click()
        expect(page.locator(".sw-msg--user .sw-text").last).to_have_text("How do I appeal?")
        wait_for_bot_count(page, count + 1)
        expect(bot_messages(page).nth(count)).to_contain_text("mediation certificate")
        assert focused(page) == "widget:sw-input"
        page.screenshot(path=str(SHOTS / f"{name}-2-button.png"))

        # A reload keeps the conversation, and the server carries on the same one:
        # "how long do I have?" goes straight to the date on the letter (the
        # calculator remembers it is a refused assessment), with no new opening message.
        page.wait_for_timeout(500)
        token = session_token(page)
        shown = bot_messages(page).count()
        page.reload()
        expect(page.locator(".sw-panel")).to_be_visible()
        expect(bot_messages(page)).to_have_count(shown)
        expect(bot_messages(page).filter(has_text="SEND35a").first).to_be_visible()
        page.locator(".sw-input").focus()
        ask(page, "how long do I have?")
        assert session_token(page) == token
        expect(bot_messages(page).nth(shown)).to_contain_text("using form SEND35a")  # the rules for this refusal
        expect(
            bot_messages(page).filter(has_text="What is the date printed on the council's decision letter?")
        ).to_have_count(1)
        expect(page.locator(".sw-log")).not_to_contain_text("which decision is the letter about?")
        expect(intros(page)).to_have_count(1)

        # Another page of the site: the conversation is there too.
        shown = bot_messages(page).count()
        page.goto(f"{site.demo_url}/another.html")
        expect(page.locator(".sw-panel")).to_be_visible()
        expect(bot_messages(page)).to_have_count(shown)
        assert session_token(page) == token

        # A family's text is never markup.
        xss = "<img src=x onerror=alert(1)>"
        page.locator(".sw-input").fill(xss)
        page.locator(".sw-input").press("Enter")
        expect(page.locator(".sw-msg--user .sw-text").last).to_have_text(xss)
        wait_for_bot_count(page, shown + 1)
        images = page.evaluate(
            "() => document.querySelectorAll('img').length"
            " + document.getElementById('send-widget').shadowRoot.querySelectorAll('img').length"
        )
        assert images == 0 and not dialogs
        page.screenshot(path=str(SHOTS / f"{name}-3-another-page.png"))

        # Start again: the conversation is gone, a new one (new token) begins.
        page.locator(".sw-restart").click()
        expect(page.locator(".sw-status")).to_contain_text("new conversation")
        wait_for_bot_count(page, 1)
        expect(intros(page)).to_have_count(1)
        expect(page.locator(".sw-log")).not_to_contain_text("SEND35a")
        expect(page.locator(".sw-msg--user")).to_have_count(0)
        assert session_token(page) != token
        assert focused(page) == "widget:sw-input"

        # Escape closes it and focus returns to the launcher.
        page.keyboard.press("Escape")
        expect(page.locator(".sw-panel")).to_be_hidden()
        assert focused(page) == "widget:sw-launcher"
        expect(page.locator(".sw-launcher")).to_have_attribute("aria-expanded", "false")
        page.screenshot(path=str(SHOTS / f"{name}-4-closed.png"))
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize(
    "name, viewport, scale, root_font",
    [
        ("zoom-200", {"width": 640, "height": 400}, 2, None),  # what 1280x800 at 200% zoom gives
        ("text-200", {"width": 1280, "height": 800}, 1, "200%"),
    ],  # text-only resize
)
def test_everything_stays_usable_at_200_percent(site, browser, name, viewport, scale, root_font):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    try:
        page.goto(f"{site.demo_url}/")
        if root_font:
            page.evaluate(f"document.documentElement.style.fontSize = '{root_font}'")
        page.locator(".sw-launcher").click()
        wait_for_bot_count(page, 1)
        page.locator(".sw-input").focus()
        ask(page, QUESTION)
        for selector in (".sw-title", ".sw-restart", ".sw-close", ".sw-input", ".sw-send", ".sw-log"):
            in_viewport(page, selector)
        no_horizontal_scroll(page)
        log_box = page.locator(".sw-log").bounding_box()
        assert log_box["height"] >= 80, f"too little room for the conversation: {log_box}"
        page.screenshot(path=str(SHOTS / f"{name}.png"))
    finally:
        context.close()


def test_axe_finds_no_serious_accessibility_problems(site, browser):
    # bypass_csp: axe is injected as an inline script, which the demo page's policy forbids.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{site.demo_url}/")
        page.locator(".sw-launcher").click()
        wait_for_bot_count(page, 1)
        page.locator(".sw-input").focus()
        ask(page, QUESTION)
        page.locator(f'.sw-text a[href="{TRIBUNAL}"]').first.wait_for(timeout=REPLY_TIMEOUT)
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            """() => axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
        )
        (LOGS / "axe-results.json").write_text(json.dumps(results["violations"], indent=1))
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, "\n".join(serious)
        # The checks that matter most here did run (and passed).
        ran = {rule["id"] for rule in results["passes"]}
        assert {"color-contrast", "button-name", "aria-allowed-role"} <= ran, ran
    finally:
        context.close()


# --- what the browser keeps

PRIVATE_PLACEHOLDER = "(Your answer is not kept on this device.)"  # web/src/store.js
TOPIC = "the refused assessment for my boy"
NUMBER = "07700 900357"  # not the example in the question (07700 900123)
GOOD_TIME = "after half past three on weekdays"


def test_the_callback_forms_answers_are_not_kept_in_the_saved_transcript(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{site.demo_url}/")
        page.locator(".sw-launcher").click()
        wait_for_bot_count(page, 1)
        page.locator(".sw-input").focus()
        ask(page, QUESTION)
        ask(page, "I want to talk to someone")  # the action server's clock says out of hours
        click_and_wait(page, "Request a callback")
        ask(page, TOPIC)  # typed instead of the offered label: private
        click_and_wait(page, "Phone")  # a button: our own words, kept
        page.locator(".sw-input").focus()
        ask(page, NUMBER)
        expect(bot_messages(page).last).to_contain_text("good time")
        ask(page, GOOD_TIME)
        expect(bot_messages(page).last).to_contain_text("Do you agree")
        # On screen while the page is open, the family sees what they typed...
        typed = page.locator(".sw-msg--user .sw-text")
        for answer in (TOPIC, NUMBER, GOOD_TIME):
            expect(typed.filter(has_text=answer)).to_have_count(1)
        # ...but the browser keeps placeholders, and the rest of the conversation as it was.
        saved = saved_transcript(page)
        for answer in (TOPIC, NUMBER, GOOD_TIME, "900357", "half past three"):
            assert answer not in saved, f"{answer!r} is kept in sessionStorage"
        stored = json.loads(saved)["messages"]
        assert [m["text"] for m in stored if m.get("private")] == [PRIVATE_PLACEHOLDER] * 3
        user_texts = [m["text"] for m in stored if m["from"] == "user"]
        assert QUESTION in user_texts and "Phone" in user_texts and "Request a callback" in user_texts
        # After a reload (or on another page of the site) only the placeholders are there.
        page.reload()
        expect(page.locator(".sw-panel")).to_be_visible()
        expect(typed.filter(has_text=PRIVATE_PLACEHOLDER)).to_have_count(3)
        for answer in (TOPIC, NUMBER, GOOD_TIME):
            expect(page.locator(".sw-log")).not_to_contain_text(answer)
        # The consent answer is a button, and after it nothing typed is private any more.
        click_and_wait(page, "No")
        page.locator(".sw-input").focus()
        ask(page, "is mediation free")
        assert "is mediation free" in saved_transcript(page)
        page.screenshot(path=str(SHOTS / "callback-private-answers.png"))
    finally:
        context.close()


def test_a_summary_can_be_downloaded_and_printed(site, browser):
    """'Keep a copy' gives the summary with Download (a text file made in the browser) and Print."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{site.demo_url}/")
        page.locator(".sw-launcher").click()
        wait_for_bot_count(page, 1)
        page.locator(".sw-input").focus()
        ask(page, QUESTION)
        click_and_wait(page, "Keep a copy")
        expect(bot_messages(page).filter(has_text="Your next steps: The council won't assess")).to_have_count(1)
        with page.expect_download() as info:
            page.locator(".sw-choice", has_text="Download").last.click()
        download = info.value
        assert download.suggested_filename == "walsall-send-next-steps.txt"
        saved = Path(download.path()).read_text(encoding="utf-8")
        assert saved.startswith("Your next steps: The council won't assess")
        assert "What you can do, in order\n1. Talk to your EHC case officer" in saved
        assert "Walsall SENDIAS: phone" in saved
        # Print opens the browser's print for a frame holding only the summary.
        page.locator(".sw-choice", has_text="Print").last.click()
        frame_text = page.evaluate(
            "() => [...document.querySelectorAll('iframe.sw-print')].map(f => f.contentDocument.body.textContent)"
        )
        assert frame_text and frame_text[0].startswith("Your next steps:")
        # After a reload the summary can still be downloaded.
        page.reload()
        expect(page.locator(".sw-choice", has_text="Download")).to_have_count(1)
        targets_big_enough(page)
        page.screenshot(path=str(SHOTS / "summary-keep-a-copy.png"))
        assert not errors, errors
    finally:
        context.close()


def _token(session_id: str, issued: int) -> str:
    """A token as the server makes it (channels/socketio.py), signed with the shared stack's secret."""
    body = f"{session_id}.{issued}"
    return f"{body}.{hmac.new(WIDGET_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()}"


def test_an_expired_token_starts_a_new_conversation_politely(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    set_token = (
        "(token) => { const s = JSON.parse(sessionStorage.getItem('send-widget/v1')); "
        "s.session = token; sessionStorage.setItem('send-widget/v1', JSON.stringify(s)); }"
    )
    try:
        page.goto(f"{site.demo_url}/")
        page.locator(".sw-launcher").click()
        wait_for_bot_count(page, 1)
        page.locator(".sw-input").focus()
        ask(page, QUESTION)
        session_id, issued, _ = session_token(page).split(".")
        assert abs(int(issued) - time.time()) < 120, "the token carries its issue time"

        # A token issued an hour ago (made here with the server's key) still continues the conversation...
        page.evaluate(set_token, _token(session_id, int(time.time()) - 3600))
        page.reload()
        page.locator(".sw-input").focus()
        shown = bot_messages(page).count()
        ask(page, "how long do I have?")
        assert session_token(page).split(".")[0] == session_id
        expect(bot_messages(page).nth(shown)).to_contain_text("using form SEND35a")  # the rules for this refusal
        expect(
            bot_messages(page).filter(has_text="What is the date printed on the council's decision letter?")
        ).to_have_count(1)
        expect(page.locator(".sw-log")).not_to_contain_text("which decision is the letter about?")

        # ...one issued 25 hours ago does not: a new conversation, and the widget says so.
        page.evaluate(set_token, _token(session_id, int(time.time()) - 25 * 3600))
        page.reload()
        expect(page.locator(".sw-msg--note")).to_have_text(
            "Your earlier conversation has ended, so this is a new one. Please ask your question again."
        )
        new_id = session_token(page).split(".")[0]
        assert new_id != session_id
        page.locator(".sw-input").focus()
        shown = bot_messages(page).count()
        ask(page, "how long do I have?")
        answer = " ".join(bot_messages(page).all_inner_texts()[shown:])
        assert answer and "using form SEND35a" not in answer  # the old disagreement is gone
        page.screenshot(path=str(SHOTS / "expired-token.png"))
    finally:
        context.close()


# --- the socket.io server, with a python-socketio client


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_only_the_configured_origin_may_connect(site, transport):
    async def scenario():
        foreign = Chat()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await foreign.connect(site.rasa_url, FOREIGN_ORIGIN, transport)
        await foreign.close()

        allowed = Chat()
        await allowed.connect(site.rasa_url, site.demo_url, transport)
        try:
            await allowed.session()
            replies = await allowed.say("the council refused to assess my son")
        finally:
            await allowed.close()
        return replies

    replies = run_async(scenario())
    routes = [r for r in replies if "SEND35a" in r.get("text", "")]
    assert routes, [r.get("text", "")[:60] for r in replies]
    assert [b["payload"] for b in routes[-1]["quick_replies"]]  # buttons came too


def test_a_client_cannot_choose_or_borrow_a_conversation(site):
    async def scenario():
        family, other = Chat(), Chat()
        await family.connect(site.rasa_url, site.demo_url, "websocket")
        await other.connect(site.rasa_url, site.demo_url, "websocket")
        try:
            token = await family.session()
            await family.say("the council refused to assess my son")
            family_id = token.split(".")[0]
            # Names it picks, or the family's bare id, get a fresh conversation instead.
            chosen = [await other.session(name) for name in ("demo-1", family_id, "a" * 32)]
            # Naming the family's token in a message does not send it there.
            mine = await other.session()
            await other.say("how long do I have?", session_id=token)
            leaked = not family.replies.empty()
        finally:
            await family.close()
            await other.close()
        return token, chosen, mine, leaked

    token, chosen, mine, leaked = run_async(scenario())
    for issued in chosen + [mine]:
        assert issued != token and issued.split(".")[0] not in ("demo-1", token.split(".")[0], "a" * 32)
    assert len(set(chosen + [mine])) == len(chosen) + 1
    assert not leaked, "a reply reached another client's conversation"


def test_socket_messages_pass_through_the_guard(site):
    # The guard's rules are tested over REST (test_bad_input.py); this shows the
    # socket.io channel sends every message through it.
    async def scenario():
        chat = Chat()
        await chat.connect(site.rasa_url, site.demo_url, "websocket")
        try:
            await chat.session()
            return await chat.say("a" * 2001)
        finally:
            await chat.close()

    replies = run_async(scenario())
    assert [r["text"] for r in replies] == [TOO_LONG]
    assert TOO_LONG.startswith("Sorry, that message is too long for me.") and "call 999" in TOO_LONG


# --- the safe formatter (web/src/format.js), in the real browser

FORMAT_JS = ROOT / "web" / "src" / "format.js"


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "How to appeal: https://www.gov.uk/appeal-ehc-plan-decision.\nNext line",
            [
                ("text", "How to appeal: "),
                ("a", "https://www.gov.uk/appeal-ehc-plan-decision"),
                ("text", ".\nNext line"),
            ],
        ),
        (
            "(see https://example.org/a_(b)) and http://x.test/?q=1,",
            [
                ("text", "(see "),
                ("a", "https://example.org/a_(b)"),
                ("text", ") and "),
                ("a", "http://x.test/?q=1"),
                ("text", ","),
            ],
        ),
        (
            '<img src=x onerror=alert(1)> javascript:alert(1) <a href="https://evil.example">x</a>',
            [
                ("text", "<img src=x onerror=alert(1)> javascript:alert(1) <a href="),
                ("text", '"'),
                ("a", "https://evil.example"),
                ("text", '">x</a>'),
            ],
        ),
        ("no links at all", [("text", "no links at all")]),
    ],
)
def test_the_formatter_makes_only_text_and_web_links(browser, text, expected):
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>formatter</title><div id=out></div>")
        page.add_script_tag(content=FORMAT_JS.read_text().replace("export function", "function"))
        nodes = page.evaluate(
            """(text) => {
                const out = document.getElementById('out');
                out.append(formatText(text));
                return [...out.childNodes].map((n) => n.nodeType === 3
                    ? ['text', n.textContent]
                    : [n.tagName.toLowerCase(), n.firstChild.textContent, n.href, n.target, n.rel,
                       n.querySelectorAll('*').length, n.lastChild.textContent]);
            }""",
            text,
        )
    finally:
        page.close()
    # adjacent text nodes are one run of text for a reader
    merged = []
    for node in nodes:
        if merged and node[0] == "text" and merged[-1][0] == "text":
            merged[-1] = ["text", merged[-1][1] + node[1]]
        else:
            merged.append(node)
    want = []
    for kind, value in expected:
        if want and kind == "text" and want[-1][0] == "text":
            want[-1] = ("text", want[-1][1] + value)
        else:
            want.append((kind, value))
    assert [(n[0], n[1]) for n in merged] == want
    for node in merged:
        if node[0] == "a":
            _, label, href, target, rel, children, hint = node
            assert href.startswith(("http://", "https://")) and href.rstrip("/") == label.rstrip("/")
            assert target == "_blank" and "noopener" in rel.split()
            assert children == 1 and hint == " (opens in a new tab)"
