"""The one loader for the content files in ``content/`` that the council edits.

Routes, services and wording live in YAML so that the council's team can change
them without touching Python. Everything the assistant says about rights and
contacts is read through this module, so each fact has exactly one home:

* ``services.yml``: who to contact, each detail with its source and whether it
  is verified. Unverified details are shown with a marker; missing ones
  (``value: null``) are never shown.
* ``routes.yml``: the appeal facts, the wording of each route step, and which
  steps fit each kind of disagreement.
* ``topics.yml``: the other replies that carry facts (mediation, tribunal,
  crisis lines, ...).
* ``callback.yml``: talking to a person, and the callback request form.
* ``languages.yml``: the short reply to a family who writes in another
  language, in that language (each marked ``verified`` once the council's
  translators approve it), and the English one for Punjabi or Urdu typed in
  Latin letters.

Text may contain placeholders such as ``{sendias.phone}`` or
``{appeals.deadline}``; :meth:`Content.render` fills them in.

Every text that states a fact (a route step, an appeal fact, a note, a topic
answer) is written with its source beside it, so that the council's team and a
reviewer can trace each claim::

    talk_case_officer:
      text: >-
        Talk to your EHC case officer ...
      source: "facts.md: Tribunal facts; SEND Regulations 2014 reg 33"

The loader turns each such ``text``/``source`` pair into the plain text the
replies use, and keeps the source in :attr:`Content.sources` (by where the text
is, e.g. ``steps.talk_case_officer``) for ``make content-check``. A mapping
that has other keys too (a topic with ``buttons``) keeps them; its source is
recorded for its ``text``.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml

CONTENT_DIR = Path(os.environ.get("SEND_CONTENT_DIR", Path(__file__).resolve().parent.parent / "content"))

# {service.detail}, {appeals.fact} or {name} for values passed in by the caller.
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z0-9_]+))?\}")


class ContentError(ValueError):
    """The content files are inconsistent (caught by ``make content-check``)."""


class MissingDetail(ContentError):
    """A placeholder refers to a detail the council has not supplied yet."""


@dataclass(frozen=True)
class Detail:
    """One contact detail (phone, email, web, ...) and where it comes from."""

    value: Optional[str]
    source: str
    verified: bool


@dataclass(frozen=True)
class Service:
    """A service the assistant can point a family to."""

    id: str
    name: str
    short_name: str
    what_they_do: str
    group: str = "general"
    details: Mapping[str, Detail] = field(default_factory=dict)


@dataclass(frozen=True)
class Content:
    """The parsed content files, with a renderer for their placeholders."""

    services: Mapping[str, Service]
    unverified_marker: str
    appeals: Mapping[str, str]
    steps: Mapping[str, str]
    button_titles: Mapping[str, str]
    disagreements: Mapping[str, Mapping[str, Any]]
    closing: str
    topics: Mapping[str, Any]
    callback: Mapping[str, Any] = field(default_factory=dict)
    # languages.yml: code -> {name, text, english, verified, source}, and the
    # English reply to romanised Punjabi/Urdu.
    languages: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    romanised: str = ""
    interpreter_confirmed: bool = False
    # Where each sourced text is (e.g. "steps.talk_case_officer",
    # "topics.mediation.about", "disagreements.plan_ceasing.note") -> its source.
    sources: Mapping[str, str] = field(default_factory=dict)

    def detail(self, service_id: str, name: str) -> str:
        """The family-facing text of one detail, marked when unverified."""
        service = self.services.get(service_id)
        if service is None:
            raise ContentError(f"unknown service '{service_id}'")
        detail = service.details.get(name)
        if detail is None:
            raise ContentError(f"service '{service_id}' has no detail '{name}'")
        if detail.value is None:
            raise MissingDetail(f"{service_id}.{name} has not been supplied yet")
        if detail.verified:
            return detail.value
        return f"{detail.value} {self.unverified_marker}"

    def render(self, template: str, **values: str) -> str:
        """Fill the placeholders in ``template``.

        ``{x.y}`` is a service detail, or ``appeals.y``; ``{name}`` comes from
        ``values``. Appeal facts may hold placeholders themselves, so the
        result is rendered again until nothing changes.
        """

        def replace(match: re.Match[str]) -> str:
            head, tail = match.group(1), match.group(2)
            if tail is None:
                if head not in values:
                    raise ContentError(f"no value for placeholder '{{{head}}}'")
                return values[head]
            if head == "appeals":
                if tail not in self.appeals:
                    raise ContentError(f"no appeal fact '{tail}'")
                return self.appeals[tail]
            return self.detail(head, tail)

        text = template
        for _ in range(5):
            rendered = PLACEHOLDER.sub(replace, text)
            if rendered == text:
                break
            text = rendered
        return tidy(text)

    def titled_intents(self) -> tuple[str, ...]:
        """Every intent with a title (disagreements, then questions): what "Did you mean" can offer."""
        return (*self.disagreements, *(i for i in self.button_titles if i not in self.disagreements))

    def button_title(self, intent: str) -> str:
        """Button text for an intent: from the buttons list, or a disagreement's label."""
        if intent in self.button_titles:
            return self.button_titles[intent]
        if intent in self.disagreements:
            return self.disagreements[intent]["label"]
        raise ContentError(f"no button title for '{intent}'")


