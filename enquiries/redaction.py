"""Remove personal details from free text before it is kept anywhere.

Families are asked not to share names, dates of birth or case numbers, but
some will. What they type is kept in the conversation store (for the restart
and retention rules), so the patterns below are replaced with a label before
it is written. The details a family gives, with consent, in a callback request
are kept in their own table (enquiries/store.py), not in the conversation.

Over-redaction is accepted: "the meeting on 12/03/2026" loses its date, which
is a fair price for never keeping a child's date of birth.
"""
from __future__ import annotations

import re
from typing import List, Tuple

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"

PATTERNS: List[Tuple[str, "re.Pattern[str]"]] = [
    ("[email]", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.I)),
    # UK phone numbers: +44 / 0044 / 0, then 9 or 10 more digits, spaced or not.
    ("[phone]", re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0044\s?|0)(?:\d[\s-]?){8,9}\d(?!\d)")),
    # NHS numbers: 10 digits, often 3-3-4.
    ("[NHS number]", re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
    # Dates: 3/4/2015, 03-04-15, 3rd April 2015, April 3 2015.
    ("[date]", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")),
    ("[date]", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\s+\d{{4}}\b", re.I)),
    ("[date]", re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.I)),
]


def redact(text: str) -> str:
    """``text`` with emails, phone, NHS numbers, postcodes and dates replaced by labels."""
    if not text:
        return text
    for label, pattern in PATTERNS:
        text = pattern.sub(label, text)
    return text


def contains_personal_details(text: str) -> bool:
    return redact(text) != text
