"""`make content-check`: validate content/*.yml and list what the council must verify.

Run it after every edit of the content files. It fails (exit 1) when:
  * a route names a step, button, contact or service that does not exist;
  * a phone number, email or web address is malformed, or a detail has no source;
  * a route step, appeal fact, note or topic answer has no source, or a source
    that names neither a heading of facts.md nor a law (when facts.md is
    there, its headings are checked too; CI runs on a fresh clone without it);
  * a placeholder such as {sendias.phone} does not resolve;
  * a reply is too hard to read (see advice/plain_english.py);
  * a text in deadlines.yml has no source, or a deadline reply is too hard to read;
  * a language the detector can name has no reply in languages.yml, or a reply
    there lacks a phone number or 999, has a sentence over 25 words, or its
    English meaning is too hard to read.
It always prints the details still marked `verified: false` or missing, which
the council's team must confirm before go-live, and every source used.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from advice import deadlines, office_hours
from advice.catalogue import all_replies
from advice.content import Content, ContentError, load_content
from advice.languages import LANGUAGES
from advice.plain_english import MAX_GRADE, MAX_SENTENCE_WORDS, measure
from advice.replies import SETTING

PHONE = re.compile(r"^(?:0\d{2,4}(?: ?\d{3,4}){1,2}|\d{3}(?: \d{3})?|999|111)$")
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
URL = re.compile(r"^https://[\w-]+(?:\.[\w-]+)+(?:/[\w\-./?=&%#]*)?$")
FORMS = {"SEND35", "SEND35a"}

# Parts of a disagreement that state facts, so need a source when present.
SOURCED_FIELDS = ("urgent", "before_steps", "note", "no_appeal", "deadline", "deadline_note", "mediation", "dr_note")
# A source part that is not a facts.md heading must name a law or another
# public source the team can look up.
OTHER_SOURCE = re.compile(
    r"\b(Act \d{4}|Regulations \d{4}|SI \d{4}/\d+|Code of Practice|seed page|gov\.uk|EWCA Civ)",
    re.IGNORECASE,
)
FACTS_PREFIX = "facts.md:"


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
            if not any(s.startswith("tribunal_appeal") for s in spec.get("steps", [])):
                errors.append(f"{where}: has an appeal but no tribunal_appeal step")
        elif any(s.startswith("tribunal_appeal") for s in spec.get("steps", [])):
            errors.append(f"{where}: cannot be appealed but lists tribunal_appeal")
        if appeal is None and not spec.get("deadline"):
            errors.append(f"{where}: no appeal, so it needs a 'deadline' text (what applies instead)")
    errors += _button_label_errors(content)
    return errors


def needs_source(content: Content) -> List[str]:
    """Where every text that states a fact is (the keys of ``content.sources``)."""
    places = [f"appeals.{key}" for key in content.appeals]
    places += [f"steps.{key}" for key in content.steps]
    places.append("closing")
    if content.romanised:
        places.append("languages.romanised")
    for did, spec in content.disagreements.items():
        places += [f"disagreements.{did}.{f}" for f in SOURCED_FIELDS if spec.get(f)]
    exempt = set(content.topics.get("no_source_needed") or ())
    for name, topic in content.topics.items():
        if name != "no_source_needed" and name not in exempt:
            places += _text_leaves(topic, f"topics.{name}")
    return places


def _text_leaves(node: Any, where: str) -> List[str]:
    if isinstance(node, str):
        return [where]
    if isinstance(node, Mapping):
        return [
            leaf for key, value in node.items() if key != "buttons" for leaf in _text_leaves(value, f"{where}.{key}")
        ]
    return []


def facts_md() -> Optional[Path]:
    """facts.md, if it is on this machine: $SEND_FACTS_MD, else shared/reference/ above the repository."""
    if os.environ.get("SEND_FACTS_MD"):
        path = Path(os.environ["SEND_FACTS_MD"])
        return path if path.is_file() else None
    root = Path(__file__).resolve().parent.parent
    for parent in root.parents:
        candidate = parent / "shared" / "reference" / "facts.md"
        if candidate.is_file():
            return candidate
    return None


def facts_headings(path: Path) -> List[str]:
    """The headings of facts.md, without '#' and '**'."""
    headings = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            headings.append(line.lstrip("#").replace("**", "").strip())
    return headings


def source_parts(source: str) -> List[str]:
    return [part.strip() for part in source.split(";") if part.strip()]


def source_errors(content: Content, headings: Optional[List[str]] = None) -> List[str]:
    """Texts that state facts without a source, and sources nobody could look up.

    ``headings``: the headings of facts.md, to check "facts.md: <heading>"
    against; None when facts.md is not on this machine.
    """
    errors = []
    exempt = content.topics.get("no_source_needed") or ()
    for name in exempt:
        if name not in content.topics:
            errors.append(f"topics.yml no_source_needed: unknown topic '{name}'")
    for place in needs_source(content):
        source = content.sources.get(place, "")
        if not source.strip():
            errors.append(f"{place}: states facts but has no source (add `source:` beside its `text:`)")
            continue
        for part in source_parts(source):
            if part.startswith(FACTS_PREFIX):
                cited = part[len(FACTS_PREFIX) :].strip().lower()
                if not cited:
                    errors.append(f"{place}: '{part}' names no heading of facts.md")
                elif headings is not None and not any(h.lower().startswith(cited) for h in headings):
                    errors.append(f"{place}: facts.md has no heading starting '{cited}'")
            elif not OTHER_SOURCE.search(part):
                errors.append(
                    f"{place}: source '{part}' names neither a facts.md heading ('{FACTS_PREFIX} <heading>') nor a law"
                )
    return errors


def sources_used(content: Content) -> Dict[str, int]:
    """Each source part, with how many texts cite it."""
    counts: Counter = Counter()
    for place in needs_source(content):
        counts.update(source_parts(content.sources.get(place, "")))
    return dict(sorted(counts.items()))


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
            errors.append(f'callback.yml {where}: the label must be text; put quotes around it ("No")')
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


# The end of a sentence in the languages of languages.yml: . ! ? and the
# Gurmukhi/Bengali danda, the Urdu full stop and the Arabic question mark.
_SENTENCE_END = re.compile(r"[.!?\u0964\u06d4\u061f](?:\s+|$)")
LANGUAGE_PLACEHOLDERS = ("{ehc_team.phone}", "{sendias.phone}")


def language_errors(content: Content) -> List[str]:
    """The replies to families who write in another language (content/languages.yml)."""
    errors = []
    for code in LANGUAGES:
        if code not in content.languages:
            errors.append(f"languages.yml: no reply for '{code}', a language the detector names")
    for code, entry in content.languages.items():
        where = f"languages.yml {code}"
        for field_name in ("text", "english"):
            for placeholder in LANGUAGE_PLACEHOLDERS:
                if entry[field_name].count(placeholder) != 1:
                    errors.append(f"{where}.{field_name}: needs {placeholder} exactly once")
        if "999" not in entry["text"]:
            errors.append(f"{where}.text: must give 999")
        text = content.render(entry["text"])
        longest = max(len(s.split()) for s in _SENTENCE_END.split(text) if s.strip())
        if longest > MAX_SENTENCE_WORDS:
            errors.append(f"{where}.text: a sentence of {longest} words (max {MAX_SENTENCE_WORDS})")
        result = measure(content.render(entry["english"]))
        if not result.ok:
            errors.append(
                f"{where}.english is hard to read: grade {result.grade:.1f} (max {MAX_GRADE:g}), "
                f"longest sentence {result.longest_sentence} words (max {MAX_SENTENCE_WORDS})"
            )
    return errors


def to_verify(content: Content) -> List[str]:
    rows = []
    for code, entry in content.languages.items():
        if not entry["verified"]:
            rows.append(f"TRANSLATE languages.{code} ({entry['name']}): awaiting the council's translators")
    if content.languages and not content.interpreter_confirmed:
        rows.append(
            "VERIFY   languages.yml: the SEND team and SENDIAS can arrange an interpreter "
            "(not yet in facts.md; then set interpreter_confirmed: true)"
        )
    for sid, service in content.services.items():
        for key, detail in service.details.items():
            if detail.value is None:
                rows.append(f"MISSING  {sid}.{key}: {detail.source}")
            elif not detail.verified:
                rows.append(f"VERIFY   {sid}.{key} = {detail.value}  (source: {detail.source})")
    return rows


def main() -> int:
    facts = facts_md()
    headings = facts_headings(facts) if facts else None
    try:
        content = load_content()
        hours = office_hours.load_hours()
        errors = structural_errors(content) + office_hours.problems(content.services, hours)
        errors += source_errors(content, headings)
        if not errors:
            errors += readability_errors(content)  # rendering needs a sound structure
            errors += deadlines.wording_problems(content.render)
            errors += language_errors(content)
    except ContentError as error:
        errors = [str(error)]
        content = None
    if content is not None:
        rows = to_verify(content) + office_hours.to_verify(hours) + deadlines.to_verify()
        print(f"Details the council must confirm before go-live ({len(rows)}):")
        for row in rows:
            print(f"  {row}")
        used = sources_used(content)
        print(f"\nSources used by {len(needs_source(content))} texts that state facts ({len(used)}):")
        for source, count in used.items():
            print(f"  {source}  ({count})")
        if headings is None:
            print("facts.md is not on this machine: its headings were not checked.")
        else:
            print(f"Every facts.md heading cited exists in {facts}.")
    if errors:
        print(f"\nContent errors ({len(errors)}):")
        for problem in errors:
            print(f"  {problem}")
        return 1
    print("\nContent files are consistent and every reply reads at grade 8 or below.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
