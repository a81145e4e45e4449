"""What the end-to-end tests expect the assistant to say, rendered from content as the servers render it.

One place for the checks that must not be fooled: the crisis reply is
recognised by its whole text (the apology and the guard's refusals also
contain "999"), and the apology by its whole text too.
"""

from __future__ import annotations

from typing import Iterable, List

from advice.content import get_content
from advice.replies import crisis_reply

_content = get_content()
CRISIS = "\n".join(m.text for m in crisis_reply(_content))
APOLOGY = _content.render(_content.topics["unavailable"])
TOO_LONG = _content.render(_content.topics["too_long"], limit="2,000")
SLOW_DOWN = _content.render(_content.topics["slow_down"])


def texts(replies: Iterable[dict]) -> List[str]:
    return [r.get("text") or "" for r in replies]


def is_crisis_reply(replies: Iterable[dict]) -> bool:
    """True if one of the replies is the whole crisis reply (not merely a reply that names 999)."""
    return CRISIS in texts(replies)


def assert_crisis_first(replies: List[dict]) -> None:
    """The crisis reply, whole, as the very first reply of the turn."""
    shown = texts(replies)
    assert shown and shown[0] == CRISIS, f"the crisis reply is not first: {[t[:60] for t in shown]}"


def assert_no_apology(replies: Iterable[dict]) -> None:
    assert APOLOGY not in texts(replies), "the assistant apologised: handling the message failed"
