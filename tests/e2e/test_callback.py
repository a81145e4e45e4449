"""Talking to a person and callback requests, end to end over HTTP.

The real Rasa and action servers (the shared stack, conftest.py) run with the
SQL tracker store and the callback store on one SQLite file. The action
server's clock is fixed out of hours (SEND_NOW: a Saturday evening), so the
out-of-hours path is tested whatever the machine's time.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import subprocess
import sys

import pytest

from channels.rest import conversation_id
from scripts.stack import ROOT, free_port
from tests.e2e.expected import assert_crisis_first

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"\bWS-[A-Z2-9]{4}-[A-Z2-9]{4}\b")
PHONE = "07700 900123"


@pytest.fixture
def stack(servers):
    """The shared stack (conftest.py); its action server's clock is a Saturday evening."""
    return servers


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies):
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def rows(stack, sql, *args):
    path = stack.database_url.replace("sqlite:///", "")
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def cli(stack, *args) -> subprocess.CompletedProcess:
    env = {"SEND_DATABASE_URL": stack.database_url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "enquiries", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def start_request(stack, sender):
    """Describe a disagreement, ask for a person out of hours, accept the callback offer."""
    stack.talk(sender, "the council refused to assess my son for an EHC plan")
    replies = stack.talk(sender, "I want to talk to someone")
    text = text_of(replies)
    assert "closed now" in text and "Monday at 9am" in text, text
    # Unconfirmed hours are said to be unconfirmed, and a refused assessment can be
    # appealed: waiting for the call does not stop the clocks (review findings 14, 15).
    assert "(Opening hours to be confirmed.)" in text
    assert "Waiting for a call does not stop your time limits" in text
    assert "/request_callback" in payloads(replies)
    replies = stack.talk(sender, "/request_callback")
    assert "type stop" in text_of(replies).lower()
    assert "/affirm" in payloads(replies)  # the disagreement, offered to confirm
    return replies


def test_out_of_hours_request_is_stored_exported_and_withdrawn(stack, sender, tmp_path):
    start_request(stack, sender)
    assert "contact you" in text_of(stack.talk(sender, "/affirm"))
    assert "phone number" in text_of(stack.talk(sender, "phone"))
    # A number that is too short is re-asked, with an example.
    assert "does not look like a UK phone number" in text_of(stack.talk(sender, "0770 090"))
    assert "good time" in text_of(stack.talk(sender, PHONE))
    consent = stack.talk(sender, "Weekday mornings")
    assert "30 days" in text_of(consent) and payloads(consent) == ["/affirm", "/deny"]
    done = text_of(stack.talk(sender, "/affirm"))
    reference = REFERENCE.search(done).group(0)
    assert "Monday at 9am" in done
    assert "Waiting for a call does not stop your time limits" in done

    stored = rows(
        stack,
        "select about, contact_method, contact_detail, good_time, consent_text, status "
        "from callback_requests where reference = ?",
        reference,
    )
    assert stored and stored[0][1:4] == ("phone", "07700900123", "Weekday mornings")
    assert "refused" in stored[0][0].lower() or "assess" in stored[0][0].lower()
    assert "Do you agree" in stored[0][4] and stored[0][5] == "open"

    exported = cli(stack, "export", "--out", str(tmp_path / "requests.csv"))
    assert exported.returncode == 0, exported.stderr
    with open(tmp_path / "requests.csv", newline="", encoding="utf-8") as file:
        by_ref = {r["reference"]: r for r in csv.DictReader(file)}
    assert by_ref[reference]["contact_detail"] == "07700900123"

    # Someone else who knows (or guesses) the reference cannot cancel it, and is told
    # exactly what the family would be told.
    # (A new conversation gets the opening message first: compare the answers themselves.)
    someone_else = stack.talk(f"{sender}-other", f"please cancel my request {reference}")[-1]["text"]
    assert rows(stack, "select status from callback_requests where reference = ?", reference) == [("open",)]
    cancelled = stack.talk(sender, f"please cancel my request {reference.lower().replace('-', '')}")[-1]["text"]
    assert cancelled == someone_else and "cancelled" in cancelled
    assert rows(
        stack, "select status, contact_detail, good_time from callback_requests where reference = ?", reference
    ) == [("withdrawn", None, None)]

    # The conversation history keeps no phone number, in messages or in slots: the
    # answers were blanked as they were written.
    history = " ".join(
        d for (d,) in rows(stack, "select data from events where sender_id = ?", conversation_id(sender))
    )
    assert "900123" not in history and "0770 090" not in history and "[form answer]" in history


def test_invalid_email_is_asked_again(stack, sender):
    start_request(stack, sender)
    stack.talk(sender, "/affirm")
    assert "email address" in text_of(stack.talk(sender, "email please"))
    assert "does not look like an email" in text_of(stack.talk(sender, "mum at example dot com"))
    assert "good time" in text_of(stack.talk(sender, "mum@example.com"))


def test_no_consent_stores_nothing(stack, sender):
    before = rows(stack, "select count(*) from callback_requests")[0][0]
    start_request(stack, sender)
    stack.talk(sender, "/affirm")
    stack.talk(sender, "phone")
    stack.talk(sender, "07700 900456")
    stack.talk(sender, "any time")
    replies = stack.talk(sender, "/deny")
    assert "not kept your details" in text_of(replies)
    assert rows(stack, "select count(*) from callback_requests")[0][0] == before
    history = " ".join(
        d for (d,) in rows(stack, "select data from events where sender_id = ?", conversation_id(sender))
    )
    assert history and "900456" not in history


def test_stop_leaves_the_form_and_keeps_nothing(stack, sender):
    start_request(stack, sender)
    stack.talk(sender, "/affirm")
    replies = stack.talk(sender, "stop")
    assert "I have stopped" in text_of(replies)
    # The form is over: an ordinary question gets its ordinary answer.
    assert (
        "mediation"
        in text_of(stack.talk(sender, "what is the difference between mediation and disagreement resolution")).lower()
    )


def test_crisis_pre_empts_the_form(stack, sender):
    start_request(stack, sender)
    stack.talk(sender, "/affirm")
    replies = stack.talk(sender, "my son says he wants to kill himself")
    assert_crisis_first(replies)
    assert "phone number" not in text_of(stack.talk(sender, "phone"))


def test_a_rasa_server_crash_mid_form_resumes_the_form(stack, sender):
    start_request(stack, sender)
    stack.talk(sender, "/affirm")
    stack.talk(sender, "phone")
    stack.restart_rasa(kill=True)
    # The SQL tracker store remembers the form is waiting for the number.
    assert "good time" in text_of(stack.talk(sender, "07700 900789"))


def test_cancel_without_a_reference_says_how(stack, sender):
    replies = stack.talk(sender, "I want to cancel my callback request")
    assert "cancel WS-" in text_of(replies)


def test_cancel_an_unknown_reference_gets_the_same_reply(stack, sender):
    text = text_of(stack.talk(sender, "cancel WS-ZZZ2-2ZZZ"))
    assert "If WS-ZZZ2-2ZZZ is a request you made in this chat, it is now cancelled" in text


def test_the_conversation_code_finds_the_conversation(stack, sender):
    stack.talk(sender, "the council refused to assess my son")
    text = text_of(stack.talk(sender, "what is my conversation code?"))
    code = re.search(r"Your conversation code is ([A-HJ-NP-Z2-9]{6})\.", text).group(1)
    assert "30 days" in text
    found = cli(stack, "find-code", code)
    assert found.returncode == 0, found.stderr
    assert f"conversation {conversation_id(sender)}" in found.stdout


def test_an_action_server_restart_mid_form_asks_again(stack, sender):
    """The answers lived in the action server's memory: it says so and asks again, storing nothing."""
    before = rows(stack, "select count(*) from callback_requests")[0][0]
    start_request(stack, sender)
    stack.talk(sender, "/affirm")
    stack.talk(sender, "phone")
    stack.talk(sender, "07700 900765")
    stack.action.stop()
    stack.action.start()
    stack.action.wait_until_up()
    stack.talk(sender, "any time")
    again = text_of(stack.talk(sender, "/affirm"))
    assert "ask for them again" in again and "is your request about" in again, again
    assert not REFERENCE.search(again)
    assert rows(stack, "select count(*) from callback_requests")[0][0] == before
    # The form asks for what is missing (the good time it still has), then for consent.
    assert "contact you" in text_of(stack.talk(sender, "/affirm"))
    assert "phone number" in text_of(stack.talk(sender, "phone"))
    assert "Do you agree" in text_of(stack.talk(sender, "07700 900765"))
    reference = REFERENCE.search(text_of(stack.talk(sender, "/affirm"))).group(0)
    assert rows(stack, "select contact_detail, good_time from callback_requests where reference = ?", reference) == [
        ("07700900765", "any time")
    ]


def test_database_down_gives_the_phone_numbers(stack, sender):
    """The action server restarted against a PostgreSQL port where nothing listens."""
    normal_env = stack.action.env
    stack.action.env = {**normal_env, "SEND_DATABASE_URL": f"postgresql://send@127.0.0.1:{free_port()}/send"}
    stack.action.stop()
    stack.action.start()
    stack.action.wait_until_up()
    try:
        start_request(stack, sender)
        stack.talk(sender, "/affirm")
        stack.talk(sender, "phone")
        stack.talk(sender, PHONE)
        stack.talk(sender, "any time")
        text = text_of(stack.talk(sender, "/affirm"))
        assert "could not save your request" in text and "01922 652871" in text
        assert not REFERENCE.search(text)
    finally:
        stack.action.env = normal_env
        stack.action.stop()
        stack.action.start()
        stack.action.wait_until_up()
