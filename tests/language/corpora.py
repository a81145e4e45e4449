"""The English message sets the language tests run through the detector."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def nlu_texts(path: Path) -> List[str]:
    """The examples of a Rasa NLU file, entity markup removed."""
    out = []
    for item in (_yaml(path) or {}).get("nlu", []):
        for line in (item.get("examples") or "").splitlines() if "intent" in item else []:
            text = re.sub(r"^\s*-\s*", "", line).strip()
            text = re.sub(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})", r"\1", text)
            if text:
                out.append(text)
    return out


def _texts(items) -> List[str]:
    return [item["text"] if isinstance(item, dict) else item for item in items]


@functools.lru_cache(maxsize=1)
def english_sets() -> Dict[str, List[str]]:
    here = ROOT / "tests" / "language"
    sets = {
        "english_with_names.yml": _yaml(here / "english_with_names.yml")["messages"],
        "english_hard.yml": _yaml(here / "english_hard.yml")["messages"],
        "data/nlu (English training examples)": [
            text
            for path in sorted((ROOT / "data" / "nlu").glob("*.yml"))
            if path.name != "languages.yml"
            for text in nlu_texts(path)
        ],
    }
    for path in sorted((ROOT / "tests" / "safety").glob("crisis_dev*.yml")):
        data = _yaml(path)
        sets[f"tests/safety/{path.name}"] = data["crisis"] + data["not_crisis"]
    redaction = _yaml(ROOT / "tests" / "privacy" / "redaction_corpus.yml")
    items = redaction if isinstance(redaction, list) else next(v for v in redaction.values() if isinstance(v, list))
    sets["tests/privacy/redaction_corpus.yml"] = _texts(items)
    return sets


@functools.lru_cache(maxsize=1)
def held_out_english() -> Dict[str, List[str]]:
    """The held-out sets: for counting only, never for reading or printing."""
    sets = {name: nlu_texts(ROOT / "tests" / "nlu" / name) for name in ("holdout.yml", "fresh_holdout.yml")}
    crisis = _yaml(ROOT / "tests" / "safety" / "crisis_holdout.yml")
    sets["crisis_holdout.yml"] = crisis["crisis"] + crisis["not_crisis"]
    return sets
