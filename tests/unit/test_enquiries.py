"""Callback request storage, the team's command line tool, and the team email.

Every storage test runs twice: on SQLite (the default for `make run`) and on a
real PostgreSQL server (production), started by scripts/pg_cluster.py for this
module. Conversations are written by Rasa's own SQLTrackerStore, so purge and
erasure are checked against the table Rasa really uses.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import logging
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from enquiries import identity, notify
from enquiries import store as store_module
from enquiries.store import (
    REFERENCE_PATTERN,
    Enquiry,
    EnquiryStore,
    SchemaMismatch,
    StoreUnavailable,
    normalise_reference,
)
from scripts.pg_cluster import PostgresUnavailable, fresh_database, temporary_postgres
from storage import db

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.timezone.utc
NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
PHONE = "07700 900123"
EMAIL = "parent.example@example.org"
GOOD_TIME = "weekday mornings"
CONSENT = "I agree that the council's SEND team can contact me about this."


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


# -- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_server():
    """One PostgreSQL server for this module (or SEND_TEST_POSTGRES_URL)."""
    try:
        with temporary_postgres() as url:
            yield url
    except PostgresUnavailable as error:
        pytest.fail(f"PostgreSQL is needed for these tests: {error}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'send-assistant.db'}"
        return
    with fresh_database(request.getfixturevalue("pg_server")) as url:
        yield url


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(db_url, clock):
    enquiries = EnquiryStore(db_url, clock=clock)
    yield enquiries
    enquiries.dispose()


FAMILY = "family-1"  # the conversation that makes the requests


def make(
    enquiries: EnquiryStore,
    about="refused_assessment",
    method="phone",
    detail=PHONE,
    good_time=GOOD_TIME,
    channel="rest",
    conversation=FAMILY,
) -> Enquiry:
    return enquiries.create(about, method, detail, good_time, channel, CONSENT, NOW, conversation=conversation)


# Rasa's own tracker store writes the conversations.


def rasa_store(url: str):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    return SQLTrackerStore(domain=Domain.empty(), host=url)


def save_conversation(tracker_store, sender: str, times) -> None:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = []
    for moment in times:
        events.append(UserUttered("hello", timestamp=moment.timestamp()))
        events.append(ActionExecuted("action_listen", timestamp=moment.timestamp()))
    tracker = DialogueStateTracker.from_events(sender, events)
    asyncio.run(tracker_store.save(tracker))


def stored_senders(url: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")).scalars())
    finally:
        engine.dispose()


# -- the store ----------------------------------------------------------------


def test_create_commits_before_returning(store, db_url):
    enquiry = make(store)
    assert REFERENCE_PATTERN.match(enquiry.reference)
    assert enquiry.status == "open" and enquiry.created_at == NOW
    # A separate engine (another process, in effect) sees it at once.
    other = EnquiryStore(db_url)
    try:
        assert other.get(enquiry.reference) == enquiry
    finally:
        other.dispose()


def test_references_are_unique_readable_and_redrawn_on_a_clash(store, monkeypatch):
    references = {make(store).reference for _ in range(60)}
    assert len(references) == 60
    for reference in references:
        assert REFERENCE_PATTERN.match(reference)
        assert not set(reference[3:]) & set("O0I1")
    # Force a clash: the first draw repeats an existing reference.
    taken = next(iter(references))
    draws = iter([taken, "WS-ABCD-EFGH"])
    monkeypatch.setattr(store_module, "new_reference", lambda: next(draws))
    assert make(store).reference == "WS-ABCD-EFGH"
    assert len(store.list_open()) == 61


def test_references_can_be_typed_loosely(store):
    enquiry = make(store)
    assert len(enquiry.reference) == len("WS-7K3Q-X9PM") and enquiry.reference[7] == "-"
    for loose in (
        enquiry.reference.lower().replace("-", " "),
        enquiry.reference.replace("-", ""),
        enquiry.reference.lower(),
    ):
        assert normalise_reference(loose) == enquiry.reference
        assert store.get(loose) == enquiry


def test_withdraw_marks_withdrawn_and_deletes_personal_details(store, clock, db_url):
    enquiry = make(store, method="email", detail=EMAIL)
    kept = make(store)
    clock.now = NOW + dt.timedelta(hours=2)
    assert store.withdraw(enquiry.reference, FAMILY) is True
    withdrawn = store.get(enquiry.reference)
    assert withdrawn.status == "withdrawn"
    assert withdrawn.withdrawn_at == NOW + dt.timedelta(hours=2)
    assert withdrawn.contact_detail is None and withdrawn.good_time is None
    # Nowhere in the row: read the table directly.
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT * FROM callback_requests WHERE reference = :r"),
            {"r": enquiry.reference},
        ).all()
    engine.dispose()
    assert EMAIL not in repr(rows) and GOOD_TIME not in repr(rows)
    # Withdrawing again changes nothing; an unknown reference is False.
    clock.now = NOW + dt.timedelta(days=1)
    assert store.withdraw(enquiry.reference, FAMILY) is True
    assert store.get(enquiry.reference).withdrawn_at == NOW + dt.timedelta(hours=2)
    assert store.withdraw("WS-ZZZZ-ZZZZ", FAMILY) is False
    assert [e.reference for e in store.list_open()] == [kept.reference]
    assert store.get(kept.reference).contact_detail == PHONE


def test_list_open_mark_done_and_delete(store, clock):
    first = make(store)
    clock.now = NOW + dt.timedelta(minutes=5)
    second = make(store, method="whatsapp", detail="+44 7700 900456")
    clock.now = NOW + dt.timedelta(minutes=10)
    third = make(store, good_time=None)
    assert [e.reference for e in store.list_open()] == [first.reference, second.reference, third.reference]
    assert store.get(third.reference).good_time is None

    assert store.mark_done(second.reference) is True
    assert store.mark_done(second.reference) is False  # already done
    assert store.get(second.reference).done_at == NOW + dt.timedelta(minutes=10)
    assert store.withdraw(third.reference, FAMILY)
    assert store.mark_done(third.reference) is False  # withdrawn: never contact
    assert store.mark_done("WS-ZZZZ-ZZZZ") is False
    assert [e.reference for e in store.list_open()] == [first.reference]
    assert [e.reference for e in store.list("done")] == [second.reference]
    assert len(store.list(None)) == 3

    assert store.delete(first.reference) is True
    assert store.get(first.reference) is None
    assert store.delete(first.reference) is False
    assert store.list_open() == []


def test_bad_arguments_are_refused_without_echoing_them(store):
    with pytest.raises(ValueError) as error:
        store.create("refused_assessment", "pigeon", PHONE, None, "rest", CONSENT, NOW)
    assert PHONE not in str(error.value)
    with pytest.raises(ValueError):
        store.create("refused_assessment", "phone", "  ", None, "rest", CONSENT, NOW)
    with pytest.raises(ValueError):
        store.create("refused_assessment", "phone", PHONE, None, "rest", CONSENT, dt.datetime(2026, 6, 10, 12))
    with pytest.raises(ValueError) as error:
        store.create("refused_assessment", "phone", PHONE + "9" * 400, None, "rest", CONSENT, NOW)
    assert PHONE not in str(error.value)
    assert store.list(None) == []


def test_export_csv(store, clock):
    first = make(store)
    clock.now = NOW + dt.timedelta(minutes=1)
    second = make(store, method="whatsapp", detail="+44 7700 900456", good_time='=HYPERLINK("http://evil.example")')
    clock.now = NOW + dt.timedelta(minutes=2)
    done = make(store, method="email", detail=EMAIL)
    store.mark_done(done.reference)

    out = io.StringIO()
    assert store.export_csv(out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["reference"] for row in rows] == [first.reference, second.reference]
    assert rows[0]["contact_detail"] == PHONE
    assert rows[0]["good_time"] == GOOD_TIME
    assert rows[0]["created_at"] == "2026-06-10T12:00:00+00:00"
    assert rows[0]["consent_text"] == CONSENT
    assert rows[0]["about"] == "refused_assessment" and rows[0]["status"] == "open"
    # A phone number stays as it is; a spreadsheet formula is neutralised.
    assert rows[1]["contact_detail"] == "+44 7700 900456"
    assert rows[1]["good_time"].startswith("'=")

    out = io.StringIO()
    assert store.export_csv(out, status="done") == 1
    assert EMAIL in out.getvalue() and PHONE not in out.getvalue()
    out = io.StringIO()
    assert store.export_csv(out, status="all") == 3


def test_only_the_conversation_that_made_a_request_can_withdraw_it(store, db_url):
    enquiry = make(store, conversation="family-a")
    # Someone else, who knows or guesses the reference: refused, and nothing changes.
    assert store.withdraw(enquiry.reference, "family-b") is False
    assert store.get(enquiry.reference).status == "open"
    assert store.get(enquiry.reference).contact_detail == PHONE
    assert store.withdraw(enquiry.reference, "family-a") is True
    # The conversation id is never stored, only its keyed hash.
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        keys = connection.execute(sa.text("SELECT conversation_key FROM callback_requests")).scalars().all()
        everything = repr(connection.execute(sa.text("SELECT * FROM callback_requests")).all())
    engine.dispose()
    assert keys == [store.conversation_key("family-a")] and len(keys[0]) == 64
    assert "family-a" not in everything


def test_conversation_keys_and_codes(store, db_url, monkeypatch):
    monkeypatch.delenv("SEND_ID_SECRET", raising=False)
    code = store.conversation_code("family-a")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)
    assert code == store.conversation_code("family-a") != store.conversation_code("family-b")
    # Without SEND_ID_SECRET the key is made once and kept in the database:
    # another process sharing it agrees.
    other = EnquiryStore(db_url)
    assert other.conversation_code("family-a") == code
    other.dispose()
    # With SEND_ID_SECRET set, that key is used (and codes change with it).
    monkeypatch.setenv("SEND_ID_SECRET", "a-long-random-secret-for-tests")
    assert store.conversation_code("family-a") != code
    assert identity.normalise_code(code.lower()[:3] + " " + code.lower()[3:]) == code


def test_purge_deletes_exactly_what_is_older_than_the_limit(store, clock, db_url):
    now = NOW
    cutoff = now - dt.timedelta(days=30)
    second = dt.timedelta(seconds=1)
    ages = {
        "old": cutoff - dt.timedelta(days=10),
        "just_old": cutoff - second,
        "at_cutoff": cutoff,
        "recent": now - dt.timedelta(days=1),
    }
    made = {}
    for name, created in ages.items():
        clock.now = created
        made[name] = make(store)
    store.withdraw(made["recent"].reference, FAMILY)  # purge ignores status

    rasa = rasa_store(db_url)
    save_conversation(rasa, "old-conversation", [cutoff - dt.timedelta(days=40)])
    save_conversation(rasa, "just-old", [cutoff - dt.timedelta(days=2), cutoff - second])
    save_conversation(rasa, "at-cutoff", [cutoff])
    # A family writing every few weeks: its old messages go, its recent ones stay.
    save_conversation(rasa, "long-running", [cutoff - dt.timedelta(days=20), now - dt.timedelta(hours=1)])
    save_conversation(rasa, "recent", [now - dt.timedelta(minutes=5)])

    result = store.purge(30, now)
    assert result.cutoff == cutoff
    assert (result.requests, result.conversations, result.emptied) == (2, 3, 2)
    assert result.events == 2 + 4 + 2  # two events per user turn
    assert {e.reference for e in store.list(None)} == {made["at_cutoff"].reference, made["recent"].reference}
    assert stored_senders(db_url) == {"at-cutoff", "long-running", "recent"}
    # Rasa itself no longer finds the purged conversations; the long one keeps its last turn only.
    assert asyncio.run(rasa.retrieve("old-conversation")) is None
    long_running = asyncio.run(rasa.retrieve("long-running"))
    turns = [e for e in long_running.events if e.type_name == "user"]
    assert [e.timestamp for e in turns] == [(now - dt.timedelta(hours=1)).timestamp()]

    again = store.purge(30, now)
    assert (again.requests, again.conversations, again.events) == (0, 0, 0)
    rasa.engine.dispose()


def test_purge_without_a_conversation_table(store, clock):
    clock.now = NOW - dt.timedelta(days=31)
    make(store)
    result = store.purge(30, NOW)
    assert (result.requests, result.conversations, result.events) == (1, 0, 0)
    with pytest.raises(ValueError):
        store.purge(0, NOW)


def test_erase_conversation(store, db_url):
    assert store.erase_conversation("nobody").events == 0  # no events table yet
    rasa = rasa_store(db_url)
    save_conversation(rasa, "family-a", [NOW, NOW + dt.timedelta(minutes=1)])
    save_conversation(rasa, "family-b", [NOW])
    theirs, others = make(store, conversation="family-a"), make(store, conversation="family-b")
    erased = store.erase_conversation("family-a")
    assert (erased.events, erased.references) == (4, (theirs.reference,))
    assert store.erase_conversation("family-a").events == 0
    assert stored_senders(db_url) == {"family-b"}
    assert asyncio.run(rasa.retrieve("family-a")) is None
    assert [e.reference for e in store.list(None)] == [others.reference]
    rasa.engine.dispose()


def test_erase_by_reference_and_by_code(store, db_url):
    rasa = rasa_store(db_url)
    save_conversation(rasa, "family-a", [NOW])
    save_conversation(rasa, "family-b", [NOW, NOW + dt.timedelta(minutes=1)])
    rasa.engine.dispose()
    first, second = make(store, conversation="family-a"), make(store, conversation="family-a")
    kept = make(store, conversation="family-b")
    # By reference: the request, the conversation that made it, and its other requests.
    erased = store.erase_reference(first.reference.lower())
    assert (erased.events, set(erased.references)) == (2, {first.reference, second.reference})
    assert stored_senders(db_url) == {"family-b"}
    assert store.erase_reference("WS-ZZZZ-ZZZZ") is None
    # By the code the assistant showed the family.
    code = store.conversation_code("family-b")
    [found] = store.find_code(code.lower())
    assert (found.conversation_id, found.events, found.references) == ("family-b", 4, (kept.reference,))
    assert found.first == NOW and found.last == NOW + dt.timedelta(minutes=1)
    assert store.erase_code(code).references == (kept.reference,)
    assert store.find_code(code) == [] and stored_senders(db_url) == set()
    assert store.list(None) == []


def test_schema_is_versioned_and_migrated(store, db_url, monkeypatch):
    make(store)
    assert store.schema_version() == store_module.SCHEMA_VERSION == 2

    # A release that adds a column: version 3 with its migration.
    def add_column(connection):
        connection.execute(sa.text("ALTER TABLE callback_requests ADD COLUMN language VARCHAR(8)"))

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(store_module, "MIGRATIONS", {**store_module.MIGRATIONS, 3: add_column})
    upgraded = EnquiryStore(db_url)
    assert upgraded.schema_version() == 3
    assert len(upgraded.list_open()) == 1
    engine = sa.create_engine(db_url)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("callback_requests")}
    engine.dispose()
    assert "language" in columns
    upgraded.dispose()

    # Older code meeting that newer database refuses to run.
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    older = EnquiryStore(db_url)
    with pytest.raises(SchemaMismatch):
        older.list_open()
    older.dispose()


def test_a_version_1_database_gets_conversation_keys(db_url):
    """A database made before conversation keys: migrated in place, its requests kept."""
    engine = sa.create_engine(db_url)
    key_type = "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                f"CREATE TABLE callback_requests (id {key_type}, reference VARCHAR(16) NOT NULL UNIQUE, "
                "created_at TIMESTAMP NOT NULL, about VARCHAR(200) NOT NULL, contact_method VARCHAR(16) NOT NULL, "
                "contact_detail VARCHAR(320), good_time VARCHAR(200), channel VARCHAR(40) NOT NULL, "
                "consent_text TEXT NOT NULL, consent_at TIMESTAMP NOT NULL, status VARCHAR(16) NOT NULL, "
                "done_at TIMESTAMP, withdrawn_at TIMESTAMP)"
            )
        )
        connection.execute(sa.text("CREATE TABLE enquiries_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)"))
        connection.execute(sa.text("INSERT INTO enquiries_schema VALUES (1, 1)"))
        connection.execute(
            sa.text(
                "INSERT INTO callback_requests (reference, created_at, about, contact_method, contact_detail, channel, "
                "consent_text, consent_at, status) VALUES ('WS-7K3QX', :t, 'about', 'phone', :p, 'rest', 'c', :t, 'open')"
            ),
            {"t": NOW.replace(tzinfo=None), "p": PHONE},
        )
    columns = {c["name"] for c in sa.inspect(engine).get_columns("callback_requests")}
    assert "conversation_key" not in columns
    migrated = EnquiryStore(db_url)
    assert migrated.schema_version() == 2
    columns = {c["name"] for c in sa.inspect(engine).get_columns("callback_requests")}
    engine.dispose()
    assert "conversation_key" in columns
    old = migrated.get("ws-7k3qx")
    assert old.contact_detail == PHONE
    # No conversation can withdraw it (it has no key); the team can still delete it.
    assert migrated.withdraw("WS-7K3QX", FAMILY) is False
    assert migrated.delete("WS-7K3QX") is True
    new = make(migrated)
    assert REFERENCE_PATTERN.match(new.reference) and migrated.withdraw(new.reference, FAMILY)
    migrated.dispose()


def test_several_processes_creating_the_schema_at_once(db_url):
    # Separate stores have separate engines, as separate processes would.
    stores = [EnquiryStore(db_url) for _ in range(5)]
    barrier, errors = threading.Barrier(len(stores)), []

    def start(enquiries):
        barrier.wait()
        try:
            enquiries.ensure_schema()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stores[0].schema_version() == store_module.SCHEMA_VERSION
    for enquiries in stores:
        enquiries.dispose()


def test_many_threads_at_once(store):
    errors, references = [], []

    def work():
        try:
            for _ in range(10):
                references.append(make(store).reference)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(references)) == 60 == len(store.list_open())


# -- a database that is down ----------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers (a hung database)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    # Should the timeout ever be lost, hang up after 20 s so the test fails, not hangs.
    hang_up = threading.Timer(20, sock.close)
    hang_up.start()
    yield sock.getsockname()[1]
    hang_up.cancel()
    sock.close()


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_a_database_that_is_down_fails_fast(kind, request, caplog):
    port = closed_port() if kind == "refused" else request.getfixturevalue("silent_server")
    enquiries = EnquiryStore(f"postgresql://send:secret-pw@127.0.0.1:{port}/send")
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as error:
        make(enquiries)
    elapsed = time.monotonic() - started
    assert elapsed < db.CONNECT_TIMEOUT + 3, f"took {elapsed:.1f}s"
    for text in (str(error.value), caplog.text):
        assert PHONE not in text and GOOD_TIME not in text and "secret-pw" not in text
    assert "callback store" in caplog.text
    if kind == "refused":  # the other operations fail the same way
        with pytest.raises(StoreUnavailable):
            enquiries.list_open()
    enquiries.dispose()


def test_an_unwritable_sqlite_file_is_unavailable(tmp_path):
    (tmp_path / "db").mkdir()  # a folder where the database file should be
    with pytest.raises(StoreUnavailable):
        make(EnquiryStore(f"sqlite:///{tmp_path / 'db'}"))


def test_database_url(monkeypatch):
    monkeypatch.delenv("SEND_DATABASE_URL", raising=False)
    assert db.database_url() == f"sqlite:///{ROOT / 'var' / 'send-assistant.db'}"
    assert (ROOT / "var").is_dir()
    monkeypatch.setenv("SEND_DATABASE_URL", "postgres://u:p@db.example:5432/send")
    assert db.database_url() == "postgresql://u:p@db.example:5432/send"
    assert "p@" not in db.safe_url(db.database_url())
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()


def test_missing_postgresql_is_an_error_with_advice(monkeypatch):
    from scripts import pg_cluster

    monkeypatch.setattr(pg_cluster, "BIN_GLOB", "/nonexistent/postgresql/*/bin")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv(pg_cluster.URL_VARIABLE, raising=False)
    with pytest.raises(PostgresUnavailable, match=r"ci-setup-postgres\.sh"), temporary_postgres():
        pass


# -- the command line tool -------------------------------------------------------


def cli(url: str, *args: str, env=None) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment.pop("SEND_RETENTION_DAYS", None)
    environment.update(SEND_DATABASE_URL=url, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "enquiries", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_list_done_delete_and_unknown_references(store, db_url):
    first, second = make(store), make(store, method="email", detail=EMAIL)

    listing = cli(db_url, "list")
    assert listing.returncode == 0, listing.stderr
    assert first.reference in listing.stdout and PHONE in listing.stdout
    assert second.reference in listing.stdout and EMAIL in listing.stdout

    done = cli(db_url, "done", first.reference.lower())
    assert done.returncode == 0 and f"{first.reference} is marked done" in done.stdout
    again = cli(db_url, "done", first.reference)
    assert again.returncode == 0 and "already marked done" in again.stdout
    assert store.get(first.reference).status == "done"
    assert first.reference not in cli(db_url, "list").stdout

    unknown = cli(db_url, "done", "ws-zzzz-zzzz")
    assert unknown.returncode == 1
    assert "No callback request has the reference 'WS-ZZZZ-ZZZZ'" in unknown.stderr

    store.withdraw(second.reference, FAMILY)
    withdrawn = cli(db_url, "done", second.reference)
    assert withdrawn.returncode == 1 and "do not contact them" in withdrawn.stderr

    deleted = cli(db_url, "delete", second.reference)
    assert deleted.returncode == 0 and store.get(second.reference) is None
    assert cli(db_url, "delete", second.reference).returncode == 1


def test_cli_export(store, db_url, tmp_path):
    enquiry = make(store)
    out = tmp_path / "requests.csv"
    result = cli(db_url, "export", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Wrote 1 open" in result.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["reference"], r["contact_detail"]) for r in rows] == [(enquiry.reference, PHONE)]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # contact details: owner only


def test_cli_purge_is_safe_for_cron(store, clock, db_url):
    real_now = dt.datetime.now(tz=UTC)
    clock.now = real_now - dt.timedelta(days=40)
    old = make(store)
    clock.now = real_now - dt.timedelta(days=20)
    middle = make(store)
    clock.now = real_now - dt.timedelta(days=1)
    recent = make(store)
    rasa = rasa_store(db_url)
    save_conversation(rasa, "old-chat", [real_now - dt.timedelta(days=45)])
    save_conversation(rasa, "new-chat", [real_now - dt.timedelta(days=2)])
    rasa.engine.dispose()

    first = cli(db_url, "purge")  # default 30 days
    assert first.returncode == 0, first.stderr
    assert (
        "Purged 1 callback request(s) and 2 conversation event(s) from 1 conversation(s) older "
        "than 30 days" in first.stdout
    )
    for text in (first.stdout, first.stderr):
        assert PHONE not in text and old.reference not in text and "old-chat" not in text
    second = cli(db_url, "purge")
    assert second.returncode == 0 and "Purged 0 callback request(s) and 0" in second.stdout

    by_env = cli(db_url, "purge", env={"SEND_RETENTION_DAYS": "10"})
    assert by_env.returncode == 0 and "older than 10 days" in by_env.stdout
    assert [e.reference for e in store.list(None)] == [recent.reference]
    assert middle.reference not in {e.reference for e in store.list(None)}
    assert stored_senders(db_url) == {"new-chat"}

    assert cli(db_url, "purge", "--days", "0").returncode == 1


def test_cli_erase_conversation_and_a_database_that_is_down(store, db_url):
    rasa = rasa_store(db_url)
    save_conversation(rasa, "family-c", [NOW])
    rasa.engine.dispose()
    erased = cli(db_url, "erase-conversation", "family-c")
    assert erased.returncode == 0 and "2 conversation event(s)" in erased.stdout
    nothing = cli(db_url, "erase-conversation", "family-c")
    assert nothing.returncode == 0 and "nothing deleted" in nothing.stdout

    down = cli(f"postgresql://send:secret-pw@127.0.0.1:{closed_port()}/send", "purge")
    assert down.returncode == 2
    assert "database is unavailable" in down.stderr and "secret-pw" not in down.stderr


# -- the team's email -------------------------------------------------------------


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"team-bot" and auth_data.password == b"mail-pw"
        return AuthResult(success=ok, handled=False)  # handled=False: send the 535 reply

    collector = Collector()
    port = closed_port()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    for name, value in {
        "SEND_SMTP_HOST": "127.0.0.1",
        "SEND_SMTP_PORT": str(port),
        "SEND_SMTP_STARTTLS": "false",
        "SEND_NOTIFY_FROM": "assistant@walsall.example",
        "SEND_NOTIFY_TO": "send-team@walsall.example, duty@walsall.example",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SEND_SMTP_USER", raising=False)
    monkeypatch.delenv("SEND_SMTP_PASSWORD", raising=False)
    collector.logins = logins
    yield collector
    controller.stop()


ABOUT = "my son Jayden at Oakwood Primary"  # what a family may type as "what it is about"


def sample(method="phone", detail=PHONE) -> Enquiry:
    return Enquiry(
        reference="WS-7K3Q-X9PM",
        created_at=dt.datetime(2026, 3, 30, 9, 15, tzinfo=UTC),
        about=ABOUT,
        contact_method=method,
        contact_detail=detail,
        good_time=GOOD_TIME,
        channel="whatsapp",
        consent_text=CONSENT,
        consent_at=NOW,
        status="open",
    )


def test_the_team_email_arrives_without_the_family_details(smtp_server):
    assert notify.notify_team(sample()) is True
    assert notify.notify_team(sample("email", EMAIL)) is True
    assert len(smtp_server.messages) == 2
    first = smtp_server.messages[0]
    assert set(first.rcpt_tos) == {"send-team@walsall.example", "duty@walsall.example"}
    body = first.content.decode("utf-8")
    assert "Subject: New callback request WS-7K3Q-X9PM" in body
    assert "a phone call" in body
    assert "Monday 30 March 2026 at 10:15 (UK time)" in body  # BST
    assert "python -m enquiries list" in body
    for envelope in smtp_server.messages:
        text = envelope.content.decode("utf-8")
        # Not the contact details, and not what it is about (the family's own words).
        for secret in (PHONE, EMAIL, GOOD_TIME, "07700", "Jayden", "Oakwood"):
            assert secret not in text


def test_no_login_is_sent_without_tls(smtp_server, monkeypatch, caplog):
    monkeypatch.setenv("SEND_SMTP_USER", "team-bot")
    monkeypatch.setenv("SEND_SMTP_PASSWORD", "mail-pw")
    assert notify.notify_team(sample()) is False
    assert smtp_server.logins == [] and smtp_server.messages == []
    assert "never sent without TLS" in caplog.text and "mail-pw" not in caplog.text


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made for the test."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(tz=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_the_team_email_logs_in_over_starttls(monkeypatch, tmp_path):
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert_path, key_path = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    logins, collector = [], Collector()

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"team-bot" and auth_data.password == b"mail-pw"
        return AuthResult(success=ok, handled=False)

    port = closed_port()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        tls_context=context,
        require_starttls=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        for name, value in {
            "SEND_SMTP_HOST": "127.0.0.1",
            "SEND_SMTP_PORT": str(port),
            "SEND_SMTP_STARTTLS": "true",
            "SEND_SMTP_CAFILE": str(cert_path),
            "SEND_SMTP_USER": "team-bot",
            "SEND_SMTP_PASSWORD": "mail-pw",
            "SEND_NOTIFY_FROM": "assistant@walsall.example",
            "SEND_NOTIFY_TO": "send-team@walsall.example",
        }.items():
            monkeypatch.setenv(name, value)
        assert notify.notify_team(sample()) is True
        assert logins == [(b"team-bot", b"mail-pw")] and len(collector.messages) == 1
        monkeypatch.setenv("SEND_SMTP_PASSWORD", "wrong")
        assert notify.notify_team(sample()) is False
        assert len(collector.messages) == 1
    finally:
        controller.stop()


def test_notifications_off_or_failing_never_raise(monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.delenv("SEND_SMTP_HOST", raising=False)
    assert notify.notify_team(sample()) is False

    monkeypatch.setenv("SEND_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SEND_SMTP_PORT", str(closed_port()))
    monkeypatch.setenv("SEND_SMTP_STARTTLS", "false")
    monkeypatch.setenv("SEND_NOTIFY_FROM", "assistant@walsall.example")
    monkeypatch.setenv("SEND_NOTIFY_TO", "send-team@walsall.example")
    assert notify.notify_team(sample()) is False  # nobody listening
    assert "team notification not sent for WS-7K3Q-X9PM: ConnectionRefusedError" in caplog.text

    monkeypatch.delenv("SEND_NOTIFY_TO")
    assert notify.notify_team(sample()) is False  # incomplete settings
    assert PHONE not in caplog.text and GOOD_TIME not in caplog.text


# -- what is left in the files ------------------------------------------------------


def raw_bytes(path: Path) -> bytes:
    """The database file and any journal or write-ahead log beside it, as bytes."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def as_if_built_without_secure_delete(engine) -> None:
    """Debian's SQLite turns secure_delete on by default; many builds do not. Start each
    connection with it off, as they would, so the test shows what our own setting does."""
    sa.event.listen(
        engine, "connect", lambda connection, _: connection.execute("PRAGMA secure_delete = OFF"), insert=True
    )
    engine.dispose()


