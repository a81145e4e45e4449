"""Redaction against a corpus written by someone who never saw the patterns.

``redaction_corpus.yml`` was written blind by a separate helper (realistic
messages, each with the exact secrets it holds, and 40 ordinary messages that
should be left alone). Its first measurement is in the README; after that its
misses were used to improve the patterns, so it is now a development set:
every secret of it must be gone.

A secret counts as gone only if nothing of it survives: not the text itself
(compared without case or spacing), and, for a secret with digits, no run of
4 or more of its digits (the old tests passed ``call me on [phone]3``).

``python -m tests.privacy.test_redaction_corpus`` prints the share caught per
kind and the ordinary messages that were changed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from storage.redaction import normalise, redact

CORPUS = Path(__file__).with_name("redaction_corpus.yml")
ENTRIES = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["entries"]
SECRET_ENTRIES = [e for e in ENTRIES if e["kind"] != "none"]
NEGATIVES = [e for e in ENTRIES if e["kind"] == "none"]
# Kinds that must be caught in full (the goal); names and addresses have
# no fixed shape, but this corpus's are caught too and must stay so.
MUST_CATCH = ("phone", "email", "postcode", "dob", "nhs", "ni")


# Words of an address that say nothing about the family when they survive alone.
COMMON_WORDS = {"the", "flat", "road", "street", "lane", "close", "avenue", "drive", "way", "house"}


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-()/,]", "", normalise(text)).lower()


def digit_runs(text: str, length: int = 4) -> set:
    """Every run of ``length`` digits in ``text``'s digits, separators between digits removed."""
    runs = set()
    for group in re.findall(r"\d(?:[\s.\-/()]{0,2}\d)*", normalise(text)):
        digits = re.sub(r"\D", "", group)
        runs |= {digits[i : i + length] for i in range(len(digits) - length + 1)}
    return runs


def leaks(secret: str, redacted: str) -> List[str]:
    """What of ``secret`` is still in ``redacted`` (empty: it is gone)."""
    found = []
    if _compact(secret) and _compact(secret) in _compact(redacted):
        found.append(secret)
    secret_digits = digit_runs(secret)
    if secret_digits:
        found += sorted(secret_digits & digit_runs(redacted))
    elif "@" in secret or " at " in secret.lower():
        local = re.split(r"@|\s+at\s+", secret, flags=re.I)[0]
        if local.lower() in redacted.lower():
            found.append(local)
    else:
        for word in re.findall(r"[A-Za-z][A-Za-z'\-]{2,}", secret):
            if word.lower() in COMMON_WORDS:
                continue
            if re.search(rf"\b{re.escape(word)}\b", redacted, re.I):
                found.append(word)
    return found


def measure() -> Tuple[Dict[str, Tuple[int, int]], List[Tuple[str, str]], List[Tuple[dict, str, list]]]:
    """(caught, total) per kind; the changed ordinary messages; the misses."""
    totals: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for entry in SECRET_ENTRIES:
        redacted = redact(entry["text"])
        leaked = [leak for secret in entry["secrets"] for leak in leaks(secret, redacted)]
        totals[entry["kind"]][1] += 1
        if leaked:
            misses.append((entry, redacted, leaked))
        else:
            totals[entry["kind"]][0] += 1
    changed = [(e["text"], redact(e["text"])) for e in NEGATIVES if redact(e["text"]) != normalise(e["text"])]
    return {k: (v[0], v[1]) for k, v in totals.items()}, changed, misses


def test_the_corpus_is_big_enough_and_well_formed():
    assert len(ENTRIES) >= 100
    for entry in SECRET_ENTRIES:
        assert entry["secrets"], entry
        for secret in entry["secrets"]:
            assert secret in entry["text"], (secret, entry["text"])


# What the patterns still miss, exactly: a name with nothing around it that says
# it is one. Listed so that the test fails if anything else is missed, or if
# this is caught one day (then remove it from here).
KNOWN_MISSES = {
    "Can Mrs Begum ring me back on 07700900418 or email begum.family@example.co.uk about Ayaan": ["Ayaan"],
}


@pytest.mark.parametrize("entry", SECRET_ENTRIES, ids=lambda e: f"{e['kind']}:{e['text'][:40]}")
def test_every_secret_is_gone(entry):
    redacted = redact(entry["text"])
    leaked = sorted({leak for secret in entry["secrets"] for leak in leaks(secret, redacted)})
    assert leaked == KNOWN_MISSES.get(entry["text"], []), f"{leaked} survive in {redacted!r}"
    if entry["kind"] in MUST_CATCH:
        assert not leaked


def test_ordinary_messages_are_mostly_left_alone():
    _, changed, _ = measure()
    # Over-redaction is accepted (a date that is not a birthday), but it must stay rare.
    assert len(changed) <= len(NEGATIVES) // 5, changed


def main() -> None:
    totals, changed, misses = measure()
    caught = sum(c for c, _ in totals.values())
    print(f"{caught} of {len(SECRET_ENTRIES)} messages with personal details fully redacted")
    for kind in sorted(totals):
        done, total = totals[kind]
        print(f"  {kind:<10} {done:>3} of {total:<3} ({100 * done / total:.0f}%)")
    print(f"ordinary messages changed: {len(changed)} of {len(NEGATIVES)}")
    for before, after in changed:
        print(f"  {before!r}\n    -> {after!r}")
    for entry, redacted, leaked in misses:
        print(f"MISS {entry['kind']}: {redacted!r} keeps {leaked}")


if __name__ == "__main__":
    main()
