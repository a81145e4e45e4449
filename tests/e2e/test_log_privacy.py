"""Personal details a family types never reach the logs, and are redacted in the conversation store.

Through the shared stack (conftest.py), conversations carry a mobile number, an
email address, a postcode, a date of birth and an NHS number, and two callback
requests are made (one by phone, one by email), as a family would. Then every
line of the Rasa server's and the action server's log files is read: none of
those details may appear, in any of the forms they were typed or stored in
(spaced, digits only, normalised). The conversation history in the database
(``events``) must hold the redaction labels instead; the callback details live
only in ``callback_requests``, where the family agreed to them being kept.

The logs cover the whole test session so far, so messages other end-to-end
tests send (test_callback.py's number, the fuzz test's details) are checked too.
"""
from __future__ import annotations

import re
import sqlite3
import uuid
from typing import Iterable, List

import pytest

from channels.rest import conversation_id

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"\bWS-[A-Z2-9]{5}\b")

MOBILE, CALLBACK_MOBILE = "07700 900461", "07700 900462"
EMAIL, CALLBACK_EMAIL = "jo.parent.privacy@example.org", "Sam.Carer.Privacy@example.net"
POSTCODE = "WS1 1TP"
BIRTH_DATE = "03/04/2015"
NHS_NUMBER = "485 777 3456"

# Each detail, in every form it may take on its way through the system.
FORMS = {
    "mobile": [MOBILE, "07700900461", "+447700900461", "7700 900461", "7700900461"],
    "callback mobile": [CALLBACK_MOBILE, "07700900462", "+447700900462", "7700900462"],
    "email": [EMAIL, "jo.parent.privacy"],
    "callback email": [CALLBACK_EMAIL, "sam.carer.privacy"],
    "postcode": [POSTCODE, "WS11TP"],
    "date of birth": [BIRTH_DATE, "03042015", "3/4/2015"],
    "NHS number": [NHS_NUMBER, "4857773456", "485-777-3456"],
}
# Details other end-to-end tests send (test_callback.py, test_fuzz.py).
OTHER_TESTS = ["07700 900123", "07700900123", "07700 900456", "07700900456", "07700 900789", "07700900789",
               "mum@example.com"]

FREE_TEXT = [
    "the council refused to assess my son for an EHC plan",
    f"his date of birth is {BIRTH_DATE} and his NHS number is {NHS_NUMBER}",
    f"we live in {POSTCODE}, you can ring me on {MOBILE} or email {EMAIL}",
    f"my number is {MOBILE.replace(' ', '')}, how long do I have to appeal?",
    "thanks",
]


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def found(haystack: str, details: Iterable[str]) -> List[str]:
    """The details (compared without regard to case) that appear in ``haystack``."""
    lowered = haystack.lower()
    return [d for d in details if d.lower() in lowered]


def rows(stack, sql: str, *args):
    with sqlite3.connect(stack.database_url.replace("sqlite:///", "")) as db:
        return db.execute(sql, args).fetchall()


def callback_request(stack, sender: str, method_answer: str, detail: str) -> str:
    """The whole form, out of hours, with consent; returns the reference."""
    stack.talk(sender, "they want to stop my daughter's EHC plan")
    assert "/request_callback" in str(stack.talk(sender, "I want to talk to someone"))
    stack.talk(sender, "/request_callback")
    assert "contact you" in text_of(stack.talk(sender, "/affirm"))
    stack.talk(sender, method_answer)
    assert "good time" in text_of(stack.talk(sender, detail))
    assert "Do you agree" in text_of(stack.talk(sender, f"after 3pm, or text {MOBILE}"))
    done = text_of(stack.talk(sender, "/affirm"))
    match = REFERENCE.search(done)
    assert match, done
    return match.group(0)


@pytest.fixture(scope="module")
def conversations(servers):
    """Free-text conversations with personal details, and two callback requests."""
    senders = []
    for n in range(2):
        sender = f"privacy-{uuid.uuid4().hex}"
        for message in FREE_TEXT:
            assert text_of(servers.talk(sender, message)).strip()
        senders.append(sender)
    by_phone, by_email = f"privacy-{uuid.uuid4().hex}", f"privacy-{uuid.uuid4().hex}"
    references = {
        by_phone: callback_request(servers, by_phone, "phone", CALLBACK_MOBILE),
        by_email: callback_request(servers, by_email, "email please", CALLBACK_EMAIL),
    }
    return {"free_text": senders, "callbacks": references}


def test_no_personal_detail_is_in_any_log_line(servers, conversations):
    details = [form for forms in FORMS.values() for form in forms] + OTHER_TESTS
    checked = 0
    for log in (servers.rasa.log_path, servers.action.log_path):
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        assert lines, f"{log} is empty"
        for number, line in enumerate(lines, 1):
            leaked = found(line, details)
            assert not leaked, f"{log.name} line {number} shows {leaked}: {line[:300]}"
        checked += len(lines)
    assert checked > 20


def test_the_conversation_store_keeps_labels_not_details(servers, conversations):
    details = [form for forms in FORMS.values() for form in forms]
    for sender in conversations["free_text"] + list(conversations["callbacks"]):
        history = " ".join(data for (data,) in rows(servers, "select data from events where sender_id = ?",
                                                    conversation_id(sender)))
        assert history, f"no stored conversation for {sender}"
        assert not found(history, details), f"{found(history, details)} stored for {sender}"
    history = " ".join(data for (data,) in rows(
        servers, "select data from events where sender_id = ?", conversation_id(conversations["free_text"][0])))
    for label in ("[phone]", "[email]", "[postcode]", "[date]", "[NHS number]"):
        assert label in history, f"{label} missing: the message was not stored redacted"
    # And nowhere else in the table either (another conversation, a slot, metadata).
    everything = " ".join(data for (data,) in rows(servers, "select data from events"))
    assert not found(everything, details)


def test_the_callback_details_are_kept_in_the_requests_table(servers, conversations):
    stored = {
        reference: rows(servers, "select contact_method, contact_detail from callback_requests where reference = ?",
                        reference)
        for reference in conversations["callbacks"].values()
    }
    by_phone, by_email = conversations["callbacks"].values()
    assert stored[by_phone] == [("phone", "07700900462")]
    assert stored[by_email] == [("email", CALLBACK_EMAIL)]
