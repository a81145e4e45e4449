"""Names out of the review list, on top of the store's redaction.

The conversation store already replaces phone numbers, emails, postcodes,
dates and NHS numbers (storage/redaction.py), but not names, and families
do write "my son Oliver" or "I'm Sarah Khan". The review list shows what
families typed to the SEND team, so before a message is shown, :func:`scrub`
runs the store's redaction again (old rows get any newer patterns) and then
replaces likely names with ``[name]``:

* a word that English text mostly writes with a capital letter (Oliver,
  Priya, Khan), by the word frequencies in spaCy's lookup data;
* a capitalised word that is not a common English word (a rare name);
* the word after "my son", "my daughter", "called", "named", "I'm", "this is",
  "Mr", "Mrs" ... unless it is an everyday English word ("my son is 9");

except the words the assistant's own training data and content use (EHC,
SENCO, Walsall, SENDIAS, days and months), so that the list stays readable.
It errs towards removing too much: a review list with "[name]" where a word
was is still useful; a child's name in it is not acceptable.

The word lists come from the ``spacy-lookups-data`` package (a million words
with their frequencies); reading that takes seconds, so the two lists this
needs are kept in ``var/report-name-words.json.gz`` after the first use.

Known limit: a name written in lower case with nothing before it that
signals a name ("grace has autism") is kept when it is also an English word.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path
from typing import FrozenSet, Tuple

from storage.db import ROOT
from storage.redaction import redact

CACHE = ROOT / "var" / "report-name-words.json.gz"
MARKER = "[name]"
COMMON_FLOOR = -17.0  # log frequency: below this a lower-case word counts as rare
EVERYDAY_FLOOR = -10.0  # above this: everyday words ("is", "has", "will") that can follow "my son"
# Markers the redaction writes: never scrubbed.
_MARKERS = re.compile(r"\[[A-Za-z ]+\]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")
_CUE = re.compile(
    r"(?:\b(?:my|our|her|his|their|the)\s+(?:(?:little|eldest|youngest|foster|step)\s*)?"
    r"(?:son|sons|daughter|daughters|child|boy|girl|grandson|granddaughter|nephew|niece|brother|"
    r"sister|husband|wife|partner|mum|dad|kid)"
    r"|\b(?:called|named|name is|name's|names|i'?m|i am|this is|it'?s|mr|mrs|ms|miss|dr|"
    r"mum of|dad of|mother of|father of|regards|thanks|love|from))[\s,.:]*$",
    re.IGNORECASE,
)
_ALWAYS = frozenset(
    "i monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december dont cant wont didnt doesnt isnt wasnt wouldnt "
    "couldnt shouldnt havent hasnt arent im ive id ill youre hes shes theyre thats whats ehc ehcp send".split()
)


def _build_lists() -> Tuple[FrozenSet[str], FrozenSet[str], FrozenSet[str]]:
    """(words mostly written capitalised, common lower-case words, everyday words) from spaCy's data."""
    import spacy_lookups_data

    source = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        probability = json.load(handle)
    lower, capital = {}, {}
    for word, value in probability.items():
        if not word.isalpha():
            continue
        if word.islower():
            lower[word] = value
        elif word[0].isupper() and word[1:].islower():
            capital[word.lower()] = value
    namey = {w for w, v in capital.items() if v > lower.get(w, -99.0)}
    common = {w for w, v in lower.items() if v > capital.get(w, -99.0) and v > COMMON_FLOOR}
    everyday = {w for w in common if lower[w] > EVERYDAY_FLOOR}
    # Inflected forms ("attends", "started", "needs"): never a first name.
    with gzip.open(source.with_name("en_lemma_lookup.json.gz"), "rt", encoding="utf-8") as handle:
        everyday |= {w for w in json.load(handle) if w.isalpha() and w.islower() and w not in namey}
    return frozenset(namey), frozenset(common), frozenset(everyday)


@functools.lru_cache(maxsize=1)
def word_lists() -> Tuple[FrozenSet[str], FrozenSet[str], FrozenSet[str]]:
    """The three lists, from the cache in var/ (built on first use)."""
    try:
        with gzip.open(CACHE, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        return frozenset(data["namey"]), frozenset(data["common"]), frozenset(data["everyday"])
    except (OSError, ValueError, KeyError):
        lists = _build_lists()
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        temporary = CACHE.with_name(CACHE.name + ".tmp")
        with gzip.open(temporary, "wt", encoding="utf-8") as handle:
            json.dump(dict(zip(("namey", "common", "everyday"), map(sorted, lists))), handle)
        temporary.replace(CACHE)
        return lists


@functools.lru_cache(maxsize=1)
def own_words() -> FrozenSet[str]:
    """Words of the assistant's training data and content: never taken for names."""
    words = set(_ALWAYS)
    for folder, pattern in (("data/nlu", "*.yml"), ("content", "*.yml")):
        for path in sorted((ROOT / folder).glob(pattern)):
            words.update(re.findall(r"[a-z]+", path.read_text(encoding="utf-8").lower()))
    return frozenset(words)


def _key(word: str) -> str:
    return word.lower().replace("'", "").replace("\u2019", "")


def _scrub_part(text: str) -> str:
    namey, common, everyday = word_lists()
    own = own_words()
    out, last = [], 0
    for match in _WORD.finditer(text):
        word, key = match.group(), _key(match.group())
        name = False
        if key not in own:
            capital = word[0].isupper()
            if key in namey or (capital and key not in common):
                name = True
            elif key not in everyday and _CUE.search(text[: match.start()]):
                name = True  # "this is Grace", "my daughter grace", "my son kai" (not "my son is")
        out.append(text[last : match.start()])
        out.append(MARKER if name else word)
        last = match.end()
    out.append(text[last:])
    text = "".join(out)
    # A capitalised word just before a name is its first name ("Grace [name]" from "Grace Smith").
    text = re.sub(
        r"\b[A-Z][a-z'\u2019]+(?=\s+\[name\])", lambda m: m.group() if _key(m.group()) in own else MARKER, text
    )
    return re.sub(r"\[name\](?:\s+\[name\])+", MARKER, text)


@functools.lru_cache(maxsize=65536)  # the same answers and messages come again and again
def scrub(text: str) -> str:
    """``text`` with personal details (redaction) and likely names replaced by markers."""
    text = redact(text or "")
    pieces, last = [], 0
    for marker in _MARKERS.finditer(text):
        pieces.append(_scrub_part(text[last : marker.start()]))
        pieces.append(marker.group())
        last = marker.end()
    pieces.append(_scrub_part(text[last:]))
    return "".join(pieces)
