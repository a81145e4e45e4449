"""Plain-English checks for everything the assistant says.

Families are stressed and often reading on a phone, so every reply must read
at or below school Year 8 level (Flesch-Kincaid grade 8) with no sentence over
25 words. Used by ``make content-check`` (to tell an editor at once) and by the
tests (to stop a change that makes the assistant harder to read).

Links, emails, phone numbers and form codes are left out of the measure: they
are not words a family has to read as prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

import textstat

MAX_GRADE = 8.0
MAX_SENTENCE_WORDS = 25

_NOT_PROSE = re.compile(
    r"https?://\S+|\b[\w.+-]+@[\w-]+\.[\w.]+\b|\b\d[\d ]{1,12}\d\b|\bSEND35a?\b|^\d+\.\s",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Readability:
    grade: float
    longest_sentence: int
    sentences: List[str]

    @property
    def ok(self) -> bool:
        return self.grade <= MAX_GRADE and self.longest_sentence <= MAX_SENTENCE_WORDS


def prose(text: str) -> str:
    """The text as a family reads it: one sentence per line end, no links or numbers."""
    text = _NOT_PROSE.sub(" ", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    ended = [line if line[-1] in ".!?:" else f"{line}." for line in lines]
    return " ".join(ended)


def sentences(text: str) -> List[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?:])\s+", prose(text)) if s.strip()]


def measure(text: str) -> Readability:
    parts = sentences(text)
    longest = max((len(s.split()) for s in parts), default=0)
    body = prose(text)
    grade = textstat.flesch_kincaid_grade(body) if body else 0.0
    return Readability(grade=grade, longest_sentence=longest, sentences=parts)
