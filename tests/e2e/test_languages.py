"""Families who write in another language, over REST against the real servers (issue 11).

The NLU pipeline's language detector sets other_language; the action server
answers from content/languages.yml. A crisis in any of these languages gets the
crisis reply first (the guard's keyword net, then the NLU pipeline's, which
runs after the detector), and English messages full of names stay English.
"""

from pathlib import Path

import pytest
import yaml

from advice.content import get_content
from advice.replies import other_language_reply
from tests.e2e.expected import CRISIS, assert_crisis_first, assert_no_apology, texts

pytestmark = pytest.mark.e2e

CONTENT = get_content()
TESTS = Path(__file__).resolve().parents[1]
LANGUAGE_REPLIES = {code: other_language_reply(CONTENT, code)[0].text for code in CONTENT.languages}
# A new conversation opens with this (action_session_start), whatever the first message.
OPENING = "Hello. I am an automated assistant"


def answer(replies):
    """The replies to the message itself, without the opening message of a new conversation."""
    return [t for t in texts(replies) if not t.startswith(OPENING)]


ROMANISED_START = "It looks like you wrote in Punjabi or Urdu."


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "code,message",
    [
        ("pl", "Mój syn nie chodzi do szkoły od trzech miesięcy, co mam robić?"),
        ("ro", "Școala nu mă ajută deloc cu copilul meu, ce pot face?"),
        ("ur", "کونسل نے میرے بیٹے کی اسسمنٹ سے انکار کر دیا ہے"),
        ("pa_guru", "ਸਕੂਲ ਮੇਰੀ ਧੀ ਦੀ ਕੋਈ ਮਦਦ ਨਹੀਂ ਕਰ ਰਿਹਾ"),
        ("pa_arab", "مینوں اپنے منڈے دے سکول بارے مدد چاہیدی اے"),
        ("bn", "আমার ছেলের স্কুল নিয়ে সাহায্য দরকার"),
        ("gu", "મારી દીકરીને સ્કૂલમાં મદદ નથી મળતી"),
        ("ar", "المدرسة لا تساعد ابني، ماذا أفعل؟"),
    ],
)
def test_a_message_in_another_language_gets_the_reply_in_that_language(servers, sender, code, message):
    assert answer(servers.talk(sender, message)) == [LANGUAGE_REPLIES[code]]


def test_romanised_punjabi_or_urdu_gets_the_english_reply(servers, sender):
    [reply] = answer(servers.talk(sender, "mera beta school nahi ja raha, kya karun"))
    assert reply.startswith(ROMANISED_START)
    assert CONTENT.detail("sendias", "phone") in reply


def test_after_the_reply_an_english_message_is_understood_as_usual(servers, sender):
    servers.talk(sender, "Czy mogę porozmawiać z kimś po polsku?")
    replies = servers.talk(sender, "the council refused to assess my son")
    assert "Here is what you can do:" in "\n".join(texts(replies))


@pytest.mark.parametrize("message", load(TESTS / "language" / "english_with_names.yml")["messages"][:12])
def test_english_full_of_names_is_never_answered_as_foreign(servers, sender, message):
    shown = texts(servers.talk(sender, message))
    assert shown, "no reply"
    assert not set(shown) & set(LANGUAGE_REPLIES.values())
    assert not any(t.startswith(ROMANISED_START) for t in shown)
    assert_no_apology([{"text": t} for t in shown])


CRISES = [
    (code, entry["text"])
    for code, entries in load(TESTS / "safety" / "crisis_languages.yml")["messages"].items()
    for entry in entries
]


def test_every_crisis_in_another_language_gets_the_crisis_reply_first(servers, capsys):
    missed = []
    for i, (code, message) in enumerate(CRISES):
        replies = servers.talk(f"e2e-crisis-language-{i}", message)
        try:
            assert_crisis_first(replies)
        except AssertionError:
            missed.append(f"{code}: {message}")
        assert not set(texts(replies)) & set(LANGUAGE_REPLIES.values()), "a crisis answered as a language"
    with capsys.disabled():
        print(f"\ncrisis_languages.yml: crisis reply first for {len(CRISES) - len(missed)}/{len(CRISES)}")
    assert not missed, "no crisis reply for:\n" + "\n".join(missed)


def test_ordinary_messages_in_other_languages_get_no_crisis_reply(servers, capsys):
    messages = [
        (code, m) for code, ms in load(TESTS / "language" / "short_messages.yml")["messages"].items() for m in ms[:4]
    ]
    flagged = [m for i, (_, m) in enumerate(messages) if CRISIS in texts(servers.talk(f"e2e-lang-ok-{i}", m))]
    with capsys.disabled():
        print(f"\nshort_messages.yml (4 per language): crisis reply for {len(flagged)}/{len(messages)}")
    assert not flagged