def tidy(text: str) -> str:
    """Normalise spacing left by YAML folding and placeholders, keeping line breaks."""
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.strip().split("\n")]
    return "\n".join(lines)


def _read(path: Path) -> Dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"cannot read {path.name}: {error}") from error
    if not isinstance(data, dict):
        raise ContentError(f"{path.name} must be a mapping at the top level")
    return data


def _service(service_id: str, raw: Mapping[str, Any]) -> Service:
    required = {"name", "short_name", "what_they_do"}
    plain = required | {"group"}
    missing = required - raw.keys()
    if missing:
        raise ContentError(f"service '{service_id}' lacks {sorted(missing)}")
    details: Dict[str, Detail] = {}
    for key, value in raw.items():
        if key in plain:
            continue
        if not isinstance(value, dict) or {"value", "source", "verified"} - value.keys():
            raise ContentError(f"{service_id}.{key} needs value, source and verified")
        details[key] = Detail(
            value=None if value["value"] is None else str(value["value"]),
            source=str(value["source"]),
            verified=bool(value["verified"]),
        )
    return Service(
        id=service_id,
        name=str(raw["name"]),
        short_name=str(raw["short_name"]),
        what_they_do=tidy(str(raw["what_they_do"])),
        group=str(raw.get("group", "general")),
        details=details,
    )


def unwrap_sources(node: Any, where: str, sources: Dict[str, str]) -> Any:
    """``node`` with each ``text``/``source`` pair replaced by its text.

    Records each source in ``sources`` under the path of its text. A mapping
    that also has other keys (``buttons``) stays a mapping without ``source``.
    """
    if isinstance(node, list):
        return [unwrap_sources(item, f"{where}[{i}]", sources) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    if "text" in node and set(node) <= {"text", "source"}:
        # A text with its source (a forgotten source is reported by make content-check).
        if "source" in node:
            sources[where] = "" if node["source"] is None else str(node["source"])
        return node["text"]
    if "text" in node and "source" in node:
        # A topic with buttons: the source belongs to its text.
        sources[f"{where}.text"] = "" if node["source"] is None else str(node["source"])
        node = {k: v for k, v in node.items() if k != "source"}
    return {key: unwrap_sources(value, f"{where}.{key}" if where else str(key), sources) for key, value in node.items()}


LANGUAGE_FIELDS = ("name", "text", "english", "verified", "source")


def _languages(raw: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """languages.yml's ``languages``, each with every field (else ContentError)."""
    languages = raw.get("languages")
    if not isinstance(languages, dict) or not languages:
        raise ContentError("languages.yml needs a 'languages' mapping")
    out = {}
    for code, entry in languages.items():
        missing = [f for f in LANGUAGE_FIELDS if not isinstance(entry, dict) or f not in entry]
        if missing:
            raise ContentError(f"languages.yml {code} lacks {missing}")
        if not isinstance(entry["verified"], bool):
            raise ContentError(f"languages.yml {code}.verified must be true or false")
        out[str(code)] = {f: entry[f] if f == "verified" else str(entry[f]) for f in LANGUAGE_FIELDS}
    return out


def load_content(directory: Path = CONTENT_DIR) -> Content:
    """Read and structurally check the content files."""
    sources: Dict[str, str] = {}
    services_raw = _read(directory / "services.yml")
    routes_raw = unwrap_sources(_read(directory / "routes.yml"), "", sources)
    topics = unwrap_sources(_read(directory / "topics.yml"), "topics", sources)
    callback = _read(directory / "callback.yml")
    languages_raw = _read(directory / "languages.yml")
    romanised = unwrap_sources({"romanised": languages_raw.get("romanised")}, "languages", sources)["romanised"]
    try:
        services = {sid: _service(sid, raw) for sid, raw in services_raw["services"].items()}
        return Content(
            services=services,
            unverified_marker=str(services_raw.get("unverified_marker", "")),
            appeals=dict(routes_raw["appeals"]),
            steps=dict(routes_raw["steps"]),
            button_titles=dict(routes_raw["buttons"]),
            disagreements=dict(routes_raw["disagreements"]),
            closing=str(routes_raw["closing"]),
            topics=topics,
            callback=callback,
            languages=_languages(languages_raw),
            romanised=str(romanised or ""),
            interpreter_confirmed=languages_raw.get("interpreter_confirmed") is True,
            sources=sources,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ContentError(f"content files are missing a section: {error}") from error


@functools.lru_cache(maxsize=1)
def get_content() -> Content:
    """The content, read once per process (restart the action server after edits)."""
    return load_content()