def test_sqlite_overwrites_what_it_deletes(tmp_path):
    """secure_delete on every connection: a withdrawn email leaves no copy in the file."""
    path = tmp_path / "send-assistant.db"
    enquiries = EnquiryStore(f"sqlite:///{path}")
    as_if_built_without_secure_delete(enquiries.engine)
    secret = "withdrawn.family.secret@example.org"
    keep = make(enquiries, method="email", detail="kept.family@example.org")
    gone = make(enquiries, method="email", detail=secret, good_time="only-on-thursdays-please")
    assert secret.encode() in raw_bytes(path)
    with enquiries.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    assert enquiries.withdraw(gone.reference, FAMILY)
    assert enquiries.delete(keep.reference)
    enquiries.dispose()
    data = raw_bytes(path)
    for text in (secret, "withdrawn.family", "only-on-thursdays", "kept.family@example.org"):
        assert text.encode() not in data, text


def test_the_tracker_store_engine_also_overwrites_deletions(tmp_path, monkeypatch):
    from rasa.shared.core.domain import Domain

    from storage.tracker_store import RedactingSQLTrackerStore

    monkeypatch.setenv("SEND_DATABASE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    tracker_store = RedactingSQLTrackerStore(domain=Domain.empty())
    as_if_built_without_secure_delete(tracker_store.engine)
    with tracker_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    tracker_store.engine.dispose()


def test_database_folder_and_file_are_owner_only_whatever_the_umask(tmp_path, monkeypatch):
    previous = os.umask(0)
    try:
        monkeypatch.setattr(db, "DEFAULT_SQLITE", tmp_path / "var" / "send-assistant.db")
        monkeypatch.delenv("SEND_DATABASE_URL", raising=False)
        url = db.database_url()
        enquiries = EnquiryStore(url)
        make(enquiries)
        enquiries.dispose()
        assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "var" / "send-assistant.db").stat().st_mode) == 0o600
        # A file made earlier with wider permissions is tightened.
        other = tmp_path / "var" / "older.db"
        other.touch(mode=0o666)
        os.chmod(other, 0o666)
        EnquiryStore(f"sqlite:///{other}").dispose()
        assert stat.S_IMODE(other.stat().st_mode) == 0o600
    finally:
        os.umask(previous)


