"""The insights report: figures against what synthetic conversations are known to hold.

The synthetic generator (insights/synthetic.py) counts, while it
writes conversations in Rasa's format, what the report should find; the
report's SQL never sees that count. Every figure is checked on SQLite and on
a real PostgreSQL server (scripts/pg_cluster.py), over a period that crosses
the end of British Summer Time, so UK hours and weeks are tested where they are
easiest to get wrong. Then: small numbers, the page and CSV, the command line,
and the review list's export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from advice import office_hours
from advice.content import get_content
from insights import queries, report, review, suppress, tables
from insights.period import LONDON, Period
from insights.report import COUNTED
from insights.sql import Snapshot
from insights.synthetic import Generator
from insights.synthetic_store import write_fast
from scripts.pg_cluster import PostgresUnavailable, fresh_database, temporary_postgres
from storage import db

ROOT = Path(__file__).resolve().parents[2]
# 20 October to 8 November 2026: the clocks go back on 25 October.
PERIOD = Period(dt.date(2026, 10, 20), dt.date(2026, 11, 8))
CONVERSATIONS = 600


@pytest.fixture(scope="module")
def pg_server():
    try:
        with temporary_postgres() as url:
            yield url
    except PostgresUnavailable as error:
        pytest.fail(f"PostgreSQL is needed for these tests: {error}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled(request, tmp_path_factory):
    """A database of each kind with synthetic conversations, and their truth."""
    generator = Generator(PERIOD, seed=2026)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'send.db'}"
        write_fast(url, generator.conversations(CONVERSATIONS))
        yield url, generator.truth
        return
    with fresh_database(request.getfixturevalue("pg_server")) as url:
        write_fast(url, generator.conversations(CONVERSATIONS))
        yield url, generator.truth


def collect(url: str, period: Period = PERIOD):
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            snapshot = Snapshot(connection, period, COUNTED).build()
            try:
                return queries.collect(connection, period, COUNTED), review.build(connection, period, COUNTED)
            finally:
                snapshot.drop()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def figures(filled):
    url, truth = filled
    found, review_list = collect(url)
    return found, review_list, truth


def totals(counts: Counter, position: int = 1) -> Counter:
    out: Counter = Counter()
    for key, number in counts.items():
        out[key[position]] += number
    return out


# -- the figures, against the truth ---------------------------------------------------------


def test_conversations_and_messages_by_channel(figures):
    found, _, truth = figures
    assert sum(truth.conversations.values()) == CONVERSATIONS
    assert totals(found.conversations) == truth.conversations
    assert totals(found.messages) == truth.messages
    assert set(truth.conversations) == {"socketio", "whatsapp", "rest"}


def test_disagreements_follow_ups_and_feedback_by_type(figures):
    found, _, truth = figures
    assert found.routes == truth.routes
    assert found.followups == truth.followups
    assert found.feedback == truth.feedback
    assert truth.followups and truth.feedback  # the test data holds some of each


def test_fallbacks_out_of_scope_and_crisis(figures):
    found, _, truth = figures
    outcomes = totals(found.outcomes)
    for kind in ("not_understood", "did_you_mean", "crisis"):
        assert outcomes[kind] == truth.actions[kind], kind
    assert outcomes["out_of_scope"] > 0


def test_callback_requests_and_time_to_done(figures):
    found, _, truth = figures
    assert found.callbacks == truth.callbacks
    times = found.callback_times
    assert times.done == len(truth.done_seconds) > 0
    assert times.median_seconds == pytest.approx(statistics.median(truth.done_seconds), abs=0.01)
    expected = Counter()
    for seconds in truth.done_seconds:
        expected[next(label for hours, label in queries.DONE_WITHIN if seconds < hours * 3600)] += 1
    assert {k: v for k, v in times.within.items() if v} == dict(expected)


def test_uk_hours_days_and_office_hours_across_the_clock_change(figures):
    found, _, truth = figures
    by_hour, by_day = tables.office_split(found, report.labels())
    assert Counter({h: sum(c) for h, c in enumerate(by_hour) if sum(c)}) == truth.by_hour
    assert Counter({d: sum(c) for d, c in enumerate(by_day) if sum(c)}) == truth.by_weekday
    # Outside office hours, worked out from each start time exactly, not by quarter hour.
    service = get_content().callback["service"]
    outside = sum(
        not office_hours.get_hours().status(service, dt.datetime.fromtimestamp(t, tz=LONDON)).is_open
        for t in truth.starts
    )
    assert sum(h[1] for h in by_hour) == outside
    assert 0 < outside < CONVERSATIONS


def test_the_review_list_has_every_message_not_understood(figures):
    _, review_list, truth = figures
    assert review_list.messages == truth.actions["not_understood"] + truth.actions["did_you_mean"]
    grouped = sum(group.size for group in review_list.groups)
    assert grouped == review_list.messages and review_list.left_out == 0
    # Similar messages share a group: every "blue badge" message is in one group.
    badge = [g for g in review_list.groups if any("blue badge" in i.text for i in g.items)]
    assert len(badge) == 1 and all("badge" in i.text for i in badge[0].items)
    assert all(g.items[0].answer for g in review_list.groups)  # what the assistant said, text only


def test_a_period_counts_only_its_own_days(filled):
    url, truth = filled
    first_week = Period(PERIOD.first, PERIOD.first + dt.timedelta(days=6))
    found, _ = collect(url, first_week)
    expected = sum(1 for t in truth.starts if dt.datetime.fromtimestamp(t, tz=LONDON).date() <= first_week.last)
    assert sum(found.conversations.values()) == expected < CONVERSATIONS
    empty, review_list = collect(url, Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    assert not empty.conversations and not empty.routes and review_list.messages == 0


def test_the_channel_falls_back_to_the_sender_prefix(tmp_path):
    """Without input_channel (an older event), wa- is WhatsApp and rest- is REST."""
    url = f"sqlite:///{tmp_path / 'send.db'}"
    generator = Generator(PERIOD, seed=5)
    conversations = list(generator.conversations(30))
    for conversation in conversations:
        for event in conversation.events:
            event.pop("input_channel", None)
    write_fast(url, conversations)
    found, _ = collect(url)
    by_channel = totals(found.conversations)
    assert by_channel["whatsapp"] == generator.truth.conversations["whatsapp"]
    assert by_channel["rest"] == generator.truth.conversations["rest"]
    assert by_channel["other"] == generator.truth.conversations["socketio"]  # no prefix: unknown


# -- small numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number,shown", [(0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1234, "1,234")]
)
def test_counts_from_1_to_4_are_fewer_than_5(number, shown):
    value = suppress.count(number)
    assert value.text == shown
    assert value.suppressed == (1 <= number <= 4)
    assert value.plot == (0.0 if value.suppressed else number)
    assert value.csv == shown.replace(",", "")


def test_a_percentage_of_a_small_number_is_not_shown():
    assert suppress.share(3, 200).text == "fewer than 5"
    assert suppress.share(10, 4).text == "fewer than 5"
    assert suppress.share(0, 50).text == "0%"
    assert suppress.share(25, 100).text == "25%"
    assert suppress.duration(3600 * 5, 3).suppressed
    assert suppress.duration(3600 * 5, 5).text == "5 hours"


def small_figures() -> queries.Figures:
    """One of everything, a few times: every count is 1 to 4, or 0."""
    bucket = int(dt.datetime(2026, 10, 21, 20, tzinfo=LONDON).timestamp()) // queries.BUCKET_SECONDS
    figures = queries.Figures(PERIOD)
    figures.conversations = Counter({(bucket, "whatsapp"): 3, (bucket, "socketio"): 1})
    figures.messages = Counter({(bucket, "whatsapp"): 4, (bucket, "socketio"): 2})
    figures.routes = Counter({"refused_assessment": 2})
    figures.followups = Counter({("refused_assessment", "ask_tribunal"): 1})
    figures.outcomes = Counter({(bucket, "crisis"): 1, (bucket, "not_understood"): 3})
    figures.feedback = Counter({("refused_assessment", "asked"): 2, ("refused_assessment", "no"): 1})
    figures.callbacks = Counter({"done": 1})
    figures.callback_times = queries.CallbackTimes(1, 7200.0, {label: 0 for _, label in queries.DONE_WITHIN})
    return figures


def test_no_table_shows_a_count_from_1_to_4():
    parts = tables.sections(small_figures(), report.labels(), COUNTED)
    cells = [cell for table in tables.all_tables(parts) for _, row in table.rows for cell in row]
    assert any(cell.suppressed for cell in cells)
    for cell in cells:
        assert not re.fullmatch(r"[1-4]", cell.text), cell
        assert cell.plot == 0 or cell.plot >= 5
    summaries = " ".join(line for part in parts for line in part.summary)
    assert "fewer than 5" in summaries
    assert not re.search(r"(?<![\w,.])[1-4](?![\w,%:])", summaries), summaries
    assert "2 hours" not in summaries  # the median of 1 request is not shown


def test_the_page_and_csv_show_fewer_than_5_and_the_chart_marks_it(tmp_path, monkeypatch):
    monkeypatch.setattr(queries, "collect", lambda *args, **kwargs: small_figures())
    made = report.make(f"sqlite:///{tmp_path / 'empty.db'}", PERIOD, tmp_path / "r.html", public=True)
    rows = list(csv.DictReader(io.StringIO(made.csv.read_text(encoding="utf-8"))))
    values = {(r["figure"], r["row"], r["column"]): r["value"] for r in rows}
    assert values[("channels", "WhatsApp", "Conversations")] == "fewer than 5"
    assert values[("crisis", "Crisis reply", "Times shown")] == "fewer than 5"
    assert values[("channels", "REST", "Conversations")] == "0"
    assert not any(re.fullmatch(r"[1-4]", r["value"]) for r in rows)
    page = made.html.read_text(encoding="utf-8")
    assert ">fewer than 5<" in page and 'class="n">3<' not in page
    assert 'id="review"' not in page and "can be shared" in page  # --public: no review list


# -- the page, the CSV and the command line ---------------------------------------------------


def test_the_page_is_self_contained_and_every_chart_has_a_text_alternative(filled, tmp_path):
    url, truth = filled
    made = report.make(url, PERIOD, tmp_path / "report.html")
    page = made.html.read_text(encoding="utf-8")
    assert made.conversations == CONVERSATIONS
    fetchable = re.sub(r'\sxmlns(:\w+)?="[^"]+"', "", page)  # SVG namespaces are names, not fetched
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)|https?://|src=", fetchable, re.I)
    assert "default-src 'none'" in page
    figures = re.findall(r"<figure.*?</figure>", page, re.S)
    assert len(figures) >= 10 and page.count("<svg") == len(figures)
    for figure in figures:
        caption = re.search(r'<figcaption id="([^"]+)">(.+?)</figcaption>', figure, re.S)
        assert caption and len(re.sub("<[^>]+>", "", caption.group(2))) > 30
        assert f'aria-labelledby="{caption.group(1)}"' in figure and 'role="img"' in figure
        assert "<table" in figure and "<tbody><tr>" in figure
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across charts"
    assert 'id="review"' in page and "For the SEND team only" in page
    assert made.html.stat().st_mode & 0o077 == 0 and made.csv.stat().st_mode & 0o077 == 0


def test_the_csv_holds_the_same_figures_as_the_page(filled, tmp_path):
    url, truth = filled
    made = report.make(url, PERIOD, tmp_path / "report.html")
    rows = list(csv.DictReader(io.StringIO(made.csv.read_text(encoding="utf-8"))))
    values = {(r["figure"], r["row"], r["column"]): r["value"] for r in rows}
    label = get_content().button_title("refused_assessment")
    shown = suppress.count(truth.routes["refused_assessment"]).csv
    assert values[("disagreements", label, "Routes shown")] == shown
    assert values[("channels", "WhatsApp", "Conversations")] == str(truth.conversations["whatsapp"])
    page = made.html.read_text(encoding="utf-8")
    for (figure, _row, _column), _value in list(values.items())[:200]:
        assert f'id="t-{figure}"' in page
    assert {r["figure"] for r in rows} >= {
        "channels",
        "conversations_per_week",
        "disagreements",
        "followups",
        "hour_of_day",
        "day_of_week",
        "shortfalls_per_week",
        "crisis",
        "callbacks",
        "callback_times",
        "helpful",
    }


def test_python_m_enquiries_report_and_review(filled, tmp_path):
    url, truth = filled
    env = {"SEND_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    out = tmp_path / "monthly" / "report.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "enquiries",
            "report",
            "--from",
            str(PERIOD.first),
            "--to",
            str(PERIOD.last),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.exists() and out.with_suffix(".csv").exists()
    assert "SEND team only" in result.stdout and f"{CONVERSATIONS:,} conversations" in result.stdout
    yml = tmp_path / "review.yml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "enquiries",
            "review",
            "--from",
            str(PERIOD.first),
            "--to",
            str(PERIOD.last),
            "--out",
            str(yml),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = yaml.safe_load(yml.read_text(encoding="utf-8"))
    assert data["version"] == "3.1" and data["nlu"]
    examples = [line for block in data["nlu"] for line in block["examples"].splitlines()]
    assert len(examples) >= 6 and all(line.startswith("- ") for line in examples)
    assert all(block["intent"].startswith("label_me_") for block in data["nlu"])
    bad = subprocess.run(
        [sys.executable, "-m", "enquiries", "report", "--from", "2026-13-01"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "year-month-day" in bad.stderr


def test_the_review_export_is_training_data_rasa_can_read(filled, tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    url, _ = filled
    _, review_list = collect(url)
    data = RasaYAMLReader().reads(review.to_yaml(review_list))
    assert len(data.intents) == len(review_list.groups)
    assert len(data.training_examples) == sum(len(g.items) for g in review_list.groups)


def test_a_database_without_conversations_gives_an_empty_report(tmp_path):
    made = report.make(f"sqlite:///{tmp_path / 'new.db'}", PERIOD, tmp_path / "r.html")
    assert made.conversations == 0 and made.review_messages == 0
    assert "Every message was understood" in made.html.read_text(encoding="utf-8")


def test_a_database_that_is_down_exits_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "enquiries", "report", "--out", str(tmp_path / "r.html")],
        cwd=ROOT,
        env={"SEND_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "database is unavailable" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_counted_names_exist_in_the_assistant():
    """Every action, slot and intent the report counts is one the assistant has (or is being built)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    actions = set(domain["actions"])
    for key in ("routes", "not_understood", "out_of_scope", "crisis"):
        assert COUNTED[key] in actions, key
    assert {COUNTED["disagreement_slot"], COUNTED["feedback_slot"]} <= set(domain["slots"])
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", (ROOT / "docs/intents.md").read_text(), re.M))
    assert set(COUNTED["questions"]) <= intents | documented


