"""Every reply and every rendered route reads at grade 8 or below, no sentence over 25 words."""

import yaml

from advice.catalogue import all_replies
from advice.content import get_content
from advice.plain_english import MAX_GRADE, MAX_SENTENCE_WORDS, measure


def every_text():
    for name, messages in all_replies(get_content()):
        for message in messages:
            yield name, message.text
    with open("domain.yml", encoding="utf-8") as handle:
        for name, variants in yaml.safe_load(handle)["responses"].items():
            for variant in variants:
                yield name, variant["text"]


def every_button_title():
    content = get_content()
    yield from content.button_titles.values()
    yield from (spec["label"] for spec in content.disagreements.values())
    with open("domain.yml", encoding="utf-8") as handle:
        for variants in yaml.safe_load(handle)["responses"].values():
            for variant in variants:
                yield from (b["title"] for b in variant.get("buttons", []))


def test_every_reply_is_plain_english(capsys):
    results = [(name, measure(text)) for name, text in every_text()]
    worst = sorted(results, key=lambda r: (r[1].grade, r[1].longest_sentence), reverse=True)[:5]
    with capsys.disabled():
        print(f"\nReadability of {len(results)} replies; the hardest five:")
        for name, result in worst:
            print(f"  grade {result.grade:4.1f}, longest sentence {result.longest_sentence:2d} words: {name}")
    failing = [
        f"{name}: grade {r.grade:.1f}, longest sentence {r.longest_sentence} words" for name, r in results if not r.ok
    ]
    assert not failing, f"over grade {MAX_GRADE:g} or {MAX_SENTENCE_WORDS} words:\n" + "\n".join(failing)


def test_the_measure_can_fail():
    hard = (
        "Notwithstanding the aforementioned considerations, the local authority's determination "
        "regarding statutory assessment necessitates comprehensive consideration of documentation."
    )
    assert not measure(hard).ok
    assert measure("Talk to your case officer first. They can help.").ok


def test_button_titles_fit_a_phone_screen():
    # A readability grade means nothing for four words; length is what matters on a phone.
    too_long = [title for title in every_button_title() if len(title) > 55]
    assert not too_long
