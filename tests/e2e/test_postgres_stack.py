"""The whole stack on PostgreSQL, as the council would run it, and a database outage.

Conversations (the SQL tracker store) and callback requests both live in a
real PostgreSQL server started for this module. Stopping it mid-conversation
must give the family a plain message with the phone numbers, a log line, and
no crash; when it is back, the conversation carries on where it was.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from channels.rest import conversation_id
from scripts.pg_cluster import controllable_postgres
from scripts.stack import running_stack
from tests.e2e.conftest import ARTIFACTS, MODEL, SATURDAY_EVENING

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"\bWS-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


@pytest.fixture(scope="module")
def postgres():
    with controllable_postgres() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def stack(postgres):
    env = {"SEND_RATE_PER_CONVERSATION": "1000", "SEND_RATE_PER_ADDRESS": "100000"}
    with running_stack(
        MODEL, ARTIFACTS, name="postgres", database_url=postgres.url, env=env, action_env={"SEND_NOW": SATURDAY_EVENING}
    ) as running:
        yield running


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def query(url, sql, **params):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql), params).fetchall()
    finally:
        engine.dispose()


def test_a_callback_request_is_stored_in_postgresql(stack, postgres, sender):
    stack.talk(sender, "the council refused to assess my son")
    stack.talk(sender, "/request_callback")
    stack.talk(sender, "/affirm")
    stack.talk(sender, "email")
    stack.talk(sender, "mum@example.com")
    stack.talk(sender, "after 3pm")
    reference = REFERENCE.search(text_of(stack.talk(sender, "/affirm"))).group(0)
    rows = query(postgres.url, "select contact_detail, status from callback_requests where reference = :r", r=reference)
    assert rows == [("mum@example.com", "open")]
    events = query(postgres.url, "select count(*) from events where sender_id = :s", s=conversation_id(sender))
    assert events[0][0] > 10
    # The answers were blanked as they were written: only the consented request keeps them.
    history = " ".join(
        d for (d,) in query(postgres.url, "select data from events where sender_id = :s", s=conversation_id(sender))
    )
    assert "mum@example.com" not in history and "after 3pm" not in history


def test_an_abandoned_form_leaves_nothing_in_postgresql(stack, postgres, sender):
    stack.talk(sender, "/request_callback")
    stack.talk(sender, "my daughter's transport")
    assert "good time" in text_of(stack.talk(sender, "(07700) 900531"))  # typed straight away
    assert "not kept your details" in text_of(stack.talk(sender, "stop"))
    history = " ".join(
        d for (d,) in query(postgres.url, "select data from events where sender_id = :s", s=conversation_id(sender))
    )
    assert history and "900531" not in history and "transport" not in history
    assert query(postgres.url, "select count(*) from callback_requests where contact_detail like '%900531%'") == [(0,)]


def test_a_database_outage_is_said_plainly_and_the_conversation_returns(stack, postgres, sender):
    assert "SEND35a" in text_of(stack.talk(sender, "they refused to do an EHC needs assessment"))
    postgres.stop()
    try:
        text = text_of(
            stack.talk(
                sender,
                "how long do I have to appeal?",
            )
        )
        assert "something went wrong on our side" in text and "01922 652871" in text
        assert stack.rasa_process.poll() is None, "the Rasa server must not crash"
    finally:
        postgres.start()
    log = (ARTIFACTS / "postgres_rasa_server.log").read_text(errors="replace")
    assert "conversation database is unavailable" in log
    # Back: the follow-up is answered for the disagreement told before the outage.
    text = text_of(stack.talk(sender, "how long do I have to appeal?"))
    assert "SEND35a" in text and "something went wrong" not in text
