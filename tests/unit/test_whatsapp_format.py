"""How replies look on WhatsApp, and how a family's "2" or words pick an option."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advice import catalogue
from advice.content import get_content
from channels.whatsapp_format import (
    MAX_BODY_CHARS,
    MENU_HEADING,
    TWILIO_MAX_BODY_CHARS,
    Option,
    choose,
    numbered_menu,
    render,
    split_message,
    to_whatsapp,
)

OPTIONS = [
    Option("What is mediation?", "/ask_mediation"),
    Option("How do I appeal?", "/ask_tribunal"),
    Option("Contact SENDIAS", "/ask_sendias"),
    Option("Mediation or disagreement resolution?", "/ask_mediation_vs_dr"),
]


def long_reply(chars: int = 3000) -> str:
    sentences, n = [], 0
    while sum(len(s) + 1 for s in sentences) < chars:
        n += 1
        sentences.append(f"Sentence {n} says one thing about the tribunal, and says it plainly.")
    return " ".join(sentences)


# --- Markdown ---------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown, whatsapp",
    [
        ("**Bold** words", "*Bold* words"),
        ("__Bold__ words", "*Bold* words"),
        ("an *italic* word", "an _italic_ word"),
        ("**bold** and *italic*", "*bold* and _italic_"),
        ("~~gone~~", "~gone~"),
        ("See [SENDIAS](https://sendias.example.org).", "See SENDIAS (https://sendias.example.org)."),
        ("[https://x.example](https://x.example)", "https://x.example"),
        ("# Your options\nText", "*Your options*\nText"),
        ("### Step 2 ###\nText", "*Step 2*\nText"),
        ("* first\n* second", "- first\n- second"),
        ("Use `SEND35a`", "Use SEND35a"),
        ("line<br>next", "line\nnext"),
        ("a\n\n\n\nb  ", "a\n\nb"),
        ("5 * 3 * 2 = 30", "5 * 3 * 2 = 30"),
        ("#hashtag stays", "#hashtag stays"),
    ],
)
def test_markdown_becomes_whatsapp_markup(markdown, whatsapp):
    assert to_whatsapp(markdown) == whatsapp


def test_the_assistants_plain_replies_are_left_as_they_are():
    for name, messages in catalogue.all_replies(get_content()):
        for message in messages:
            assert to_whatsapp(message.text) == message.text, name


# --- Splitting --------------------------------------------------------------


def test_a_3000_character_reply_is_split_at_sentence_boundaries_under_the_limit():
    text = long_reply(3000)
    assert len(text) >= 3000
    parts = split_message(text)
    assert len(parts) >= 2
    assert all(len(p) <= MAX_BODY_CHARS < TWILIO_MAX_BODY_CHARS for p in parts)
    assert all(p.endswith("plainly.") and p.startswith("Sentence ") for p in parts)
    assert " ".join(parts) == text


def test_paragraphs_are_kept_whole_when_they_fit():
    paragraph = "A sentence about mediation. " * 20
    text = "\n\n".join([paragraph.strip()] * 6)
    parts = split_message(text, limit=1500)
    assert all(len(p) <= 1500 for p in parts)
    # Each message is whole paragraphs (two fit in 1,500 characters), none cut in two.
    assert [p.split("\n\n") for p in parts] == [[paragraph.strip()] * 2] * 3


def test_a_short_reply_is_one_message_and_an_empty_one_none():
    assert split_message("Hello.") == ["Hello."]
    assert split_message("   ") == []


def test_a_word_longer_than_a_message_is_cut():
    parts = split_message("x" * 3500, limit=1500)
    assert [len(p) for p in parts] == [1500, 1500, 500]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .!?\n"), max_size=600), st.integers(min_value=5, max_value=80))
def test_splitting_loses_nothing_and_respects_the_limit(text, limit):
    parts = split_message(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)


# --- Buttons ----------------------------------------------------------------


def test_buttons_become_a_numbered_list_without_payloads():
    bodies = render("Which do you want?", [o.title for o in OPTIONS[:3]])
    assert bodies == [
        f"Which do you want?\n\n{MENU_HEADING}\n1. What is mediation?\n2. How do I appeal?\n3. Contact SENDIAS"
    ]
    assert "/ask" not in bodies[0]


def test_numbering_can_carry_on_from_an_earlier_message():
    assert numbered_menu(["Contact SENDIAS"], start=4) == f"{MENU_HEADING}\n4. Contact SENDIAS"


def test_the_list_stays_whole_after_a_long_reply():
    bodies = render(long_reply(3000), [o.title for o in OPTIONS])
    assert len(bodies) >= 2 and all(len(b) <= MAX_BODY_CHARS for b in bodies)
    menus = [b for b in bodies if MENU_HEADING in b]
    assert len(menus) == 1 and menus[0] == bodies[-1]
    assert all(f"{n}. {o.title}" in menus[0] for n, o in enumerate(OPTIONS, start=1))


def test_the_list_gets_its_own_message_when_the_last_part_is_full():
    bodies = render("y" * 1490, ["Contact SENDIAS"])
    assert bodies == ["y" * 1490, f"{MENU_HEADING}\n1. Contact SENDIAS"]


def test_every_reply_of_the_assistant_fits_whatsapp():
    for name, messages in catalogue.all_replies(get_content()):
        for message in messages:
            bodies = render(message.text, [b.title for b in message.buttons])
            assert bodies and all(len(b) <= MAX_BODY_CHARS for b in bodies), name
            # Intent payloads ("/ask_tribunal") must never show; plain-word payloads
            # ("Weekday mornings", "phone") are what the family would type anyway.
            hidden = [b.payload for b in message.buttons if b.payload.startswith("/")]
            assert not any(p in body for p in hidden for body in bodies), name


# --- Choosing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "reply, payload",
    [
        ("1", "/ask_mediation"),
        (" 2 ", "/ask_tribunal"),
        ("2.", "/ask_tribunal"),
        ("3)", "/ask_sendias"),
        ("#4", "/ask_mediation_vs_dr"),
        ("option 2", "/ask_tribunal"),
        ("Number 3", "/ask_sendias"),
        ("2\ufe0f\u20e3", "/ask_tribunal"),  # the keycap emoji
        ("contact sendias", "/ask_sendias"),
        ("How do I appeal?", "/ask_tribunal"),
        ("WHAT IS MEDIATION", "/ask_mediation"),
        ("appeal", "/ask_tribunal"),
        ("sendias", "/ask_sendias"),
        ("disagreement resolution", "/ask_mediation_vs_dr"),
    ],
)
def test_a_number_or_the_words_of_an_option_choose_it(reply, payload):
    choice = choose(reply, OPTIONS)
    assert choice is not None and choice.payload == payload


@pytest.mark.parametrize(
    "reply",
    [
        "0",
        "5",
        "12",
        "mediation",  # out of range; in two titles
        "is",
        "what is",
        "how do i",  # only common words
        "the council refused to assess my son",
        "2 weeks ago they said no",
        "",
        "   ",
        "?!",
    ],
)
def test_anything_else_is_an_ordinary_message(reply):
    assert choose(reply, OPTIONS) is None


def test_nothing_is_chosen_when_nothing_was_offered():
    assert choose("1", []) is None
