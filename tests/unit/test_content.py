"""The content loader, its placeholders, and `make content-check`."""

import shutil
from pathlib import Path

import pytest

from advice import content_check
from advice.catalogue import all_replies
from advice.content import ContentError, MissingDetail, get_content, load_content
from advice.replies import crisis_reply, intro_reply, service_reply

CONTENT = get_content()
MARKER = CONTENT.unverified_marker


def test_unverified_details_are_marked_and_verified_ones_are_not():
    assert CONTENT.detail("sendias", "phone") == f"01922 650330 {MARKER}"
    assert CONTENT.detail("childline", "phone") == "0800 1111"
    assert CONTENT.detail("tribunal", "web") == "https://www.gov.uk/appeal-ehc-plan-decision"


def test_missing_details_are_never_shown():
    with pytest.raises(MissingDetail):
        CONTENT.detail("walsall_mash", "phone")
    assert "None" not in crisis_reply(CONTENT)[0].text
    assert "None" not in service_reply(CONTENT, "sendiog")[0].text


def test_every_reply_renders_without_leftover_placeholders():
    for name, messages in all_replies(CONTENT):
        for message in messages:
            assert "{" not in message.text and "}" not in message.text, name
            assert message.text.strip(), name


def test_every_contact_detail_has_a_source():
    for service in CONTENT.services.values():
        for key, detail in service.details.items():
            assert detail.source.strip(), f"{service.id}.{key}"


def test_content_check_passes_and_lists_what_to_verify(capsys):
    assert content_check.main() == 0
    out = capsys.readouterr().out
    assert "VERIFY   sendias.phone = 01922 650330" in out
    assert "MISSING  walsall_mash.phone" in out
    assert "MISSING  council.privacy_notice" in out


def test_the_opening_message_says_how_long_chats_are_kept():
    [message] = intro_reply(CONTENT, 30)
    assert "We keep it for 30 days, then delete it." in message.text
    assert "14 days" in intro_reply(CONTENT, 14)[0].text  # the retention setting, not a copy of "30"
    # No privacy notice line until the council supplies its address.
    assert "How we use your information" not in message.text and "None" not in message.text


def test_the_privacy_notice_is_linked_once_supplied(content_copy):
    path = content_copy / "services.yml"
    text = path.read_text()
    marker = "    privacy_notice:\n      value: null"
    assert marker in text
    path.write_text(text.replace(marker, '    privacy_notice:\n      value: "https://go.walsall.gov.uk/privacy"'))
    [message] = intro_reply(load_content(content_copy), 30)
    assert message.text.endswith("How we use your information: https://go.walsall.gov.uk/privacy (to be confirmed)")


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree("content", target)
    return target


def test_content_check_rejects_a_malformed_phone_number(content_copy):
    path = content_copy / "services.yml"
    path.write_text(path.read_text().replace('"01922 650330"', '"call us!"'))
    errors = content_check.structural_errors(load_content(content_copy))
    assert any("sendias.phone" in e and "phone number" in e for e in errors)


def test_content_check_rejects_an_unknown_step(content_copy):
    path = content_copy / "routes.yml"
    path.write_text(path.read_text().replace("steps: [talk_setting, ", "steps: [talk_to_the_moon, "))
    errors = content_check.structural_errors(load_content(content_copy))
    assert any("unknown step 'talk_to_the_moon'" in e for e in errors)


def test_content_check_rejects_a_button_label_yaml_reads_as_false(content_copy):
    path = content_copy / "callback.yml"
    path.write_text(path.read_text().replace('decline: "No"', "decline: No"))
    errors = content_check.structural_errors(load_content(content_copy))
    assert any("consent_buttons.decline" in e for e in errors)


def test_an_unknown_placeholder_is_an_error(content_copy):
    path = content_copy / "topics.yml"
    path.write_text(path.read_text().replace("{sendias.phone}", "{sendias.fax}"))
    broken = load_content(content_copy)
    with pytest.raises(ContentError):
        all_replies(broken)


def test_a_missing_section_is_a_clear_error(content_copy):
    path = content_copy / "routes.yml"
    path.write_text(path.read_text().replace("closing:", "closing_typo:"))
    with pytest.raises(ContentError, match="missing a section"):
        load_content(content_copy)


def test_sourced_texts_load_as_plain_text_with_their_source():
    assert CONTENT.steps["talk_case_officer"].startswith("Talk to your EHC case officer")
    assert "reg 33" in CONTENT.sources["steps.talk_case_officer"]
    assert CONTENT.topics["mediation_vs_dr"]["text"].startswith("Both are free")
    assert "facts.md: Disagreement resolution vs mediation" in CONTENT.sources["topics.mediation_vs_dr.text"]
    assert CONTENT.sources["disagreements.plan_ceasing.before_steps"].startswith("facts.md: Timescales")


def test_content_check_lists_the_sources_used(capsys):
    assert content_check.main() == 0
    out = capsys.readouterr().out
    assert "Sources used by" in out
    assert "facts.md: Tribunal facts  (" in out and "SEND Regulations 2014 reg 33  (" in out


def test_content_check_rejects_a_route_step_without_a_source(content_copy):
    path = content_copy / "routes.yml"
    text = path.read_text()
    marker = '    source: "facts.md: Routes of redress"\n  # Health and social care'
    assert marker in text
    path.write_text(text.replace(marker, "  # Health and social care"))
    errors = content_check.source_errors(load_content(content_copy))
    assert any(e.startswith("steps.talk_setting: states facts but has no source") for e in errors)


def test_content_check_rejects_a_topic_answer_written_without_a_source(content_copy):
    path = content_copy / "topics.yml"
    text = path.read_text()
    marker = "cost:\n  text: >-"
    assert marker in text
    path.write_text(text.replace('  source: "facts.md: Disagreement resolution vs mediation; seed page"\n', ""))
    errors = content_check.source_errors(load_content(content_copy))
    assert "topics.cost.text: states facts but has no source (add `source:` beside its `text:`)" in errors


def test_content_check_rejects_a_note_whose_source_names_nothing(content_copy):
    path = content_copy / "routes.yml"
    text = path.read_text()
    old = 'source: "facts.md: Timescales; SEND Regulations 2014 reg 20(10)"'
    assert old in text
    path.write_text(text.replace(old, 'source: "my notes"'))
    errors = content_check.source_errors(load_content(content_copy))
    assert any("disagreements.refused_amendment.note: source 'my notes'" in e for e in errors)


def test_content_check_checks_facts_md_headings_only_when_the_file_is_there(tmp_path):
    facts = tmp_path / "facts.md"
    facts.write_text("# Facts\n## Tribunal facts\n## Routes of redress and which disagreement goes where\n")
    errors = content_check.source_errors(CONTENT, content_check.facts_headings(facts))
    assert any("facts.md has no heading starting 'timescales'" in e for e in errors)
    assert not any("'tribunal facts'" in e for e in errors)
    assert content_check.source_errors(CONTENT, None) == []
