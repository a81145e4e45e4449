"""Every figure of the report, counted in the database.

Each function runs one GROUP BY over the snapshot's temporary tables
(insights/sql.py) or the ``callback_requests`` table and returns
counts keyed by small things: a quarter hour (:data:`BUCKET_SECONDS`), a
channel, a disagreement type, an intent, a slot value. Python never receives
the events themselves. Times are grouped by quarter hour in UTC so that UK time
(which moves by whole hours) and office hours can be applied to the counts
afterwards, exactly to the quarter hour.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from enquiries.store import callback_requests
from insights import sql
from insights.period import Period
from insights.sql import conversations, ev, raw

BUCKET_SECONDS = 900  # a quarter of an hour


@dataclass(frozen=True)
class CallbackTimes:
    """Requests marked done: how many, the median time to "done", and counts by how long it took."""

    done: int
    median_seconds: Optional[float]
    within: Dict[str, int]  # label -> requests


@dataclass
class Figures:
    """The raw counts (before small numbers are suppressed)."""

    period: Period
    messages: Counter = field(default_factory=Counter)  # (bucket, channel)
    conversations: Counter = field(default_factory=Counter)  # (bucket, channel)
    routes: Counter = field(default_factory=Counter)  # disagreement
    followups: Counter = field(default_factory=Counter)  # (disagreement, intent)
    outcomes: Counter = field(default_factory=Counter)  # (bucket, kind): not_understood, did_you_mean, ...
    feedback: Counter = field(default_factory=Counter)  # (disagreement, slot value)
    callbacks: Counter = field(default_factory=Counter)  # status of requests made in the period
    callback_times: Optional[CallbackTimes] = None


# How long a request took to be marked done (upper bound in hours, label).
DONE_WITHIN: Tuple[Tuple[float, str], ...] = (
    (24, "within 1 day"),
    (48, "1 to 2 days"),
    (120, "2 to 5 days"),
    (float("inf"), "more than 5 days"),
)
OUTCOMES = ("not_understood", "did_you_mean", "out_of_scope", "crisis")


def _bucket(column: Any, dialect: str) -> Any:
    return sql.floor_div(column, BUCKET_SECONDS, dialect).label("bucket")


def messages(connection: Connection, names: Mapping[str, Any]) -> Counter:
    """Messages from families (user events) per quarter hour and channel."""
    dialect = connection.dialect.name
    rows = connection.execute(
        sa.select(_bucket(raw.c.ts, dialect), raw.c.val, sa.func.count())
        .where(raw.c.type_name == names["user"])
        .group_by(sa.literal_column("bucket"), raw.c.val)
    )
    return Counter({(bucket, channel): count for bucket, channel, count in rows})


def conversations_started(connection: Connection) -> Counter:
    """Conversations (sessions) started per quarter hour and channel of their first message."""
    dialect = connection.dialect.name
    rows = connection.execute(
        sa.select(_bucket(conversations.c.ts, dialect), conversations.c.channel, sa.func.count()).group_by(
            sa.literal_column("bucket"), conversations.c.channel
        )
    )
    return Counter({(bucket, channel): count for bucket, channel, count in rows})


def routes_shown(connection: Connection, names: Mapping[str, Any]) -> Counter:
    """Routes replies by disagreement type: the ``disagreement`` slot set by the routes action.

    The slot event must follow the routes action directly (its latest action is a routes action).
    """
    rows = connection.execute(
        sa.select(ev.c.val, sa.func.count())
        .where(
            ev.c.type_name == names["slot"],
            ev.c.action_name == names["disagreement_slot"],
            ev.c.val.isnot(None),
            ev.c.act == ev.c.act_routes,
        )
        .group_by(ev.c.val)
    )
    return Counter(dict(rows.all()))


def _current_disagreement():
    """Join to the disagreement slot event in force (in the same conversation)."""
    shown = ev.alias("shown")
    return shown, ev.join(shown, sa.and_(shown.c.id == ev.c.dis, shown.c.id > ev.c.conv))


def followups(connection: Connection, names: Mapping[str, Any]) -> Counter:
    """Questions asked after a routes reply, by the disagreement shown and the question's intent."""
    shown, joined = _current_disagreement()
    rows = connection.execute(
        sa.select(shown.c.val, ev.c.intent_name, sa.func.count())
        .select_from(joined)
        .where(ev.c.type_name == names["user"], ev.c.intent_name.in_(names["questions"]), shown.c.val.isnot(None))
        .group_by(shown.c.val, ev.c.intent_name)
    )
    return Counter({(disagreement, intent): count for disagreement, intent, count in rows})


