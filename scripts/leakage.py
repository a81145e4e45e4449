"""Keep the held-out sets honest: no near-copies of training data, pinned contents.

A held-out figure means something only if the model never saw those messages
or near-copies of them. An outside audit found 23 of 261 held-out messages
that were near-copies of training examples (and one with another label), so
`make test` runs this gate and fails when:

* a held-out message and a training example are near-copies: the Jaccard
  similarity of their word sets (lower case, punctuation removed) is at least
  ``THRESHOLD``. The fix is always to drop or rewrite the TRAINING example,
  never the held-out one;
* one training message appears under two intents;
* a held-out file's number of messages or sha256 differs from
  ``tests/nlu/manifest.yml``: removing hard examples must not pass silently.
  Change a held-out file only by adding messages written by someone who has
  not seen the training data, and update the manifest in the same commit
  (``python scripts/leakage.py --write-manifest``), saying why.

Usage: python scripts/leakage.py [--write-manifest] [--training-side-only]
(``--training-side-only`` prints just the training example of each pair, for
someone who writes training data and must not read the held-out sets.)
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 0.8
MANIFEST = ROOT / "tests" / "nlu" / "manifest.yml"
# Held-out files: path -> how to read its messages.
HELD_OUT = {
    "tests/nlu/holdout.yml": "nlu",
    "tests/nlu/fresh_holdout.yml": "nlu",
    "tests/nlu/two_problems.yml": "messages",
    "tests/safety/crisis_holdout.yml": "lists",
}
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def words(text: str) -> FrozenSet[str]:
    """The set of lower-case words, punctuation and apostrophes removed."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return frozenset(re.findall(r"\w+", text))


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _examples(block: str) -> List[str]:
    out = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            out.append(_ENTITY.sub(lambda m: m.group(1) or m.group(2), line[2:]).strip())
    return out


def nlu_file(path: Path) -> List[Tuple[str, str]]:
    """(intent, text) pairs of a Rasa NLU YAML file (synonyms and regexes ignored)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for item in data.get("nlu") or []:
        if "intent" in item:
            pairs += [(item["intent"], text) for text in _examples(item.get("examples", ""))]
    return pairs


def held_out_messages(path: Path, kind: str) -> List[Tuple[str, str]]:
    """(label, text) pairs of a held-out file."""
    if kind == "nlu":
        return nlu_file(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if kind == "messages":
        return [(m.get("main", "?"), m["text"]) for m in data.get("messages") or []]
    return [
        (label, text)
        for label, texts in data.items()
        if isinstance(texts, list)
        for text in texts
        if isinstance(text, str)
    ]


def training_examples() -> List[Tuple[str, str, str]]:
    """(file, intent, text) for every training example in data/nlu."""
    out = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        out += [(path.name, intent, text) for intent, text in nlu_file(path)]
    return out


def near_copies(
    training: Iterable[Tuple[str, str, str]], held: Iterable[Tuple[str, str, str]]
) -> List[Tuple[float, tuple, tuple]]:
    """Pairs (similarity, training item, held-out item) at or above THRESHOLD.

    Candidates come from an index of words, so only pairs sharing a word are compared.
    """
    index: Dict[str, List[int]] = defaultdict(list)
    train = [(item, words(item[2])) for item in training]
    for number, (_, bag) in enumerate(train):
        for word in bag:
            index[word].append(number)
    found = []
    for item in held:
        bag = words(item[2])
        seen = set()
        for word in bag:
            for number in index.get(word, ()):
                if number in seen:
                    continue
                seen.add(number)
                score = jaccard(bag, train[number][1])
                if score >= THRESHOLD:
                    found.append((score, train[number][0], item))
    return found


def duplicates_across_intents(training: Iterable[Tuple[str, str, str]]) -> Dict[str, set]:
    by_text: Dict[str, set] = defaultdict(set)
    for _, intent, text in training:
        by_text[" ".join(sorted(words(text)))].add(intent)
    return {key: intents for key, intents in by_text.items() if len(intents) > 1}


def manifest_now() -> Dict[str, dict]:
    out = {}
    for name, kind in HELD_OUT.items():
        path = ROOT / name
        out[name] = {
            "messages": len(held_out_messages(path, kind)),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    return out


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-manifest", action="store_true")
    parser.add_argument("--training-side-only", action="store_true")
    args = parser.parse_args(argv)
    if args.write_manifest:
        MANIFEST.write_text(
            "# Held-out files as they must be: scripts/leakage.py fails on any change.\n"
            "# Update only by adding messages written blind, in the same commit, saying why.\n"
            + yaml.safe_dump(manifest_now(), sort_keys=True),
            encoding="utf-8",
        )
        print(f"Wrote {MANIFEST.relative_to(ROOT)}")
        return 0
    problems = 0
    pinned = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    for name, now in manifest_now().items():
        if pinned.get(name) != now:
            problems += 1
            print(
                f"{name}: {now['messages']} messages, sha256 {now['sha256'][:12]}; the manifest pins {pinned.get(name)}"
            )
    training = training_examples()
    held = [
        (name, label, text) for name, kind in HELD_OUT.items() for label, text in held_out_messages(ROOT / name, kind)
    ]
    copies = near_copies(training, held)
    for score, (file, intent, text), (name, label, held_text) in sorted(copies, reverse=True):
        problems += 1
        line = f"near-copy {score:.2f}: data/nlu/{file} [{intent}] {text!r}"
        if not args.training_side_only:
            line += f"\n    ~ {name} [{label}] {held_text!r}"
        print(line)
    for key, intents in duplicates_across_intents(training).items():
        problems += 1
        print(f"one training message under {sorted(intents)}: {key!r}")
    print(
        f"Leakage gate: {len(training)} training examples, {len(held)} held-out messages in "
        f"{len(HELD_OUT)} files; {len(copies)} near-copies (Jaccard >= {THRESHOLD}); "
        f"{problems} problem(s)."
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