def test_cli_export_tightens_an_existing_file(store, db_url, tmp_path):
    make(store)
    out = tmp_path / "requests.csv"
    out.write_text("old")
    os.chmod(out, 0o644)
    assert cli(db_url, "export", "--out", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


# -- erasure and access requests from the command line ---------------------------------


def test_cli_erase_whatsapp_computes_the_id_as_the_channel_does(store, db_url):
    from channels.whatsapp_state import conversation_id

    secret = "whatsapp-id-secret-for-tests"
    family = conversation_id("whatsapp:+447700900123", secret)
    rasa = rasa_store(db_url)
    save_conversation(rasa, family, [NOW])
    save_conversation(rasa, "someone-else", [NOW])
    rasa.engine.dispose()
    theirs = make(store, method="whatsapp", detail="07700900123", conversation=family)
    # A request made from the widget, giving the same number to call.
    by_widget = make(store, detail="07700900123", conversation="widget-conversation")
    others = make(store, detail="07700900999", conversation="someone-else")

    # No key: the id cannot be computed.
    refused = cli(db_url, "erase-whatsapp", "07700 900123", env={"SEND_ID_SECRET": "", "TWILIO_AUTH_TOKEN": ""})
    assert refused.returncode == 1 and "SEND_ID_SECRET" in refused.stderr

    erased = cli(db_url, "erase-whatsapp", "07700 900123", env={"SEND_ID_SECRET": secret})
    assert erased.returncode == 0, erased.stderr
    assert "2 conversation event(s)" in erased.stdout
    assert theirs.reference in erased.stdout and by_widget.reference in erased.stdout
    assert "900123" not in erased.stdout + erased.stderr
    assert stored_senders(db_url) == {"someone-else"}
    assert [e.reference for e in store.list(None)] == [others.reference]
    again = cli(db_url, "erase-whatsapp", "+44 7700 900123", env={"SEND_ID_SECRET": secret})
    assert again.returncode == 0 and "nothing deleted" in again.stdout
    assert cli(db_url, "erase-whatsapp", "call me", env={"SEND_ID_SECRET": secret}).returncode == 1


def test_cli_find_and_erase_by_code_and_by_reference(store, db_url):
    rasa = rasa_store(db_url)
    save_conversation(rasa, "family-d", [NOW])
    save_conversation(rasa, "family-e", [NOW])
    rasa.engine.dispose()
    request_d = make(store, conversation="family-d")
    request_e = make(store, conversation="family-e")
    code = store.conversation_code("family-d")

    found = cli(db_url, "find-code", code.lower(), "--show")
    assert found.returncode == 0, found.stderr
    assert "conversation family-d" in found.stdout and request_d.reference in found.stdout
    assert "family     hello" in found.stdout  # the stored messages, for an access request
    assert cli(db_url, "find-code", "K7Q2").returncode == 1  # not a code

    erased = cli(db_url, "erase-code", code)
    assert erased.returncode == 0 and request_d.reference in erased.stdout
    assert cli(db_url, "find-code", code).returncode == 1

    by_reference = cli(db_url, "erase-reference", request_e.reference.lower().replace("-", ""))
    assert by_reference.returncode == 0, by_reference.stderr
    assert "2 conversation event(s)" in by_reference.stdout
    assert stored_senders(db_url) == set() and store.list(None) == []
    assert cli(db_url, "erase-reference", request_e.reference).returncode == 1
