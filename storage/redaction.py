"""Remove personal details from free text before it is kept anywhere.

Families are asked not to share names, dates of birth or case numbers, but
some will. What they type is kept in the conversation store (for the restart
and retention rules), so personal details are replaced with a label before it
is written. The details a family gives, with consent, in a callback request
are kept in their own table (enquiries/store.py), not in the conversation.

How, in order:

1. Normalise (:func:`normalise`): NFKC, so full-width digits and letters
   become ordinary ones, and every invisible format character (soft hyphen,
   zero-width space, variation selectors, tag characters...) is removed, so
   ``0７７００ 9００123`` or ``07700\u00ad900123`` cannot slip past the patterns.
2. Emails, including ``jo.bloggs@gmail`` and "jo bloggs at gmail dot com".
3. Council case references (``EHC/2024/00123``), National Insurance and NHS
   numbers (``943.476.5919``), and dates (``2015-03-03``, ``3 Mar 15``,
   ``3rd of March, 2015``, "born March 2015").
4. Phone numbers, found by Google's libphonenumber (the ``phonenumbers``
   package's ``PhoneNumberMatcher``, region GB, leniency POSSIBLE, since the
   numbers people make up or are given for tests, 07700 900xxx, are not
   "valid"), on a copy of the text prepared the ways real messages need:
   ``mob07700900123`` gets a space after ``mob``, and ``447700900123`` a ``+``.
5. Postcodes, also spaced letter by letter (``W S 1 1 T P``), by the list of
   UK postcode areas so that ordinary words are not taken for one.
6. Street addresses ("12 Park Road", "flat 3") and names in their common
   shapes ("my son Jack", "her name is Amelia", "Mrs Patel").
7. Whatever run of six or more digits is left.

Over-redaction is accepted: "the meeting on 12/03/2026" loses its date, which
is a fair price for never keeping a child's date of birth.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import phonenumbers
import yaml

ROOT = Path(__file__).resolve().parents[1]

# -- 1. normalising ---------------------------------------------------------

# Not in category Cf but just as invisible: the combining grapheme joiner,
# the Mongolian vowel separator (Cf only in newer Unicode) and variation selectors.
_INVISIBLE = {0x034F, 0x180E, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}


def normalise(text: str) -> str:
    """NFKC, without format (Cf) or other invisible characters."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf" and ord(c) not in _INVISIBLE)


# -- patterns ----------------------------------------------------------------

_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTH = rf"(?:{_MONTH_NAMES})\.?"
_ORDINAL_WORDS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    "|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    "|twenty[- ]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|thirty[- ]?first"
)
_DAY = rf"(?:[0-3]?\d(?:st|nd|rd|th)?|{_ORDINAL_WORDS})"
_YEAR = r"(?:(?:19|20)\d{2}|'?\d{2})"
_BIRTH = r"(?:born|birth|birthday|b\.?\s?day|dob|d\.o\.b\.?|date\s+of\s+birth)"