def outcomes(connection: Connection, names: Mapping[str, Any]) -> Counter:
    """Not understood, "Did you mean", out of scope and crisis replies per quarter hour."""
    dialect = connection.dialect.name
    kinds = {names[kind]: kind for kind in OUTCOMES}
    rows = connection.execute(
        sa.select(_bucket(raw.c.ts, dialect), raw.c.action_name, sa.func.count())
        .where(raw.c.type_name == names["action"], raw.c.action_name.in_(list(kinds)))
        .group_by(sa.literal_column("bucket"), raw.c.action_name)
    )
    return Counter({(bucket, kinds[action]): count for bucket, action, count in rows})


def feedback(connection: Connection, names: Mapping[str, Any]) -> Counter:
    """ "Did this help?" asked and answered (the ``feedback`` slot's values) by disagreement type.

    An answer belongs to the disagreement the question was asked about (it is asked once per
    conversation), even if the family described another one before answering.
    """
    asked, shown = ev.alias("asked"), ev.alias("shown")
    is_feedback = sa.and_(
        ev.c.type_name == names["slot"], ev.c.action_name == names["feedback_slot"], ev.c.val.isnot(None)
    )
    rows = connection.execute(
        sa.select(shown.c.val, ev.c.val, sa.func.count())
        .select_from(
            ev.join(
                asked,
                sa.and_(
                    asked.c.conv == ev.c.conv,
                    asked.c.type_name == names["slot"],
                    asked.c.action_name == names["feedback_slot"],
                    asked.c.val == names["feedback_asked"],
                ),
            ).join(shown, sa.and_(shown.c.id == asked.c.dis, shown.c.id > asked.c.conv))
        )
        .where(is_feedback)
        .group_by(shown.c.val, ev.c.val)
    )
    return Counter({(disagreement, value): count for disagreement, value, count in rows})


def _requests_in(period: Period):
    created = callback_requests.c.created_at
    return sa.and_(created >= period.start, created < period.end)


def callbacks(connection: Connection, period: Period) -> Counter:
    """Callback requests made in the period, by their status now (open, done, withdrawn)."""
    rows = connection.execute(
        sa.select(callback_requests.c.status, sa.func.count())
        .where(_requests_in(period))
        .group_by(callback_requests.c.status)
    )
    return Counter(dict(rows.all()))


def callback_times(connection: Connection, period: Period) -> CallbackTimes:
    """For requests made in the period and marked done: the median time to "done", and a histogram."""
    dialect = connection.dialect.name
    seconds = (
        sql.epoch(callback_requests.c.done_at, dialect) - sql.epoch(callback_requests.c.created_at, dialect)
    ).label("seconds")
    done = (
        sa.select(seconds)
        .where(_requests_in(period), callback_requests.c.status == "done", callback_requests.c.done_at.isnot(None))
        .subquery()
    )
    ranked = sa.select(
        done.c.seconds,
        sa.func.row_number().over(order_by=done.c.seconds).label("n"),
        sa.func.count().over().label("total"),
    ).subquery()
    # The middle row, or the mean of the two middle rows (integer division on both databases).
    median = connection.execute(
        sa.select(sa.func.avg(ranked.c.seconds), sa.func.max(ranked.c.total)).where(
            ranked.c.n.in_([(ranked.c.total + 1) / 2, (ranked.c.total + 2) / 2])
        )
    ).one()
    cases = [
        (done.c.seconds < hours * 3600, sa.literal(label)) for hours, label in DONE_WITHIN if hours != float("inf")
    ]
    band = sa.case(*cases, else_=sa.literal(DONE_WITHIN[-1][1])).label("band")
    rows = connection.execute(sa.select(band, sa.func.count()).group_by(sa.literal_column("band")))
    within = {label: 0 for _, label in DONE_WITHIN}
    within.update(dict(rows.all()))
    total = int(median[1] or 0)
    return CallbackTimes(total, float(median[0]) if total else None, within)


def collect(connection: Connection, period: Period, names: Mapping[str, Any]) -> Figures:
    """Every figure for the period (the snapshot must be built on this connection)."""
    figures = Figures(period)
    figures.messages = messages(connection, names)
    figures.conversations = conversations_started(connection)
    figures.routes = routes_shown(connection, names)
    figures.followups = followups(connection, names)
    figures.outcomes = outcomes(connection, names)
    figures.feedback = feedback(connection, names)
    if sa.inspect(connection).has_table(callback_requests.name):
        figures.callbacks = callbacks(connection, period)
        figures.callback_times = callback_times(connection, period)
    else:
        figures.callback_times = CallbackTimes(0, None, {label: 0 for _, label in DONE_WITHIN})
    connection.commit()
    return figures


__all__: List[str] = ["BUCKET_SECONDS", "CallbackTimes", "Figures", "collect"]
