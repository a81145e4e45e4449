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

Then a stack of its own (a fresh database and logs, drafts forgotten after a
few seconds) takes callback forms that families abandon: a number in each
format the form accepts, or an email, then the tab closed, "stop", the time
limit passing, or consent "no". The raw bytes of the database file (and any
journal beside it) and both logs must hold none of it: no run of 4 or more
of the number's digits, and not the email.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Iterable, List

import pytest

from channels.rest import conversation_id
from scripts.stack import running_stack
from tests.e2e.conftest import ARTIFACTS, MODEL, SATURDAY_EVENING

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"\bWS-[A-Z2-9]{4}-[A-Z2-9]{4}\b")

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
OTHER_TESTS = [
    "07700 900123",
    "07700900123",
    "07700 900456",
    "07700900456",
    "07700 900789",
    "07700900789",
    "mum@example.com",
]

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


# Rasa's own numbers in a stored event (an intent's confidence 0.030420156..., a time): their
# digits can spell a detail ("03042015") by chance, so they are left out of the search.
_SCORES = re.compile(r'"(?:confidence|timestamp)": -?[0-9.]+(?:e-?[0-9]+)?')


def stored_data(stack, sql: str, *args) -> str:
    """The stored events' JSON, joined, without Rasa's confidences and times."""
    return " ".join(_SCORES.sub("", data) for (data,) in rows(stack, sql, *args))


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
    for _ in range(2):
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


def digit_runs(text: str, length: int = 4) -> set:
    """Every run of ``length`` digits in ``text``, separators between digits removed."""
    runs = set()
    for group in re.findall(r"\d(?:[\s.\-/()]{0,2}\d)*", text):
        digits = re.sub(r"\D", "", group)
        runs |= {digits[i : i + length] for i in range(len(digits) - length + 1)}
    return runs


def stored_texts(stack, sender: str) -> str:
    """What the family and the assistant wrote, as stored (the text fields of user and bot events)."""
    texts = []
    for (data,) in rows(
        stack, "select data from events where sender_id = ? and type_name in ('user', 'bot')", conversation_id(sender)
    ):
        event = json.loads(data)
        texts += [event.get("text") or "", (event.get("parse_data") or {}).get("text") or ""]
    return "\n".join(texts)


def test_the_conversation_store_keeps_labels_not_details(servers, conversations):
    details = [form for forms in FORMS.values() for form in forms]
    typed = digit_runs(" ".join(details))
    for sender in conversations["free_text"] + list(conversations["callbacks"]):
        history = stored_data(servers, "select data from events where sender_id = ?", conversation_id(sender))
        assert history, f"no stored conversation for {sender}"
        assert not found(history, details), f"{found(history, details)} stored for {sender}"
        # Not even a piece: no run of 4 digits of any detail in what is stored as text.
        left = typed & digit_runs(stored_texts(servers, sender))
        assert not left, f"digits {sorted(left)} of a detail stored for {sender}"
    history = " ".join(
        data
        for (data,) in rows(
            servers, "select data from events where sender_id = ?", conversation_id(conversations["free_text"][0])
        )
    )
    for label in ("[phone]", "[email]", "[postcode]", "[date]", "[NHS number]"):
        assert label in history, f"{label} missing: the message was not stored redacted"
    # And nowhere else in the table either (another conversation, a slot, metadata).
    everything = stored_data(servers, "select data from events")
    assert not found(everything, details)


def test_the_callback_details_are_kept_in_the_requests_table(servers, conversations):
    stored = {
        reference: rows(
            servers, "select contact_method, contact_detail from callback_requests where reference = ?", reference
        )
        for reference in conversations["callbacks"].values()
    }
    by_phone, by_email = conversations["callbacks"].values()
    assert stored[by_phone] == [("phone", "07700900462")]
    assert stored[by_email] == [("email", CALLBACK_EMAIL)]


# -- abandoned callback forms, on a stack of their own -------------------------------

DRAFT_SECONDS = 6
# Every format the form accepts (advice/callback.py normalise_uk_phone), and an email.
NUMBERS = [
    "(07700) 900123",
    "447700900123",
    "07700.900.123",
    "07700  900123",
    "(01922) 650000",
    "+44 7700 900123",
    "+44 (0)7700 900123",
    "0044 7700 900124",
]
EMAIL_ANSWER = "kestrel.abandoned.family@example.org"
WAYS = ("tab closed", "stop", "time limit", "consent no")


# Ids written as hex (message ids, conversation ids, model ids): not typed by anyone.
HEX_ID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{16,}")


def maximal_digit_runs(text: str) -> List[str]:
    """Each run of digits, with single separators ('07700 900123', '0.9') joined: '07700900123'.

    Hex ids are left out first: 'a9bf8f9001aa42...' holds '9001' by chance.
    """
    text = HEX_ID.sub(" ", text)
    return [re.sub(r"\D", "", run) for run in re.findall(r"\d(?:[\s.\-()]{0,2}\d)*", text)]


