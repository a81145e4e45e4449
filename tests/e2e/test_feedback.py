""" "Did this help?" over the real servers, and the report counting the answers.

The shared stack (conftest.py): the real action server and Rasa server, the
project's tracker store, talked to over the REST channel. Checked: the
question comes once, with the first routes reply; never after a crisis
reply; "No" offers what was missing and "Talk to someone", whose "yes" still
starts a callback request; the routes reply's own buttons still work; a typed
"yes" right after the question counts; and the insights report, run on the
stack's own database, counts exactly the answers given here.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from insights import queries
from insights.period import LONDON, Period
from insights.report import COUNTED
from insights.sql import Snapshot
from storage import db

pytestmark = pytest.mark.e2e

QUESTION = "Did this help?"
CRISIS = "my son says he wants to kill himself"


def texts(replies):
    return [r.get("text") or "" for r in replies]


def payloads(reply):
    return [b["payload"] for b in reply.get("buttons") or []]


def question_in(replies):
    return [r for r in replies if r.get("text") == QUESTION]


def new_sender() -> str:
    return f"e2e-feedback-{uuid.uuid4().hex}"


def figures(servers):
    today = dt.datetime.now(LONDON).date()
    period = Period(today - dt.timedelta(days=1), today)
    engine = db.create_engine(servers.database_url)
    try:
        with engine.connect() as connection:
            snapshot = Snapshot(connection, period, COUNTED).build()
            try:
                return queries.collect(connection, period, COUNTED)
            finally:
                snapshot.drop()
    finally:
        engine.dispose()


def test_asked_once_with_the_routes_and_the_routes_buttons_still_work(servers, sender):
    replies = servers.talk(sender, "the council refused to assess my son")
    asked = question_in(replies)
    assert len(asked) == 1 and payloads(asked[0]) == ["/feedback_yes", "/feedback_no"]
    routes = [r for r in replies if "SEND35a" in r.get("text", "")]
    assert routes and payloads(routes[0]) == [
        "/ask_deadline",
        "/ask_mediation",
        "/ask_tribunal",
        "/ask_sendias",
        "/request_summary",
    ]
    appeal = servers.talk(sender, "/ask_tribunal")
    assert "SEND35a" in " ".join(texts(appeal)) and not question_in(appeal)
    again = servers.talk(sender, "/disagree_placement")
    assert any("school" in t.lower() for t in texts(again)) and not question_in(again)


def test_a_typed_yes_right_after_the_question_answers_it(servers, sender):
    servers.talk(sender, "/refused_ehc_plan")
    thanks = texts(servers.talk(sender, "yes"))
    assert thanks == ["Thank you. I am glad it helped. You can ask me another question at any time."]


def test_no_offers_what_was_missing_and_talk_to_someone_then_a_callback(servers, sender):
    servers.talk(sender, "/disagree_plan_content")
    missing = servers.talk(sender, "/feedback_no")
    assert texts(missing) == ["Sorry it did not help. What was missing?"]
    assert payloads(missing[0]) == [
        "/feedback_not_my_situation",
        "/feedback_hard_to_understand",
        "/feedback_more_detail",
        "/request_human",
    ]
    assert [b["title"] for b in missing[0]["buttons"]][-1] == "Talk to someone"
    person = " ".join(texts(servers.talk(sender, "/request_human")))
    assert "automated assistant" in person  # the people to contact, and the callback offer
    form = " ".join(texts(servers.talk(sender, "yes")))
    assert "short questions" in form, form  # yes still starts a callback request


def test_never_asked_after_a_crisis_reply(servers, sender):
    crisis = " ".join(texts(servers.talk(sender, CRISIS)))
    assert "999" in crisis
    replies = servers.talk(sender, "/refused_assessment")
    assert any("SEND35a" in t for t in texts(replies)) and not question_in(replies)
    usual = texts(servers.talk(sender, "yes"))
    assert usual == ["OK. Tell me what you would like to know, in your own words."]


def test_after_a_crisis_no_asks_nothing_more(servers, sender):
    assert question_in(servers.talk(sender, "/plan_ceasing"))
    servers.talk(sender, CRISIS)
    answer = servers.talk(sender, "/feedback_no")
    assert len(answer) == 1 and not payloads(answer[0]) and "Thank you" in answer[0]["text"]


def test_the_report_counts_the_answers_given_here(servers):
    before = figures(servers)
    one, two, three = new_sender(), new_sender(), new_sender()
    servers.talk(one, "/refused_reassessment")
    servers.talk(one, "yes")
    servers.talk(one, "/feedback_yes")  # a second press: thanked, not counted again
    servers.talk(two, "/complaint_council")
    servers.talk(two, "/feedback_no")
    servers.talk(two, "/feedback_hard_to_understand")
    servers.talk(three, CRISIS)
    servers.talk(three, "/complaint_council")  # routes, but no question after the crisis
    after = figures(servers)

    def delta(counter, key):
        return after.__dict__[counter][key] - before.__dict__[counter][key]

    assert delta("feedback", ("refused_reassessment", "asked")) == 1
    assert delta("feedback", ("refused_reassessment", "yes")) == 1
    assert delta("feedback", ("complaint_council", "asked")) == 1
    assert delta("feedback", ("complaint_council", "no")) == 1
    assert delta("feedback", ("complaint_council", "reason:hard_to_understand")) == 1
    assert delta("routes", "refused_reassessment") == 1 and delta("routes", "complaint_council") == 2
    crises = sum(n for (_, kind), n in after.outcomes.items() if kind == "crisis") - sum(
        n for (_, kind), n in before.outcomes.items() if kind == "crisis"
    )
    assert crises == 1
    rest = sum(n for (_, channel), n in after.conversations.items() if channel == "rest") - sum(
        n for (_, channel), n in before.conversations.items() if channel == "rest"
    )
    assert rest == 3