def test_week_labels_are_uk_weeks_clipped_to_the_period():
    assert tables._week_label(dt.date(2026, 10, 26), dt.date(2026, 10, 20), dt.date(2026, 11, 8)) == "26 Oct to 1 Nov"
    assert (
        tables._week_label(dt.date(2026, 10, 19), dt.date(2026, 10, 20), dt.date(2026, 11, 8))
        == "20 to 25 Oct (6 days)"
    )
    assert tables._week_label(dt.date(2026, 11, 30), dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == "30 Nov (1 day)"


def test_periods():
    assert Period.parse("2026-11-01", "2026-11-30").days == 30
    assert Period.last_days(30, dt.date(2026, 11, 30)).first == dt.date(2026, 11, 1)
    with pytest.raises(ValueError, match="before it starts"):
        Period.parse("2026-11-30", "2026-11-01")
    with pytest.raises(ValueError, match="year-month-day"):
        Period.parse("30/11/2026", "2026-12-01")
    # The day the clocks go back is 25 hours long.
    day = Period.parse("2026-10-25", "2026-10-25")
    assert day.end_epoch - day.start_epoch == 25 * 3600


def test_an_answer_counts_for_the_disagreement_it_was_asked_about(tmp_path):
    """Routes for one disagreement (asked), then another (not asked), then the answer."""
    from insights.synthetic import Conversation

    generator = Generator(PERIOD, seed=3)
    conversation = Conversation(generator, "rest-late-answer", "rest", PERIOD.start_epoch + 30 * 3600)
    conversation.start()
    conversation.routes("refused_assessment")
    conversation.routes("disagree_placement")
    conversation.answer_feedback(just_asked=False)
    url = f"sqlite:///{tmp_path / 'send.db'}"
    write_fast(url, [conversation])
    found, _ = collect(url)
    assert found.routes == Counter({"refused_assessment": 1, "disagree_placement": 1})
    assert found.feedback == generator.truth.feedback
    assert {kind for kind, _ in found.feedback} == {"refused_assessment"}
    assert sum(found.feedback.values()) >= 2  # asked, and answered
