"""What the deadline calculator says in a conversation: its questions and its answer.

Pure functions from content and dates to messages, like advice/replies.py;
the rasa-sdk form (actions/deadline_actions.py) only adapts them. The counting
itself is advice/deadlines.py, and the wording content/deadlines.yml.

Which rules apply depends on the decision the letter is about
(:func:`kind_of`): an appeal that needs a mediation certificate, an appeal
only about the school or college named in the plan, or a disability
discrimination claim. A disagreement that can go neither to the tribunal nor
to a claim has no deadline to work out (replies.deadline_reply says what
applies instead).
"""

from __future__ import annotations

import datetime as dt
from typing import List, Optional

from advice import deadlines, replies
from advice.content import Content
from advice.replies import Button, Message, buttons

# Typed or pressed when the family does not know which decision it is.
NOT_SURE = "I'm not sure"
# Pressed when the family has no mediation certificate (read as "no").
NO_CERTIFICATE_PAYLOAD = "/deny"


def kind_of(content: Content, disagreement: Optional[str]) -> Optional[str]:
    """APPEAL, PLACEMENT or DISCRIMINATION for a disagreement, or None if it has no such deadline."""
    spec = content.disagreements.get(disagreement or "")
    if spec is None:
        return None
    if spec.get("deadline_kind") == deadlines.DISCRIMINATION:
        return deadlines.DISCRIMINATION
    appeal = spec.get("appeal")
    if not appeal:
        return None
    return deadlines.APPEAL if appeal.get("certificate_needed") else deadlines.PLACEMENT


def with_deadline(content: Content) -> List[str]:
    """The disagreements whose deadline the calculator can work out, in content order."""
    return [d for d in content.disagreements if kind_of(content, d)]


def _write(content: Content, section: str, key: str) -> str:
    return content.render(str(deadlines.get_wording()[section][key]["text"]))


def ask_kind_reply(content: Content) -> List[Message]:
    """Which decision is the letter about? One button per disagreement with a deadline, and "not sure"."""
    options = buttons(content, with_deadline(content)) + (Button(NOT_SURE, NOT_SURE),)
    return [Message(_write(content, "ask", "kind"), options)]


def ask_date_reply(
    content: Content,
    kind: Optional[str],
    problem: Optional[deadlines.DateReading] = None,
    first: bool = False,
    disagreement: Optional[str] = None,
) -> List[Message]:
    """The date on the letter (or, for a claim, the day it happened); a gentle question after a problem.

    The first time (``first``), the rules come before the question, so that a
    family who never gives a date ("it's been 7 weeks, am I too late?") still
    learns what to do now: replies.deadline_reply, for their disagreement.
    """
    asking = deadlines.DISCRIMINATION if kind == deadlines.DISCRIMINATION else deadlines.LETTER
    if problem is not None and not problem.ok:
        text = deadlines.question(problem, asking=asking, render=content.render)
    else:
        text = _write(content, "ask", "discrimination" if asking == deadlines.DISCRIMINATION else "letter")
    options = () if asking == deadlines.DISCRIMINATION else buttons(content, ["lost_letter"])
    messages = [Message(text, options)]
    if first and asking == deadlines.LETTER:
        spec = content.disagreements.get(disagreement or "")
        rules = replies.deadline_reply(content, disagreement if spec and spec.get("appeal") else None)
        messages = [Message(m.text) for m in rules] + messages
    return messages


def ask_certificate_reply(content: Content, problem: Optional[deadlines.DateReading] = None) -> List[Message]:
    """Has the family a mediation certificate, and its date."""
    if problem is not None and not problem.ok:
        text = deadlines.question(problem, asking=deadlines.CERTIFICATE, render=content.render)
    else:
        text = _write(content, "ask", "certificate")
    return [Message(text, (Button("No certificate yet", NO_CERTIFICATE_PAYLOAD),))]


def work_out(
    kind: str, letter: deadlines.DateReading, certificate: Optional[deadlines.DateReading], today: dt.date
) -> deadlines.Deadlines:
    """The deadlines from the readings the form kept."""
    # The form keeps only a letter date that reads (ok), so letter.date is set.
    letter_date: dt.date = letter.date  # type: ignore[assignment]
    return deadlines.work_out(
        kind, letter_date, today, certificate.date if certificate is not None and certificate.ok else None
    )


def dates_reply(
    content: Content,
    kind: str,
    letter: deadlines.DateReading,
    certificate: Optional[deadlines.DateReading],
    today: dt.date,
    not_sure: bool = False,
) -> List[Message]:
    """The worked-out dates, how they were counted and what to do; then a way to keep a copy."""
    worked = work_out(kind, letter, certificate, today)
    text = deadlines.explain(worked, content.render, letter=letter, certificate=certificate)
    if not_sure:
        text = _write(content, "ask", "not_sure") + "\n\n" + text
    return [Message(text, buttons(content, ["request_summary", "ask_sendias", "request_human"]))]


def examples(content: Content) -> List[tuple]:
    """(name, messages) for every kind of reply, with fixed dates: for docs/replies.md and checks."""
    today = dt.date(2026, 12, 2)
    letter = deadlines.read_date("18 November 2026", today)
    late = deadlines.read_date("1 September 2026", today)
    certificate = deadlines.read_date("25 November 2026", today)
    out = [
        ("deadline_ask:kind", ask_kind_reply(content)),
        ("deadline_ask:letter", ask_date_reply(content, deadlines.APPEAL)),
        (
            "deadline_ask:letter:first",
            ask_date_reply(content, deadlines.APPEAL, first=True, disagreement="refused_assessment"),
        ),
        ("deadline_ask:discrimination", ask_date_reply(content, deadlines.DISCRIMINATION)),
        ("deadline_ask:certificate", ask_certificate_reply(content)),
    ]
    for reason in deadlines.REASONS:
        problem = deadlines.DateReading(date=None, reason=reason)
        out.append((f"deadline_ask:letter:{reason}", ask_date_reply(content, deadlines.APPEAL, problem)))
    out += [
        ("deadline_dates:appeal", dates_reply(content, deadlines.APPEAL, letter, None, today)),
        ("deadline_dates:appeal:certificate", dates_reply(content, deadlines.APPEAL, letter, certificate, today)),
        ("deadline_dates:appeal:passed", dates_reply(content, deadlines.APPEAL, late, None, today)),
        ("deadline_dates:placement", dates_reply(content, deadlines.PLACEMENT, letter, None, today)),
        ("deadline_dates:not_sure", dates_reply(content, deadlines.APPEAL, letter, None, today, not_sure=True)),
        ("deadline_dates:discrimination", dates_reply(content, deadlines.DISCRIMINATION, letter, None, today)),
    ]
    return out
