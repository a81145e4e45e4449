"""The insights report page, looked at as a person would: in Chromium, driven by Playwright.

The page is built from synthetic conversations and opened from a file, as it
would be from an email attachment. Checked: it renders with no console
errors and fetches nothing; every chart is an inline SVG named by its caption,
with its table as the text alternative; axe-core finds no serious or critical
WCAG 2.2 A/AA violations; at 320 px wide nothing but a table's own scroll box
scrolls sideways. Screenshots go to results/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from insights import report
from insights.period import Period
from insights.synthetic import Generator
from insights.synthetic_store import write_fast

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "results"
PERIOD = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: run scripts/ci-setup-browser.sh")
    folder = tmp_path_factory.mktemp("report-page")
    url = f"sqlite:///{folder / 'send.db'}"
    write_fast(url, Generator(PERIOD, seed=31).conversations(800))
    return report.make(url, PERIOD, folder / "report.html").html


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_page(chromium, page_file, **context):
    ctx = chromium.new_context(**context)
    page = ctx.new_page()
    problems, requests = [], []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    return ctx, page, problems, requests


def test_the_page_renders_with_no_errors_and_fetches_nothing(chromium, page_file):
    ctx, page, problems, requests = open_page(chromium, page_file, viewport={"width": 1200, "height": 900})
    try:
        assert page.title().startswith("SEND assistant: insights report")
        assert problems == []
        assert requests == [page_file.as_uri()], requests
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / "report-page.png"), full_page=True)
    finally:
        ctx.close()


def test_every_chart_has_a_caption_and_a_table(chromium, page_file):
    ctx, page, problems, _ = open_page(chromium, page_file, viewport={"width": 1200, "height": 900})
    try:
        charts = page.evaluate(
            """() => [...document.querySelectorAll('svg')].map(svg => {
                const figure = svg.closest('figure');
                const captionId = svg.getAttribute('aria-labelledby');
                const caption = captionId && document.getElementById(captionId);
                const table = figure && figure.querySelector('table');
                const box = svg.getBoundingClientRect();
                return {
                    inFigure: !!figure, role: svg.getAttribute('role'),
                    caption: caption ? caption.textContent.trim() : '',
                    captionInFigure: !!(caption && figure && figure.contains(caption)),
                    rows: table ? table.querySelectorAll('tbody tr').length : 0,
                    headers: table ? table.querySelectorAll('thead th[scope=col]').length : 0,
                    width: box.width, height: box.height,
                };
            })"""
        )
        assert len(charts) >= 10
        for chart in charts:
            assert chart["inFigure"] and chart["role"] == "img" and chart["captionInFigure"], chart
            assert len(chart["caption"]) > 40, chart
            assert chart["rows"] >= 1 and chart["headers"] >= 2, chart
            assert chart["width"] > 300 and chart["height"] > 100, chart
        assert problems == []
    finally:
        ctx.close()


def test_axe_finds_no_serious_accessibility_problems(chromium, page_file):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make widget` (web/node_modules)")
    # The page's own policy forbids scripts, so axe is let in for this test only.
    ctx, page, _, _ = open_page(chromium, page_file, viewport={"width": 1200, "height": 900}, bypass_csp=True)
    try:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
        )
        serious = [
            (v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
    finally:
        ctx.close()


def test_on_a_phone_only_wide_tables_scroll_sideways(chromium, page_file):
    ctx, page, problems, _ = open_page(chromium, page_file, viewport={"width": 320, "height": 640})
    try:
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page scrolls sideways: {width}"
        page.screenshot(path=str(RESULTS / "report-page-320px.png"))
        assert problems == []
    finally:
        ctx.close()