# Every UK postcode area (the letters before the first digit).
_POSTCODE_AREAS = (
    "AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN "
    "LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP "
    "SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()


def _spaced(letters: str) -> str:
    """'WS' -> 'W ?S' (each letter optionally followed by one space)."""
    return r"\s?".join(letters)


_AREA = "(?:" + "|".join(sorted((_spaced(a) for a in _POSTCODE_AREAS), key=len, reverse=True)) + ")"
_POSTCODE = re.compile(
    rf"(?<![A-Za-z0-9]){_AREA}\s?\d(?:\s?[A-Z\d])?(?:\s*|\s?[-.]\s?)\d\s?[ABD-HJLNP-UW-Z]\s?[ABD-HJLNP-UW-Z](?![A-Za-z0-9])",
    re.I,
)

_STREET_TYPES = (
    "road|rd|street|st|avenue|ave|close|lane|ln|drive|dr|way|crescent|cres|grove|place|pl|gardens|gdns"
    "|court|ct|terrace|walk|rise|hill|view|park|square|sq|mews|row|green|vale|parade|croft|meadow|meadows"
    "|fields|end|mount|gate|wharf|boulevard|approach|copse|chase|brow|bank|hollow|side"
)

# Words that follow "my son", "name is"... and are not a name.
_NOT_NAMES = set(
    """
a an the and or but so because as at in on of to for with without from by about into onto over under
is isnt isn't was wasnt wasn't has hasnt hasn't had have having does doesnt doesn't did didnt didn't do
will wont won't would can cant can't could should shall may might must need needs needed
who whom whose which that this these those what when where why how if than then there here
he she they him her them his hers their i me my we us our you your it its it's
also just only still now currently recently already really very so too always never often sometimes
age aged years year old months month turns turned turning goes went going attends attended attending
started starts starting got gets getting has had been being be am are were
autistic disabled deaf blind nonverbal non-verbal non verbal adhd asd asc pda send sen ehcp ehc
not no yes ok okay well please thanks thank sorry hi hello
mum dad mother father parent carer son daughter child children kid kids boy girl baby brother sister
school college nursery teacher senco council team officer
struggles struggling loves hates likes wants needs finds feels cannot keeps kept refuses refused
both all some any every each one two three four five six seven eight nine ten
first second third last next new same other another
""".split()
)

_KIN = (
    r"(?:(?:my|our|his|her|their)\s+(?:(?:eldest|oldest|youngest|little|older|younger|middle|twin|"
    r"step|foster|adopted)\s*)?(?:son|daughter|child|kid|boy|girl|lad|grandson|granddaughter|"
    r"grandchild|stepson|stepdaughter|nephew|niece|brother|sister|twins?|ward)"
    r"|(?:mum|mom|dad|mother|father|parent|carer|nan|gran|grandma|grandad)\s+(?:to|of))"
)
_NAME_TOKEN = r"[A-Za-z][A-Za-z']*(?:-[A-Za-z][A-Za-z']*)*"


def _is_name(word: str) -> bool:
    return word.lower().strip("'-") not in _NOT_NAMES and len(word) > 1


# -- the redactors, in order ---------------------------------------------------

Redactor = Callable[[str], str]


def _sub(label: str, pattern: re.Pattern[str]) -> Redactor:
    return lambda text: pattern.sub(label, text)


_EMAIL = re.compile(r"[\w.+'-]+\s?@\s?[\w-]+(?:\s?\.\s?[\w-]+)*(?:\s+dot\s+[a-z]{2,})*", re.I)
_LOCAL_STOP = r"(?!(?:on|is|me|to|email|e-mail|mail|at|address|my|its|it's|it|and|or|us|him|her|them)\b)"
_AT = r"(?:\s*@\s*|\s*[(\[]\s*at\s*[)\]]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[(\[]\s*dot\s*[)\]]\s*|\s+dot\s+)"
# "jo bloggs at gmail dot com", "kirsty dot lane at gmail dot com", "jo (at) gmail (dot) co (dot) uk"
_SPELLED_EMAIL = re.compile(
    rf"\b{_LOCAL_STOP}[\w.+'-]+(?:(?:\s+dot\s+|\s+){_LOCAL_STOP}[\w.+'-]+)?{_AT}"
    rf"[\w-]+(?:{_DOT}[a-z]{{2,}})+\b",
    re.I,
)


def _mixed_reference(match: re.Match[str]) -> str:
    """EH335/24/00456 or 2023/SEN/7781: groups joined by / or -, with a letter and 4 digits or more."""
    token = match.group(0)
    if token.upper().startswith("WS-") or sum(c.isdigit() for c in token) < 4 or not re.search(r"[A-Za-z]", token):
        return token
    return "[case reference]"


_CASE_REFERENCES = [
    (re.compile(r"\b[A-Za-z0-9]+(?:[/\\\-_][A-Za-z0-9]+){1,4}\b"), _mixed_reference),
    # EHC/2024/00123, SEN-00123, EHCP2024-123
    re.compile(r"\b(?!WS-)[A-Z]{2,6}[/\\\-_]?(?:\d{2,4}[/\\\-_])?\d{3,8}(?:[/\\\-_]\d{1,6})?\b", re.I),
    # "case number is 2024/123", "ref: AB12C345" (the words are kept)
    (
        re.compile(
            r"\b((?:case|ref|reference|file|claim)\s*(?:no\.?|number|num|#)?\s*(?:is\s*)?[:#-]?\s*)"
            r"(?!WS-)(?=[A-Z/\-]*\d)[A-Z0-9][A-Z0-9/\-]{3,}\d\b",
            re.I,
        ),
        r"\1[date]",
    ),
]
# National Insurance numbers: two letters, six digits (often in pairs), a letter A-D.
_NI_NUMBER = re.compile(r"\b[A-Z]\s?[A-Z][\s.-]?\d{2}[\s.-]?\d{2}[\s.-]?\d{2}(?:[\s.-]?[A-D])?\b", re.I)
_NHS_NUMBER = re.compile(r"(?<![\d+])\d{3}[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")

_DATES = [
    re.compile(r"(?<!\d)\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{2,4}(?!\d)"),  # 3/4/2015, 03-04-15
    re.compile(r"(?<!\d)(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"),  # 2015-03-03
    re.compile(r"(?<!\d)[0-3]?\d\s[01]?\d\s(?:19|20)\d{2}(?!\d)"),  # 03 03 2015
    # 3rd of March, 2015 / 3 Mar 15 / 3rd March
    re.compile(rf"\b{_DAY}(?:\s+of)?[\s,.\-/]+{_MONTH}(?:[\s,.\-/]+{_YEAR})?(?![\w])", re.I),
    # March 3rd, 2015 / March 3
    re.compile(rf"\b{_MONTH}[\s,.\-/]+{_DAY}(?:[\s,.\-/]+{_YEAR})?(?![\w:])", re.I),
    # born March 2015 / dob: 03/2015 / born in 2015 (the birth word is kept)
    (re.compile(rf"\b({_BIRTH}(?:\s*(?:is|was|in|on|:|-|=))*\s*)(?:{_MONTH}[\s,./\-]*)?{_YEAR}\b", re.I), r"\1[date]"),
    (re.compile(rf"\b({_BIRTH}(?:\s*(?:is|was|in|on|:|-|=))*\s*)\d{{1,2}}\s?/\s?\d{{2,4}}\b", re.I), r"\1[date]"),
    # March 2015 ... born
    re.compile(rf"\b{_MONTH}[\s,]+(?:19|20)\d{{2}}\b(?=[^.!?\n]{{0,40}}\b{_BIRTH})", re.I),
]

_STREET = re.compile(rf"\b\d{{1,4}}[a-z]?,?\s+((?:[A-Za-z][\w'\-]*\s+){{1,3}})(?:{_STREET_TYPES})\b\.?", re.I)


def _streets(text: str) -> str:
    """'12 Park Road' (not '2 kids at school road': the words between must look like a street name)."""

    def street(match: re.Match[str]) -> str:
        words = match.group(1).split()
        if words and words[0].lower() == "the":  # 32 The Crescent
            words = words[1:]
        return "[address]" if all(_is_name(word) for word in words) else match.group(0)

    return _STREET.sub(street, text)


_ADDRESSES = [
    re.compile(r"\b(?:flat|apartment|apt|unit|house)\s*(?:no\.?|number)?\s*\d{1,4}[a-z]?\b", re.I),
    re.compile(rf"\b(?:on|in|off|at)\s+(?:[A-Z][\w'\-]*\s+){{1,3}}(?:{_STREET_TYPES.title()})\b"),
]

# A surname: a capitalised word, whatever the case-insensitive flag says.
_SURNAME = r"(?-i:(\s+[A-Z][a-z']+(?:-[A-Z]?[a-z']+)*))?"
_TITLED = re.compile(rf"\b(?:mr|mrs|ms|miss|mx|dr)\.?\s+({_NAME_TOKEN}){_SURNAME}", re.I)
_AFTER_KIN = re.compile(
    rf"\b{_KIN}(?:'s)?(?:\s+(?:is|was|who\s+is))?\s*,?\s+(?:(?:named|called)\s+)?({_NAME_TOKEN})"
    rf"{_SURNAME}(?=(\s*[,.)!?;:-]|\s+\S+|$))",
    re.I,
)
_NAME_IS = re.compile(
    rf"\b(?:name\s+is|name's|names\s+is|named(?=\s+(?-i:[A-Z]))|(?:is|was|he's|she's|they're|i'm)\s+called)\s*:?\s+"
    rf"({_NAME_TOKEN}){_SURNAME}",
    re.I,
)
_CALLED = re.compile(r"\bcalled\s+([A-Z][a-z'\-]+)(\s+[A-Z][a-z'\-]+)?")
_CAP = r"(?-i:[A-Z][a-z']+(?:-[A-Z]?[a-z']+)*)"
# Shapes where a capitalised word is a name, whatever it is:
_CAPITALISED_NAMES = [
    # "I'm Tom, his dad", "this is Rachel Green."
    re.compile(rf"\b(?:i'm|im|i am|this is|it's|its)\s+({_CAP}(?:\s+{_CAP})?)(?=\s*(?:[,.(\-]|$|here\b))", re.I),
    # "Shanice here, mum of ...", "Zofia Nowak (mum)", at the start of a message
    re.compile(
        rf"^(?:(?:hi|hello|hiya|dear)[,!]?\s+)?({_CAP}(?:\s+{_CAP})?)(?=\s*(?:here\b|\((?:mum|dad|parent|carer|nan|gran)"
        rf"\)|[,\-]\s*(?:mum|dad|parent|carer|nan|gran)\b))",
        re.I | re.M,
    ),
    # "Tyler's dad", "Oliver's EHCP"
    re.compile(
        rf"\b({_CAP})'s\s+(?=(?:mum|mom|dad|mother|father|parent|carer|nan|gran|grandma|grandad|teacher|"
        rf"ehcp|ehc|plan|school|senco|class|needs|review|assessment|diagnosis|transport|support)\b)",
        re.I,
    ),
    # "the case officer is Gemma Wright", "child Ellie-Mae Turner", "name: Daniel Okafor"
    re.compile(
        rf"\b(?:case\s*officer|case\s*worker|caseworker|senco|teacher|head\s*teacher|headteacher|head|"
        rf"key\s*worker|social\s*worker|officer|psychologist|paediatrician|doctor|child|pupil|name)"
        rf"\s*(?:is|was|:|-)?\s+({_CAP}(?:\s+{_CAP})?)\b",
        re.I,
    ),
    # a message signed with a name on its own last line: "thanks\nKaren"
    re.compile(rf"\n\s*(?:(?:thanks|regards|cheers|from)[,!]?\s+)?({_CAP}(?:\s+{_CAP})?)\s*(?:x+)?\s*$", re.I),
]
_AND_NAME = re.compile(rf"\[name\](\s+and\s+)({_CAP})\b")
# After a lower-case word that follows "my son", these show the word was his name.
_NAME_FOLLOWERS = set(
    "is has was who needs 's aged age and , . ( - has got gets goes attends loves hates can cant can't "
    "he's she's they're who's he she they "
    "cannot won't wont does doesn't doesnt did didnt didn't will would had struggles".split()
)


def _names(text: str) -> str:
    def after_kin(match: re.Match[str]) -> str:
        name, surname, after = match.group(1), match.group(2), match.group(3) or ""
        if not _is_name(name):
            return match.group(0)
        capitalised = name[0].isupper()
        follower = after.strip().lower()
        if not capitalised and follower not in _NAME_FOLLOWERS and not re.match(r"^[,.)!?;:-]", follower):
            return match.group(0)  # "my son really ..." : not a name
        start = match.start(1) - match.start(0)
        end = (match.end(2) if surname else match.end(1)) - match.start(0)
        whole = match.group(0)
        return whole[:start] + "[name]" + whole[end:]

    def name_is(match: re.Match[str]) -> str:
        if not _is_name(match.group(1)):
            return match.group(0)
        whole = match.group(0)
        start = match.start(1) - match.start(0)
        return whole[:start] + "[name]"

    def titled(match: re.Match[str]) -> str:  # the title is kept: "Mrs [name]"
        if not _is_name(match.group(1)):
            return match.group(0)
        whole = match.group(0)
        return whole[: match.start(1) - match.start(0)] + "[name]"

    text = _TITLED.sub(titled, text)
    text = _AFTER_KIN.sub(after_kin, text)
    text = _NAME_IS.sub(name_is, text)
    text = _CALLED.sub(lambda m: "called [name]" if _is_name(m.group(1)) else m.group(0), text)

    def capitalised(match: re.Match[str]) -> str:
        if not all(_is_name(word) for word in match.group(1).split()):
            return match.group(0)
        whole = match.group(0)
        start, end = match.start(1) - match.start(0), match.end(1) - match.start(0)
        return whole[:start] + "[name]" + whole[end:]

    for pattern in _CAPITALISED_NAMES:
        text = pattern.sub(capitalised, text)
    # "my twins [name] and Freddie"
    text = _AND_NAME.sub(lambda m: f"[name]{m.group(1)}[name]" if _is_name(m.group(2)) else m.group(0), text)
    return text


# -- phone numbers -------------------------------------------------------------

_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=[+(]?\d)|(?<=\d)(?=[A-Za-z])")
_BARE_44 = re.compile(r"(?<![\d+])(?=44[\s.\-]?\d{4}[\s.\-]?\d{6}(?!\d))")


def _prepared(text: str) -> Tuple[str, List[int]]:
    """``text`` with spaces between letters and digits and a '+' before a bare 44...,
    and, for each character of the result, its index in ``text``."""
    inserts: Dict[int, str] = {}
    for match in _LETTER_DIGIT.finditer(text):
        inserts[match.start()] = inserts.get(match.start(), "") + " "
    for match in _BARE_44.finditer(text):
        inserts[match.start()] = inserts.get(match.start(), "") + "+"
    chars, origin = [], []
    for index, char in enumerate(text):
        for extra in inserts.get(index, ""):
            chars.append(extra)
            origin.append(index)
        chars.append(char)
        origin.append(index)
    return "".join(chars), origin


@functools.lru_cache(maxsize=1)
def public_details() -> Tuple[frozenset, frozenset]:
    """The digits of every phone number, and every email address, in content/services.yml.

    They belong to services, not families, so "I rang the tribunal on 01325
    289 350" keeps the number. Read once per process.
    """
    path = Path(os.environ.get("SEND_CONTENT_DIR", ROOT / "content")) / "services.yml"
    numbers, emails = set(), set()
    try:
        services = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("services") or {}
    except (OSError, yaml.YAMLError):
        services = {}
    for service in services.values():
        for key, detail in (service or {}).items():
            value = detail.get("value") if isinstance(detail, dict) else None
            if not isinstance(value, str):
                continue
            if key in ("phone", "text"):
                numbers.add(re.sub(r"\D", "", value))
            elif key == "email":
                emails.add(value.lower())
    return frozenset(numbers), frozenset(emails)


def _is_public(digits: str) -> bool:
    """Whether these digits are (part of) a service's number: '650000' of '01922 650000'."""
    return any(digits in number for number in public_details()[0])


def _emails(text: str) -> str:
    _, public = public_details()

    def label(match: re.Match[str]) -> str:
        found = match.group(0).lower()
        return match.group(0) if any(address in found for address in public) else "[email]"

    return _SPELLED_EMAIL.sub(label, _EMAIL.sub(label, text))


def _phones(text: str) -> str:
    prepared, origin = _prepared(text)
    public, _ = public_details()
    spans = []
    for match in phonenumbers.PhoneNumberMatcher(prepared, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        digits = re.sub(r"\D", "", match.raw_string)
        if len(digits) < 7 or digits in public:
            continue
        start, end = origin[match.start], origin[match.end - 1] + 1
        spans.append((start, end))
    for start, end in reversed(spans):
        text = text[:start] + "[phone]" + text[end:]
    return text


_LONG_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s.\-/]?\d){5,}(?![\w])")

