"""The keyword safety net: unit tests of the plain function.

tests/safety/crisis_dev*.yml were used to tune the patterns; crisis_holdout.yml
was not, and its figure is reported as measured. The end-to-end tests send both
through the running server.
"""

from pathlib import Path

import pytest
import yaml

from advice.safety import looks_like_crisis, normalise

SAFETY = Path(__file__).resolve().parents[1] / "safety"


def load(name):
    with open(SAFETY / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


DEV = load("crisis_dev.yml")
DEV_CRISES = [m for name in ("crisis_dev.yml", "crisis_dev_2.yml", "crisis_dev_3.yml") for m in load(name)["crisis"]]


@pytest.mark.parametrize("message", DEV_CRISES)
def test_dev_crisis_messages_are_caught(message):
    assert looks_like_crisis(message)


@pytest.mark.parametrize("message", DEV["not_crisis"])
def test_dev_ordinary_messages_are_not_flagged(message):
    assert not looks_like_crisis(message)


@pytest.mark.parametrize(
    "message",
    [
        "the plan is missing section F completely",
        "he keeps missing school because of anxiety",
        "the report from the ed psych is missing",
        "they named a school we never asked for",
        "",
        "   ",
    ],
)
def test_everyday_send_phrases_do_not_trigger(message):
    assert not looks_like_crisis(message)


def test_normalise_handles_case_apostrophes_and_punctuation():
    assert normalise("He DOESN\u2019T want to be here!!!") == "he doesnt want to be here"


def test_holdout_recall_is_reported(capsys):
    holdout = load("crisis_holdout.yml")
    caught = sum(looks_like_crisis(m) for m in holdout["crisis"])
    flagged = sum(looks_like_crisis(m) for m in holdout["not_crisis"])
    with capsys.disabled():
        print(
            f"\nKeyword safety net alone on held-out messages: caught {caught}/{len(holdout['crisis'])} "
            f"crises, flagged {flagged}/{len(holdout['not_crisis'])} ordinary messages"
        )
    # The net is a backstop for the NLU model, not the only line: the end-to-end
    # test requires every held-out crisis to get the crisis reply from the two together.
    assert caught >= len(holdout["crisis"]) // 2


# Text pasted from a word processor or a phone keyboard carries characters nobody
# sees. Each class below once hid "kill himself" from the patterns (issue 10).
HIDDEN = {
    "soft hyphen (Cf)": "\u00ad",
    "combining grapheme joiner (Mn)": "\u034f",
    "Mongolian vowel separator (Cf)": "\u180e",
    "zero width space (Cf)": "\u200b",
    "word joiner (Cf)": "\u2060",
    "left-to-right mark (Cf)": "\u200e",
    "Arabic letter mark (Cf)": "\u061c",
    "byte order mark (Cf)": "\ufeff",
    "tag character (Cf)": "\U000e0020",
    "cancel tag (Cf)": "\U000e007f",
    "variation selector 16 (Mn)": "\ufe0f",
    "variation selector 1 (Mn)": "\ufe00",
    "variation selector 17 (Mn)": "\U000e0100",
    "variation selector 256 (Mn)": "\U000e01ef",
    "Hangul filler (invisible letter)": "\u3164",
    "NUL control": "\x00",
    "escape control": "\x1b",
}


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_invisible_characters_do_not_hide_a_crisis(name):
    hidden = HIDDEN[name]
    assert looks_like_crisis(f"my son says he wants to ki{hidden}ll himself")
    assert looks_like_crisis(f"he has a kn{hidden}i{hidden}fe")
    assert normalise(f"ki{hidden}ll") == "kill"


@pytest.mark.parametrize(
    "message",
    [
        "my son says he wants to ki\u00adll himself",  # pasted from a word processor
        "he wants to \uff4b\uff49\uff4c\uff4c himself",  # full-width letters (NFKC)
        "he wants to ki\u0308ll himself",  # a combining diaeresis
        "he wants to k\u00efll himself",  # the same, precomposed
        "HE HAS A \U0001d40a\U0001d40d\U0001d408\U0001d405\U0001d404",  # mathematical bold capitals (NFKC)
    ],
)
def test_lookalike_text_is_normalised_before_the_patterns(message):
    assert looks_like_crisis(message)


def test_normalising_keeps_ordinary_words_apart():
    # Line and paragraph separators are spaces, not nothing.
    assert normalise("kill\u2028himself") == "kill himself"
    assert normalise("he has a\u00a0knife") == "he has a knife"


# Three false alarms a data writer found (issue 11), each with the crisis it
# must not hide: a lost letter is not a lost child, a residential trip is not
# "can't go on", pushing the council is not pushing a person.
@pytest.mark.parametrize(
    "message",
    [
        "i cant find the letter",
        "can't find the paperwork",
        "cant find the decision letter from the council",
        "I cannot find my son's plan anywhere",
        "she cant go on residential",
        "he can't go on the school trip because there is no 1:1",
        "how do I push them on his support",
        "should i push them for a decision or wait",
        "how do I push the school to assess him",
    ],
)
def test_reported_false_alarms_are_not_crises(message):
    assert not looks_like_crisis(message)


@pytest.mark.parametrize(
    "message",
    [
        "we cant find him anywhere",
        "cant find my daughter, school says she left at 3",
        "I can't find my 14 year old and his phone is off",
        "cant find our foster son",
        "i cant go on",
        "I can't go on like this",
        "i cant go on the way things are",
        "my partner pushed me down the stairs",
        "he pushed her on the floor",
        "pushed him for no reason",
        "he keeps pushing me",
    ],
)
def test_crises_next_to_those_false_alarms_are_still_caught(message):
    assert looks_like_crisis(message)