def number_leaks(number: str, text: str) -> List[str]:
    """Runs of 4 or more digits in ``text`` that are part of ``number`` (0 and 44 forms alike).

    A run of the text that is longer, such as a timestamp or the team's own
    phone number, is not the family's number; a piece of it, such as
    '900123' or '07700', is.
    """
    digits = re.sub(r"\D", "", number)
    national = "0" + digits[2:] if digits.startswith("44") else digits
    national = "0" + national[4:] if national.startswith("0044") else national
    forms = {digits, national, "44" + national[1:]}
    return sorted({run for run in maximal_digit_runs(text) if len(run) >= 4 and any(run in form for form in forms)})


@pytest.fixture(scope="module")
def abandon_stack():
    env = {
        "SEND_RATE_PER_CONVERSATION": "1000",
        "SEND_RATE_PER_ADDRESS": "100000",
        **dict.fromkeys(("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER"), ""),
    }
    with running_stack(
        MODEL,
        ARTIFACTS,
        name="abandon",
        env=env,
        action_env={"SEND_NOW": SATURDAY_EVENING, "SEND_DRAFT_SECONDS": str(DRAFT_SECONDS)},
    ) as stack:
        yield stack


def give_detail(stack, sender: str, answer: str, straight_away: bool) -> None:
    """Start a callback request and give the number or address (straight away, or when asked)."""
    stack.talk(sender, "/request_callback")
    assert "contact you" in text_of(stack.talk(sender, "my son's new school place"))
    if straight_away:
        assert "good time" in text_of(stack.talk(sender, answer))
        return
    stack.talk(sender, "email" if "@" in answer else "phone")
    assert "good time" in text_of(stack.talk(sender, answer))


def test_an_abandoned_callback_form_leaves_nothing_in_the_files_or_logs(abandon_stack):
    stack = abandon_stack
    answers = NUMBERS + [EMAIL_ANSWER]
    waiting = []
    for n, answer in enumerate(answers):
        for way in WAYS:
            sender = f"abandon-{uuid.uuid4().hex}"
            give_detail(stack, sender, answer, straight_away=(n % 2 == 0))
            if way == "stop":
                assert "not kept your details" in text_of(stack.talk(sender, "stop"))
            elif way == "consent no":
                assert "Do you agree" in text_of(stack.talk(sender, "any time"))
                assert "not kept your details" in text_of(stack.talk(sender, "/deny"))
            elif way == "time limit":
                waiting.append(sender)
            # "tab closed": the family simply stops writing.
    # The families who come back after the time limit: the form has forgotten
    # their answers, so nothing can be stored; it asks again, and they leave.
    time.sleep(DRAFT_SECONDS + 1)
    for sender in waiting:
        assert "Do you agree" in text_of(stack.talk(sender, "any time"))
        again = text_of(stack.talk(sender, "/affirm"))
        assert "ask for them again" in again and not REFERENCE.search(again), again

    with sqlite3.connect(stack.database_url.replace("sqlite:///", "")) as db:
        tables = {name for (name,) in db.execute("select name from sqlite_master where type = 'table'")}
        if "callback_requests" in tables:  # made only when a request is stored or a key is needed
            assert db.execute("select count(*) from callback_requests").fetchone()[0] == 0
        assert db.execute("select count(*) from events").fetchone()[0] > 100
    db_file = Path(stack.database_url.replace("sqlite:///", ""))
    stack.rasa.stop()  # flush and close everything, as an operator copying the files would
    stack.action.stop()
    files = [db_file, *db_file.parent.glob(db_file.name + "-*"), stack.rasa.log_path, stack.action.log_path]
    assert len(files) >= 3
    for path in files:
        text = path.read_bytes().decode("latin-1")
        for number in NUMBERS:
            assert not number_leaks(number, text), f"{path.name} holds {number_leaks(number, text)}"
        for piece in (EMAIL_ANSWER, "kestrel", "son's new school"):
            assert piece.lower() not in text.lower(), f"{path.name} holds {piece}"


def test_the_leak_check_finds_a_leak():
    """The check above can fail: a piece of a number is found, a longer unrelated run is not."""
    assert number_leaks("(07700) 900123", "call me on [phone]900123 ok") == ["900123"]
    assert number_leaks("447700900123", "stored 07700 900123") == ["07700900123"]
    assert number_leaks("(01922) 650000", "call the team on 01922 652871 at 1764961200.5") == []
    assert number_leaks("(07700) 900123", '"message_id": "a9bf8f9001aa42babcf9cda6ec0ceefe"') == []
    assert number_leaks("(07700) 900123", "mob07700900123") == ["07700900123"]
