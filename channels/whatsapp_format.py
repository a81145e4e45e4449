"""How the assistant's replies look on WhatsApp, and how a family picks an option.

WhatsApp through Twilio has no buttons for free-form replies, a limit on the
length of one message, and its own small markup. So, before a reply leaves:

* Markdown WhatsApp cannot show is converted: ``**bold**`` becomes ``*bold*``,
  ``*italic*`` becomes ``_italic_``, ``[text](url)`` becomes ``text (url)``,
  headings lose their ``#`` (and are shown in bold);
* buttons become a numbered list ("Reply with a number:") at the end of the
  reply; their payloads (``/ask_tribunal``) are never shown;
* a reply longer than :data:`MAX_BODY_CHARS` is split into several messages,
  at paragraph, line or sentence boundaries, never in the middle of a word
  unless a single word is longer than a message.

And when the family answers, :func:`choose` turns "2", "2." or the words of
an option ("how do I appeal") into that option's payload.

Everything here is a pure function, so it is tested without Rasa or Twilio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence

# Twilio refuses a WhatsApp message body over 1,600 characters. We stay well
# under it: Twilio counts some characters (emoji) as two.
TWILIO_MAX_BODY_CHARS = 1600
MAX_BODY_CHARS = 1500

MENU_HEADING = "Reply with a number:"


@dataclass(frozen=True)
class Option:
    """A button as WhatsApp shows it: a numbered title; the payload stays on the server."""

    title: str
    payload: str


# --- Markdown to WhatsApp -------------------------------------------------

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_BOLD_STARS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_BOLD_UNDERSCORES = re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)", re.DOTALL)
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL)
_STAR_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE)
_INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
# A private-use character stands for WhatsApp's bold marker while italics are converted.
_BOLD = "\ue000"


def _link(match: re.Match[str]) -> str:
    text, url = match.group(1).strip(), match.group(2)
    if not text or text == url:
        return url
    return f"{text} ({url})"


def to_whatsapp(text: str) -> str:
    """Markdown converted to what WhatsApp shows (``*bold*``, ``_italic_``, ``~strike~``)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace(_BOLD, "")
    text = _HTML_BREAK.sub("\n", text)
    text = _IMAGE_OR_LINK.sub(_link, text)
    text = _HEADING.sub(lambda m: f"{_BOLD}{m.group(1)}{_BOLD}" if m.group(1) else "", text)
    text = _STAR_BULLET.sub(r"\1- ", text)
    text = _BOLD_STARS.sub(rf"{_BOLD}\1{_BOLD}", text)
    text = _BOLD_UNDERSCORES.sub(rf"{_BOLD}\1{_BOLD}", text)
    text = _ITALIC_STAR.sub(r"_\1_", text)
    text = _STRIKE.sub(r"~\1~", text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = text.replace(_BOLD, "*")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


# --- Splitting long replies -----------------------------------------------

# From the most natural place to cut to the least: paragraphs, lines,
# sentences, then words. Each pattern matches the separator after a piece.
_BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+"),
    re.compile(r"\s+"),
)


def _pieces(text: str, boundary: re.Pattern[str]) -> List[str]:
    """The text cut after each separator, separators kept, so joining gives the text back."""
    pieces, start = [], 0
    for match in boundary.finditer(text):
        if match.end() > start and match.start() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _split(text: str, limit: int, level: int) -> List[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):  # one "word" longer than a message: cut it
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    chunks: List[str] = []
    current = ""
    for piece in _pieces(text, _BOUNDARIES[level]):
        if len((current + piece).rstrip()) <= limit:
            current += piece
            continue
        if current.strip():
            chunks.append(current)
        if len(piece.rstrip()) <= limit:
            current = piece
        else:
            smaller = _split(piece.rstrip(), limit, level + 1)
            chunks.extend(smaller[:-1])
            current = smaller[-1] + piece[len(piece.rstrip()) :]
    if current.strip():
        chunks.append(current)
    return chunks


def split_message(text: str, limit: int = MAX_BODY_CHARS) -> List[str]:
    """The text as messages of at most ``limit`` characters, cut at the most natural boundary."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = (text or "").strip()
    if not text:
        return []
    return [chunk.strip() for chunk in _split(text, limit, 0) if chunk.strip()]


# --- Buttons as a numbered list -------------------------------------------


def numbered_menu(titles: Sequence[str], start: int = 1) -> str:
    """'Reply with a number:' and one numbered line per option (titles only, never payloads)."""
    lines = [MENU_HEADING]
    lines += [f"{number}. {to_whatsapp(title)}" for number, title in enumerate(titles, start=start)]
    return "\n".join(lines)


def render(text: str, titles: Sequence[str] = (), start: int = 1, limit: int = MAX_BODY_CHARS) -> List[str]:
    """The message bodies for one reply: its text, split if long, then the menu.

    The menu goes at the end of the last part when it fits there, else in a
    message of its own, so the whole list is always in one message.
    """
    bodies = split_message(to_whatsapp(text), limit)
    if not titles:
        return bodies
    menu = numbered_menu(titles, start)
    if bodies and len(bodies[-1]) + 2 + len(menu) <= limit:
        bodies[-1] = f"{bodies[-1]}\n\n{menu}"
    else:
        bodies += split_message(menu, limit)
    return bodies


# --- Reading the family's choice -------------------------------------------

# "2", "2.", "2)", "#2", "option 2", "number 2", and the keycap emoji 2️⃣.
_NUMBER = re.compile(r"^(?:option|number|no\.?|#)?\s*(\d{1,3})\s*[.):]?$", re.IGNORECASE)
_KEYCAP = re.compile("[\ufe0f\u20e3]")
_WORD = re.compile(r"\w+")
# Words too common to pick an option on their own ("is" is in "What is mediation?").
_COMMON = frozenset(
    "a an and are about can do does for how i in is it me my of on or the this to what when "
    "where which who why with you your yes no ok please".split()
)


def _words(text: str) -> List[str]:
    return _WORD.findall(text.casefold())


def _contains(words: Sequence[str], part: Sequence[str]) -> bool:
    n = len(part)
    return any(list(words[i : i + n]) == list(part) for i in range(len(words) - n + 1))


def choose(reply: Optional[str], options: Sequence[Option]) -> Optional[Option]:
    """The option the family picked, or None if the reply is not a choice.

    A number picks by position. Words pick an option when they are its whole
    title, or a run of words found in exactly one title and not only common
    words ("appeal" picks "How do I appeal?"; "is" picks nothing). Anything
    else is an ordinary message for the assistant to understand.
    """
    if not reply or not options:
        return None
    reply = _KEYCAP.sub("", reply).strip()
    number = _NUMBER.match(reply)
    if number:
        position = int(number.group(1))
        return options[position - 1] if 1 <= position <= len(options) else None
    words = _words(reply)
    if not words:
        return None
    exact = [o for o in options if _words(o.title) == words]
    if exact:
        return exact[0]
    if all(w in _COMMON for w in words):
        return None
    partial = [o for o in options if _contains(_words(o.title), words)]
    return partial[0] if len(partial) == 1 else None
