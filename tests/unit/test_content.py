"""The content loader, its placeholders, and `make content-check`."""
import shutil
from pathlib import Path

import pytest

from actions import content_check
from actions.content import ContentError, MissingDetail, get_content, load_content
from actions.replies import all_replies, crisis_reply, intro_reply, service_reply

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
    assert "We keep this chat for 30 days, then delete it." in message.text
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
