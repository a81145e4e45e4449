"""The figures as captioned tables: UK time, office hours, plain labels, small numbers suppressed.

Every chart in the page is drawn from one of these tables, and the table is
printed under it as its text alternative; the CSV holds the same tables. The
counts arrive per quarter hour in UTC (insights/queries.py) and are
placed here in UK weeks, hours and days; office hours come from
``content/hours.yml`` through advice/office_hours.py, for the team that
handles callback requests (``service`` in content/callback.yml).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from insights import suppress
from insights.period import LONDON
from insights.queries import BUCKET_SECONDS, DONE_WITHIN, Figures
from insights.suppress import Value

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
STATUS_LABELS = (("open", "Still open"), ("done", "Done"), ("withdrawn", "Withdrawn by the family"))
TOP_QUESTIONS = 6  # columns of the follow-up table; the rest are added up in "Other questions"


@dataclass
class Table:
    """A captioned table of :class:`Value` cells; ``chart`` says how to draw it (or None)."""

    id: str
    title: str
    caption: str
    columns: List[str]  # the first names the row labels
    rows: List[Tuple[str, List[Value]]]
    chart: Optional[str] = None  # "bars" (grouped), "stacked", "hbars" (grouped, across) or "hstacked"
    note: str = ""


@dataclass
class Section:
    title: str
    summary: List[str] = field(default_factory=list)  # plain sentences, numbers already suppressed
    tables: List[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Labels:
    """Plain names for ids: channels, disagreement types, questions, feedback reasons, office hours."""

    channels: Mapping[str, str]
    disagreement: Callable[[str], str]
    question: Callable[[str], str]
    reasons: Mapping[str, str]
    is_office_hours: Callable[[dt.datetime], bool]
    office_hours_text: str


def _local(bucket: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(bucket * BUCKET_SECONDS, tz=LONDON)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week_label(start: dt.date, first: dt.date, last: dt.date) -> str:
    """'2 to 8 Nov', clipped to the period ('1 Nov' for a one-day week)."""
    begin, end = max(start, first), min(start + dt.timedelta(days=6), last)
    days = (end - begin).days + 1
    part = "" if days == 7 else f" ({days} day{'s' if days > 1 else ''})"
    if begin == end:
        return f"{begin.day} {begin:%b}{part}"
    if begin.month == end.month:
        return f"{begin.day} to {end.day} {end:%b}{part}"
    return f"{begin.day} {begin:%b} to {end.day} {end:%b}{part}"


def _channels(counts: Counter, labels: Labels) -> Dict[str, str]:
    """The known channels, then any other that has counts, with their names."""
    seen = {channel for _, channel in counts}
    known = dict(labels.channels)
    return {**known, **dict.fromkeys(sorted(seen - set(known)), "Other")}


def per_week(figures: Figures, counts: Counter, columns: Mapping[str, str], id: str, title: str, caption: str) -> Table:
    """Counts keyed (bucket, column key) as rows of UK weeks (Monday to Sunday)."""
    period = figures.period
    weeks: Dict[dt.date, Counter] = {}
    week = _week_start(period.first)
    while week <= period.last:
        weeks[week] = Counter()
        week += dt.timedelta(days=7)
    for (bucket, key), number in counts.items():
        weeks.setdefault(_week_start(_local(bucket).date()), Counter())[key] += number
    rows = [
        (_week_label(start, period.first, period.last), [suppress.count(weeks[start][k]) for k in columns])
        for start in sorted(weeks)
    ]
    return Table(id, title, caption, ["Week"] + list(columns.values()), rows, chart="bars")


def _totals(counts: Counter) -> Counter:
    totals: Counter = Counter()
    for (_, channel), number in counts.items():
        totals[channel] += number
    return totals


def usage(figures: Figures, labels: Labels) -> Section:
    conversations, messages = _totals(figures.conversations), _totals(figures.messages)
    section = Section("Conversations and messages")
    section.summary.append(
        f"Conversations started: {suppress.count(sum(conversations.values())).text}. "
        f"Messages from families: {suppress.count(sum(messages.values())).text}."
    )
    channels = _channels(figures.conversations + figures.messages, labels)
    section.tables.append(
        Table(
            "channels",
            "Conversations and messages by channel",
            "Conversations started and messages sent by families in the period, by channel.",
            ["Channel", "Conversations", "Messages"],
            [(name, [suppress.count(conversations[c]), suppress.count(messages[c])]) for c, name in channels.items()],
            chart="hbars",
        )
    )
    names = ", ".join(channels.values())
    section.tables.append(
        per_week(
            figures,
            figures.conversations,
            channels,
            "conversations_per_week",
            "Conversations per week",
            f"Conversations started in each week (Monday to Sunday, UK time), by channel: {names}.",
        )
    )
    section.tables.append(
        per_week(
            figures,
            figures.messages,
            channels,
            "messages_per_week",
            "Messages per week",
            f"Messages sent by families in each week (Monday to Sunday, UK time), by channel: {names}.",
        )
    )
    return section


def disagreements(figures: Figures, labels: Labels) -> Section:
    section = Section("Disagreements and follow-up questions")
    types = sorted(figures.routes, key=lambda t: (-figures.routes[t], t))
    section.summary.append(f"Routes replies shown: {suppress.count(sum(figures.routes.values())).text}.")
    section.tables.append(
        Table(
            "disagreements",
            "Disagreements by type",
            "How many times the assistant showed the routes for each kind of disagreement, most common first.",
            ["Disagreement", "Routes shown"],
            [(labels.disagreement(t), [suppress.count(figures.routes[t])]) for t in types],
            chart="hbars",
        )
    )
    by_question: Counter = Counter()
    for (_, intent), number in figures.followups.items():
        by_question[intent] += number
    questions = sorted(by_question, key=lambda q: (-by_question[q], q))
    section.tables.append(
        Table(
            "followups",
            "Follow-up questions after the routes",
            "Questions families asked after the routes reply, in the same conversation, most common first.",
            ["Question", "Times asked"],
            [(labels.question(q), [suppress.count(by_question[q])]) for q in questions],
            chart="hbars",
        )
    )
    top, rest = questions[:TOP_QUESTIONS], questions[TOP_QUESTIONS:]
    shown_types = sorted({t for t, _ in figures.followups} | set(types), key=lambda t: (-figures.routes.get(t, 0), t))
    rows = []
    for kind in shown_types:
        cells = [suppress.count(figures.followups[(kind, q)]) for q in top]
        if rest:
            cells.append(suppress.count(sum(figures.followups[(kind, q)] for q in rest)))
        rows.append((labels.disagreement(kind), cells))
    section.tables.append(
        Table(
            "followups_by_disagreement",
            "Follow-up questions by disagreement",
            "For each kind of disagreement, the follow-up questions asked after its routes reply.",
            ["Disagreement"] + [labels.question(q) for q in top] + (["Other questions"] if rest else []),
            rows,
        )
    )
    return section


def office_split(figures: Figures, labels: Labels) -> Tuple[List[List[int]], List[List[int]]]:
    """Conversations started by UK hour (24) and weekday (7, Monday first): [in office hours, outside]."""
    by_hour = [[0, 0] for _ in range(24)]
    by_day = [[0, 0] for _ in range(7)]
    for (bucket, _), number in figures.conversations.items():
        moment = _local(bucket)
        inside = 0 if labels.is_office_hours(moment) else 1
        by_hour[moment.hour][inside] += number
        by_day[moment.weekday()][inside] += number
    return by_hour, by_day


def timing(figures: Figures, labels: Labels) -> Section:
    by_hour, by_day = office_split(figures, labels)
    outside, total = sum(h[1] for h in by_hour), sum(sum(h) for h in by_hour)
    section = Section("When families write")
    section.summary.append(
        f"Conversations started outside office hours: {suppress.count(outside).text} of "
        f"{suppress.count(total).text} ({suppress.share(outside, total).text}). {labels.office_hours_text}"
    )
    columns = ["In office hours", "Outside office hours"]
    section.tables.append(
        Table(
            "hour_of_day",
            "Conversations by hour of the day",
            "Conversations started in each hour of the day (UK time), in and outside office hours.",
            ["Hour"] + columns,
            [(f"{hour:02d}:00", [suppress.count(n) for n in by_hour[hour]]) for hour in range(24)],
            chart="stacked",
        )
    )
    section.tables.append(
        Table(
            "day_of_week",
            "Conversations by day of the week",
            "Conversations started on each day of the week (UK time), in and outside office hours.",
            ["Day"] + columns,
            [(WEEKDAY_NAMES[day], [suppress.count(n) for n in by_day[day]]) for day in range(7)],
            chart="stacked",
        )
    )
    return section


def shortfalls(figures: Figures, labels: Labels) -> Section:
    kinds = (("not_understood", "Not understood"), ("did_you_mean", '"Did you mean"'), ("out_of_scope", "Out of scope"))
    totals: Counter = Counter()
    for (_, kind), number in figures.outcomes.items():
        totals[kind] += number
    messages = sum(figures.messages.values())
    section = Section("Where the assistant fell short")
    section.summary.append(
        'Of {} messages, the assistant did not understand {} ({}), asked "Did you mean" {} ({}), '
        "and answered {} ({}) as out of scope.".format(
            suppress.count(messages).text,
            suppress.count(totals["not_understood"]).text,
            suppress.share(totals["not_understood"], messages).text,
            suppress.count(totals["did_you_mean"]).text,
            suppress.share(totals["did_you_mean"], messages).text,
            suppress.count(totals["out_of_scope"]).text,
            suppress.share(totals["out_of_scope"], messages).text,
        )
    )
    section.tables.append(
        per_week(
            figures,
            figures.outcomes,
            dict(kinds),
            "shortfalls_per_week",
            'Not understood, "Did you mean" and out of scope, per week',
            "Each week (Monday to Sunday, UK time): messages the assistant did not understand, "
            'asked "Did you mean" about, or answered as out of scope.',
        )
    )
    section.tables.append(
        Table(
            "crisis",
            "Crisis replies",
            "How many times the crisis reply (999 and the support lines) was shown. A count only: "
            "the messages are never shown in this report.",
            ["Reply", "Times shown"],
            [("Crisis reply", [suppress.count(totals["crisis"])])],
        )
    )
    return section


def callbacks(figures: Figures, labels: Labels) -> Section:
    made = sum(figures.callbacks.values())
    times = figures.callback_times
    section = Section("Callback requests")
    section.summary.append(
        f"Requests made in the period: {suppress.count(made).text}. Median time from request to "
        f'"done": {suppress.duration(times.median_seconds, times.done).text}.'  # type: ignore[union-attr]
    )
    section.tables.append(
        Table(
            "callbacks",
            "Callback requests by status",
            "Callback requests made in the period, by their status when the report was made.",
            ["Status", "Requests"],
            [(label, [suppress.count(figures.callbacks.get(status, 0))]) for status, label in STATUS_LABELS],
            chart="hbars",
        )
    )
    section.tables.append(
        Table(
            "callback_times",
            "Time from request to done",
            "For requests marked done: how long after the request the team marked it done.",
            ["Time to done", "Requests"],
            [
                (label[:1].upper() + label[1:], [suppress.count(times.within.get(label, 0))])  # type: ignore[union-attr]
                for _, label in DONE_WITHIN
            ],
            chart="hbars",
        )
    )
    return section


def helpfulness(figures: Figures, labels: Labels, names: Mapping[str, Any]) -> Section:
    asked, yes, no = names["feedback_asked"], names["feedback_yes"], names["feedback_no"]
    prefix = names["feedback_reason_prefix"]
    types = sorted({t for t, _ in figures.feedback}, key=lambda t: (-figures.routes.get(t, 0), t))
    reasons = list(labels.reasons)
    rows = []
    for kind in types:
        cells = [figures.feedback[(kind, v)] for v in (asked, yes, no)]
        cells += [figures.feedback[(kind, prefix + r)] for r in reasons]
        rows.append((labels.disagreement(kind), [suppress.count(n) for n in cells]))
    total: Counter = Counter()
    for (_, value), number in figures.feedback.items():
        total[value] += number
    section = Section('"Did this help?"')
    section.summary.append(
        f"Asked {suppress.count(total[asked]).text} times after the routes reply. "
        f"Yes: {suppress.count(total[yes]).text}. No: {suppress.count(total[no]).text}. "
        f"Answered: {suppress.share(total[yes] + total[no], total[asked]).text} of the times it was asked."
    )
    section.tables.append(
        Table(
            "helpful",
            '"Did this help?" by disagreement',
            'For each kind of disagreement: how often "Did this help?" was asked and answered Yes or No, '
            "and what families said was missing after No.",
            ["Disagreement", "Asked", "Yes", "No"] + [f"Missing: {labels.reasons[r]}" for r in reasons],
            rows,
        )
    )
    section.tables.append(
        Table(
            "helpful_chart",
            "Yes and No by disagreement",
            'Answers to "Did this help?" for each kind of disagreement.',
            ["Disagreement", "Yes", "No"],
            [(label, cells[1:3]) for label, cells in rows],
            chart="hstacked",
        )
    )
    return section


def sections(figures: Figures, labels: Labels, names: Mapping[str, Any]) -> List[Section]:
    """Every section of the report, in order."""
    return [
        usage(figures, labels),
        disagreements(figures, labels),
        timing(figures, labels),
        shortfalls(figures, labels),
        callbacks(figures, labels),
        helpfulness(figures, labels, names),
    ]


def all_tables(parts: Sequence[Section]) -> List[Table]:
    return [table for section in parts for table in section.tables]
