"""content/languages.yml: the replies to families who write in another language,
the action that gives them, and `make content-check`'s checks of them."""

import asyncio
import shutil
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_actions import ActionOtherLanguage
from advice import content_check, replies
from advice.catalogue import all_replies
from advice.content import ContentError, get_content, load_content
from advice.languages import LANGUAGES
from advice.replies import ROMANISED, other_language_reply, translated_replies

CONTENT = get_content()
ROOT = Path(__file__).resolve().parents[2]


def tracker(entities, ranking=None):
    ranking = ranking or [{"name": "other_language", "confidence": 1.0}]
    latest = {"text": "...", "intent": ranking[0], "intent_ranking": ranking, "entities": entities}
    return Tracker("test-user", {"disagreement": None, "service": None}, latest, [], False, None, {}, "action_listen")


def run(trk):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOtherLanguage().run(dispatcher, trk, {}))
    return dispatcher.messages


def language(code):
    return [{"entity": "language", "value": code, "start": 0, "end": 3}]


def test_every_language_the_detector_names_has_a_reply():
    assert set(LANGUAGES) == set(CONTENT.languages)


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_reply_gives_both_numbers_and_999_and_awaits_the_translators(code):
    entry = CONTENT.languages[code]
    text = other_language_reply(CONTENT, code)[0].text
    assert CONTENT.detail("ehc_team", "phone") in text
    assert CONTENT.detail("sendias", "phone") in text
    assert "999" in text and "{" not in text
    assert entry["verified"] is False, "approved by the council's translators? then change this test"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_action_answers_in_the_language_found(code):
    [message] = run(tracker(language(code)))
    assert message["text"] == other_language_reply(CONTENT, code)[0].text
    assert not message.get("buttons")


def test_romanised_punjabi_or_urdu_gets_the_english_reply_with_the_topics_the_model_saw():
    ranking = [
        {"name": "other_language", "confidence": 1.0},
        {"name": "refused_assessment", "confidence": 0.7},
        {"name": "greet", "confidence": 0.2},
    ]
    [message] = run(tracker(language(ROMANISED), ranking))
    assert message["text"].startswith("It looks like you wrote in Punjabi or Urdu. I can only understand English.")
    assert "If your question is about one of these, choose it." in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/refused_assessment"]


def test_without_a_language_the_action_says_not_understood():
    [message] = run(tracker([]))
    # The last stage of "not understood": every topic and the numbers to call, never a dead end.
    assert message["text"] == replies.fallback_reply(CONTENT)[0].text


def test_the_romanised_reply_is_checked_like_every_english_reply():
    names = [name for name, _ in all_replies(CONTENT)]
    assert f"other_language:{ROMANISED}" in names
    # The translations are not (the English checks cannot read them): content-check has its own.
    assert not any(name.startswith("other_language:pl") for name in names)
    assert [name for name, _ in translated_replies(CONTENT)] == [f"other_language:{c}" for c in CONTENT.languages]


def test_content_check_passes_and_lists_every_translation_awaiting_approval():
    assert content_check.language_errors(CONTENT) == []
    rows = content_check.to_verify(CONTENT)
    for code in LANGUAGES:
        assert any(row.startswith(f"TRANSLATE languages.{code} ") for row in rows)
    assert any("can arrange an interpreter" in row for row in rows)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def _edit(content_copy, old, new, count=1):
    path = content_copy / "languages.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_content_check_finds_a_missing_number(content_copy):
    _edit(content_copy, "pod numer {sendias.phone}.", "wkrótce.")
    errors = content_check.language_errors(load_content(content_copy))
    assert any("languages.yml pl.text" in e and "{sendias.phone}" in e for e in errors)


def test_content_check_finds_a_sentence_over_25_words(content_copy):
    _edit(content_copy, "Mogą zorganizować tłumacza.", "Mogą zorganizować tłumacza," + " bardzo" * 25 + ".")
    errors = content_check.language_errors(load_content(content_copy))
    assert any("languages.yml pl.text: a sentence of" in e for e in errors)


def test_content_check_finds_a_language_without_a_reply(content_copy):
    _edit(content_copy, "  gu:\n    name: Gujarati", "  gu_typo:\n    name: Gujarati")
    errors = content_check.language_errors(load_content(content_copy))
    assert "languages.yml: no reply for 'gu', a language the detector names" in errors


def test_a_translation_marked_verified_is_no_longer_listed(content_copy):
    _edit(content_copy, "verified: false", "verified: true", count=1)
    rows = content_check.to_verify(load_content(content_copy))
    assert not any(row.startswith("TRANSLATE languages.pa_guru ") for row in rows)
    assert any(row.startswith("TRANSLATE languages.pa_arab ") for row in rows)


def test_a_reply_without_its_verified_flag_is_a_clear_error(content_copy):
    _edit(content_copy, "    verified: false\n", "", count=1)
    with pytest.raises(ContentError, match="pa_guru lacks"):
        load_content(content_copy)
