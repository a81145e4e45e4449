"""`make content-check`: validate content/*.yml and list what the council must verify.

Run it after every edit of the content files. It fails (exit 1) when:
  * a route names a step, button, contact or service that does not exist;
  * a phone number, email or web address is malformed, or a detail has no source;
  * a placeholder such as {sendias.phone} does not resolve;
  * a reply is too hard to read (see actions/plain_english.py);
  * a text in deadlines.yml has no source, or a deadline reply is too hard to read.
It always prints the details still marked `verified: false` or missing, which
the council's team must confirm before go-live.
"""
from __future__ import annotations

import re
import sys
from typing import List

from actions.content import Content, ContentError, load_content
from actions.plain_english import MAX_GRADE, MAX_SENTENCE_WORDS, measure
from actions import deadlines, office_hours
from actions.replies import SETTING, all_replies

PHONE = re.compile(r"^(?:0\d{2,4}(?: ?\d{3,4}){1,2}|\d{3}(?: \d{3})?|999|111)$")
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
URL = re.compile(r"^https://[\w-]+(?:\.[\w-]+)+(?:/[\w\-./?=&%#]*)?$")
FORMS = {"SEND35", "SEND35a"}


def structural_errors(content: Content) -> List[str]:
    errors = []
    for sid, service in content.services.items():
        for key, detail in service.details.items():
            where = f"services.yml {sid}.{key}"
            if not detail.source.strip():
                errors.append(f"{where}: no source")
            if detail.value is None:
                continue
            if key == "phone" and not PHONE.match(detail.value):
                errors.append(f"{where}: '{detail.value}' is not a well-formed UK phone number")
            if key == "email" and not EMAIL.match(detail.value):
                errors.append(f"{where}: '{detail.value}' is not a well-formed email address")
            if key in ("web", "contact_form", "privacy_notice") and not URL.match(detail.value):
                errors.append(f"{where}: '{detail.value}' is not a well-formed https address")
    for did, spec in content.disagreements.items():
        where = f"routes.yml disagreements.{did}"
        for key in ("label", "summary", "steps", "buttons", "contacts"):
            if key not in spec:
                errors.append(f"{where}: missing '{key}'")
        for step in spec.get("steps", []):
            if step not in content.steps:
                errors.append(f"{where}: unknown step '{step}'")
        for contact in spec.get("contacts", []):
            if contact != SETTING and contact not in content.services:
                errors.append(f"{where}: unknown contact '{contact}'")
        for button in spec.get("buttons", []):
            if button not in content.button_titles and button not in content.disagreements:
                errors.append(f"{where}: unknown button '{button}'")
        appeal = spec.get("appeal")
        if appeal is None and not spec.get("no_appeal"):
            errors.append(f"{where}: no appeal, so it needs a 'no_appeal' text")
        if appeal is not None:
            if appeal.get("form") not in FORMS:
                errors.append(f"{where}: appeal form must be one of {sorted(FORMS)}")
            if not isinstance(appeal.get("certificate_needed"), bool):
                errors.append(f"{where}: appeal.certificate_needed must be true or false")
            if "tribunal_appeal" not in spec.get("steps", []):
                errors.append(f"{where}: has an appeal but no tribunal_appeal step")
        elif "tribunal_appeal" in spec.get("steps", []):
            errors.append(f"{where}: cannot be appealed but lists tribunal_appeal")
    errors += _button_label_errors(content)
    return errors


def _button_label_errors(content: Content) -> List[str]:
    """The callback form's button labels must be text: YAML reads a bare No as false."""
    errors = []
    labels = {
        **{f"method_buttons.{k}": v for k, v in (content.callback.get("method_buttons") or {}).items()},
        **{f"time_buttons[{i}]": v for i, v in enumerate(content.callback.get("time_buttons") or [])},
        **{f"consent_buttons.{k}": v for k, v in (content.callback.get("consent_buttons") or {}).items()},
    }
    for where, label in labels.items():
        if not isinstance(label, str) or not label.strip():
            errors.append(f"callback.yml {where}: the label must be text; put quotes around it (\"No\")")
    return errors


def readability_errors(content: Content) -> List[str]:
    errors = []
    for name, messages in all_replies(content):
        for message in messages:
            result = measure(message.text)
            if not result.ok:
                errors.append(
                    f"reply '{name}' is hard to read: grade {result.grade:.1f} "
                    f"(max {MAX_GRADE:g}), longest sentence {result.longest_sentence} words "
                    f"(max {MAX_SENTENCE_WORDS})"
                )
    return errors


def to_verify(content: Content) -> List[str]:
    rows = []
    for sid, service in content.services.items():
        for key, detail in service.details.items():
            if detail.value is None:
                rows.append(f"MISSING  {sid}.{key}: {detail.source}")
            elif not detail.verified:
                rows.append(f"VERIFY   {sid}.{key} = {detail.value}  (source: {detail.source})")
    return rows


def main() -> int:
    try:
        content = load_content()
        hours = office_hours.load_hours()
        errors = structural_errors(content) + office_hours.problems(content.services, hours)
        if not errors:
            errors += readability_errors(content)  # rendering needs a sound structure
            errors += deadlines.wording_problems(content.render)
    except ContentError as error:
        errors = [str(error)]
        content = None
    if content is not None:
        rows = to_verify(content) + office_hours.to_verify(hours) + deadlines.to_verify()
        print(f"Details the council must confirm before go-live ({len(rows)}):")
        for row in rows:
            print(f"  {row}")
    if errors:
        print(f"\nContent errors ({len(errors)}):")
        for error in errors:
            print(f"  {error}")
        return 1
    print("\nContent files are consistent and every reply reads at grade 8 or below.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