REDACTORS: List[Tuple[str, Redactor]] = [
    ("email", _emails),
    ("case reference", lambda t: _apply_all(t, "[case reference]", _CASE_REFERENCES)),
    ("NI number", _sub("[NI number]", _NI_NUMBER)),
    ("date", lambda t: _apply_all(t, "[date]", _DATES)),
    ("NHS number", _sub("[NHS number]", _NHS_NUMBER)),
    ("phone", _phones),
    ("postcode", _sub("[postcode]", _POSTCODE)),
    ("address", lambda t: _apply_all(_streets(t), "[address]", _ADDRESSES)),
    ("name", _names),
    (
        "number",
        lambda t: _LONG_NUMBER.sub(
            lambda m: m.group(0) if _is_public(re.sub(r"\D", "", m.group(0))) else "[number]", t
        ),
    ),
]


def _apply_all(text: str, label: str, patterns) -> str:
    """Each pattern in turn; a (pattern, replacement) pair keeps the groups its replacement names."""
    for pattern in patterns:
        if isinstance(pattern, tuple):
            pattern, replacement = pattern
            if callable(replacement):
                text = pattern.sub(replacement, text)
            else:
                text = pattern.sub(replacement.replace("[date]", label), text)
        else:
            text = pattern.sub(label, text)
    return text


def redact(text: str) -> str:
    """``text``, normalised, with personal details replaced by labels such as ``[phone]``."""
    if not text:
        return text
    text = normalise(text)
    for _kind, redactor in REDACTORS:
        text = redactor(text)
    return text


def contains_personal_details(text: str) -> bool:
    return bool(text) and redact(text) != normalise(text)
