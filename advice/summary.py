"""A summary of the next steps that a family can keep ("send me a summary", "Keep a copy").

One plain-text message: what they disagree about, their dates if they gave
them to the deadline calculator, the route's steps in order and who can help.
It reuses the route's own rendered steps and contacts (advice/replies.py)
and the calculator's counting (advice/deadlines.py), so it adds no fact of
its own. It holds no personal details beyond the dates the family typed. On
the website widget it comes with "Download" and "Print"; WhatsApp sends it as
text, split as usual.
"""

from __future__ import annotations

import datetime as dt
from typing import List, Optional

from advice import deadlines
from advice.content import Content
from advice.replies import Message, buttons, contact_lines, contacts_for, route_steps


def _dates(content: Content, worked: deadlines.Deadlines) -> List[str]:
    """'Date on the decision letter: ...', the last days, and what to do: one line each."""
    wording = deadlines.get_wording()["summary"]

    def line(key: str, **values) -> str:
        text = str(wording[key]["text"])
        for name, value in values.items():
            text = text.replace("{" + name + "}", deadlines.long_date(value))
        return content.render(text)

    discrimination = worked.kind == deadlines.DISCRIMINATION
    lines = [line("discrimination" if discrimination else "letter", date=worked.start)]
    if worked.certificate is not None:
        lines.append(line("certificate", date=worked.certificate))
    for key, deadline in (("mediation", worked.mediation), ("claim" if discrimination else "appeal", worked.appeal)):
        if deadline is None:
            continue
        text = line(key, date=deadline.last_day)
        if deadline.moved:
            text += " " + line("moved", plain_date=deadline.plain)
        if deadline.passed:
            text += " " + line("passed")
        lines.append(text)
    lines.append(line("send_early"))
    return [f"- {entry}" for entry in lines[:-1]] + [lines[-1]]


def summary_text(
    content: Content, disagreement: str, today: dt.date, worked: Optional[deadlines.Deadlines] = None
) -> str:
    """The summary as plain text: headings, then lines (no formatting a text file cannot show)."""
    topic = content.topics["summary"]
    spec = content.disagreements[disagreement]
    parts = [
        content.render(topic["title"], label=spec["label"]),
        content.render(topic["made"], today=deadlines.long_date(today)),
        content.render(spec["summary"]),
    ]
    if spec.get("urgent"):
        parts.append(content.render(spec["urgent"]))
    if spec.get("before_steps"):
        parts.append(content.render(spec["before_steps"]))
    if worked is not None:
        parts.append("\n".join([content.render(topic["dates"]), *_dates(content, worked)]))
    parts.append("\n".join([content.render(topic["steps"]), *route_steps(content, disagreement)]))
    if spec.get("note"):
        parts.append(content.render(spec["note"]))
    contacts = contact_lines(content, contacts_for(content, disagreement))
    parts.append("\n".join([content.render(topic["contacts"]), *(f"- {c}" for c in contacts)]))
    return "\n\n".join(parts)


def summary_reply(
    content: Content, disagreement: Optional[str], today: dt.date, worked: Optional[deadlines.Deadlines] = None
) -> List[Message]:
    """The summary to keep; or, before any disagreement is known, a question with the main topics."""
    topic = content.topics["summary"]
    if disagreement not in content.disagreements:
        return [Message(content.render(topic["none"]), buttons(content, topic["buttons"]))]
    return [
        Message(content.render(topic["ready"])),
        Message(summary_text(content, disagreement, today, worked), keep_copy=True),  # type: ignore[arg-type]  # a known disagreement here
    ]


def examples(content: Content) -> List[tuple]:
    """(name, messages) for checks and docs/replies.md: every disagreement's summary, with and
    without dates, and the reply before any disagreement is known."""
    today = dt.date(2026, 12, 2)
    out: List[tuple] = [("summary:none", summary_reply(content, None, today))]
    for disagreement in content.disagreements:
        out.append((f"summary:{disagreement}", summary_reply(content, disagreement, today)))
    for kind, disagreement in (
        (deadlines.APPEAL, "refused_assessment"),
        (deadlines.PLACEMENT, "disagree_placement"),
        (deadlines.DISCRIMINATION, "disability_discrimination"),
    ):
        certificate = dt.date(2026, 11, 25) if kind == deadlines.APPEAL else None
        worked = deadlines.work_out(kind, dt.date(2026, 11, 18), today, certificate)
        out.append((f"summary:{disagreement}:dates", summary_reply(content, disagreement, today, worked)))
    # A certificate that makes the deadline end at Christmas: the holiday rule moves it.
    worked = deadlines.work_out(deadlines.APPEAL, dt.date(2026, 10, 1), today, dt.date(2026, 11, 29))
    out.append(("summary:refused_assessment:moved", summary_reply(content, "refused_assessment", today, worked)))
    return out
