"""No personal detail reaches the report: conversations full of names, phone numbers and emails.

Synthetic families put a name, a phone number and an email address in every
message they send; the conversations are saved through the project's real
tracker store (which redacts as in production). The report's page and CSV,
and the review export, must not contain any of them: in the review list they
may appear only as markers ([name], [phone], [email]).

Also checked here: the generator's fast writer produces exactly the rows that
the real tracker store writes, so the timing and count tests run on faithful
data.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from insights import report
from insights.period import Period
from insights.synthetic import Generator
from insights.synthetic_store import write_fast, write_through_tracker_store

PERIOD = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture(scope="module")
def personal_db(tmp_path_factory):
    generator = Generator(PERIOD, seed=77, personal=True)
    url = f"sqlite:///{tmp_path_factory.mktemp('privacy') / 'send.db'}"
    write_through_tracker_store(url, generator.conversations(150))
    return url, generator.truth


def _found(details, text):
    found = []
    for detail in set(details):
        if "@" in detail or detail[0].isdigit():
            variants = {detail, detail.replace(" ", "")}
            if any(v in text for v in variants):
                found.append(detail)
        elif re.search(rf"\b{re.escape(detail)}\b", text, re.IGNORECASE):
            found.append(detail)
    return found


def test_no_name_phone_or_email_in_the_page_or_csv(personal_db, tmp_path):
    url, truth = personal_db
    assert len(set(truth.personal)) > 100  # names, surnames, phones and emails were written
    made = report.make(url, PERIOD, tmp_path / "report.html")
    page = made.html.read_text(encoding="utf-8")
    table = made.csv.read_text(encoding="utf-8")
    assert made.review_messages and made.review_messages > 10
    assert not _found(truth.personal, table)
    assert not _found(truth.personal, page)
    # The review list is there, with markers where the details were.
    review = page.split('id="review"', 1)[1]
    for marker in ("[name]", "[phone]", "[email]"):
        assert marker in review, marker


def test_no_name_phone_or_email_in_the_review_export(personal_db, tmp_path):
    url, truth = personal_db
    out = tmp_path / "review.yml"
    found = report.write_review(url, PERIOD, out)
    text = out.read_text(encoding="utf-8")
    assert found.messages > 10 and "[name]" in text
    assert not _found(truth.personal, text)


def test_the_stored_messages_did_hold_names(personal_db):
    """The store keeps names (it redacts phones and emails only): so the report's scrub is what removed them."""
    url, truth = personal_db
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        texts = " ".join(
            connection.execute(
                sa.text("SELECT json_extract(data, '$.text') FROM events WHERE type_name = 'user'")
            ).scalars()
        )
    engine.dispose()
    names = [d for d in truth.personal if d[0].isupper() and "@" not in d]
    assert _found(names, texts), "the test data should put names in the stored messages"
    assert not _found([d for d in truth.personal if d[0].isdigit()], texts)  # phones redacted by the store


def test_the_fast_writer_writes_what_the_real_tracker_store_writes(tmp_path):
    def rows(url):
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            out = connection.execute(
                sa.text(
                    "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
                )
            ).all()
        engine.dispose()
        return [tuple(row) for row in out]

    fast, real = f"sqlite:///{tmp_path / 'fast.db'}", f"sqlite:///{tmp_path / 'real.db'}"
    write_fast(fast, Generator(PERIOD, seed=9, personal=True).conversations(25))
    write_through_tracker_store(real, Generator(PERIOD, seed=9, personal=True).conversations(25))
    written = rows(real)
    assert len(written) > 300
    assert rows(fast) == written


@pytest.mark.parametrize(
    "typed,shown",
    [
        ("my son Oliver has autism", "my son [name] has autism"),
        ("my daughter grace is 7", "my daughter [name] is 7"),
        ("I'm Sarah Khan, call 07700 900123", "I'm [name], call [phone]"),
        ("Priya Patel here, priya@example.org", "[name] here, [email]"),
        ("this is Tomasz", "this is [name]"),
        (
            "my son is 9 and the SENCO at Walsall said no on Monday",
            "my son is 9 and the SENCO at Walsall said no on Monday",
        ),
        ("my son attends a special school", "my son attends a special school"),
        ("I'm worried the EHCP is late", "I'm worried the EHCP is late"),
    ],
)
def test_names_are_scrubbed_and_ordinary_words_kept(typed, shown):
    from insights.names import scrub

    assert scrub(typed) == shown
