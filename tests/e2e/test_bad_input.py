"""Bad input always gets a polite reply, never a 5xx and never an echo of markup."""

import pytest

from tests.e2e.expected import TOO_LONG, assert_no_apology

pytestmark = pytest.mark.e2e

BAD_MESSAGES = {
    "empty": "",
    "whitespace": "   \n\t  ",
    "huge": "my son needs help " * 1200,  # about 20,000 characters
    "emoji only": "\U0001f621\U0001f62d\U0001f64f",
    "welsh": "Mae fy mab angen help gyda'i gynllun addysg",
    "polish": "Szkoła nie chce pomóc mojemu synowi",
    "urdu": "میرے بیٹے کو اسکول میں مدد نہیں مل رہی",
    "html": "<script>alert('x')</script><b>hello</b>",
    "sql": "'; DROP TABLE events; --",
    "control characters": "help\x00\x07 me\x1b[31m",
}


@pytest.mark.parametrize("name", sorted(BAD_MESSAGES))
def test_bad_input_gets_a_polite_reply(servers, sender, name):
    message = BAD_MESSAGES[name]
    response = servers.say(sender, message)
    assert response.status_code == 200, response.text
    replies = response.json()
    text = "\n".join(r.get("text") or "" for r in replies)
    assert text.strip(), f"no reply to {name}"
    assert "<script>" not in text and "Traceback" not in text
    # The assistant handles all of these itself: the apology would mean something broke.
    assert_no_apology(replies)
    if name == "huge":
        assert [r.get("text") for r in replies] == [TOO_LONG]


def test_the_server_still_answers_after_bad_input(servers, sender):
    for message in BAD_MESSAGES.values():
        servers.say(sender, message)
    replies = servers.talk(sender, "the council refused to assess my child")
    assert any("SEND35a" in (r.get("text") or "") for r in replies)
