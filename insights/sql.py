"""SQL for the report: the dialect differences, and a snapshot of the period's events.

The report runs on SQLite (``make run``) and PostgreSQL (production) with the
same SQLAlchemy Core queries. Three things differ, each wrapped in one small
function here: reading a field of the JSON in ``events.data``
(:func:`json_field`), rounding down (:func:`floor_div`) and turning a stored
date and time into seconds (:func:`epoch`).

:class:`Snapshot` copies the period's events, without their text, into
temporary tables on one connection, in chunks of :data:`CHUNK_ROWS` rows, each
copy its own short transaction: on SQLite a long read would hold up the Rasa
server's writes (a family's reply) for as long as it lasts. Each copied row
keeps only what the report counts: ids, type, intent, action or slot name, time,
and one small value (the channel of a message, or the value of the
``disagreement`` and ``feedback`` slots, which are ids). Window functions then
tie every event to its conversation (the ``session_started`` event before it),
to the action that produced it, and to the disagreement shown before it.
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from insights.period import Period

CHUNK_ROWS = 100_000
LISTEN = "action_listen"  # Rasa's "wait for the family" action: sets nothing, counts nothing
STATEMENT_TIMEOUT = "10min"  # PostgreSQL: the service's usual 10 s is too short for a month

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


def json_field(column: Any, key: str, dialect: str) -> Any:
    """One top-level field of a JSON text column, as text (NULL when absent or null).

    SQLite: ``json_extract(data, '$.key')``; PostgreSQL: ``(data::json ->> 'key')``.
    """
    if dialect == "postgresql":
        return sa.cast(column, postgresql.JSON)[key].astext
    return sa.func.json_extract(column, f"$.{key}")


def floor_div(expr: Any, size: int, dialect: str) -> Any:
    """``floor(expr / size)`` as an integer, for positive values."""
    if dialect == "postgresql":
        return sa.cast(sa.func.floor(expr / size), sa.BigInteger)
    return sa.cast(expr / size, sa.Integer)  # SQLite's CAST truncates, which is floor here


def epoch(column: Any, dialect: str) -> Any:
    """Seconds since 1970 of a stored date and time (enquiries.store.UTCDateTime)."""
    if dialect == "postgresql":
        return sa.extract("epoch", column)
    return (sa.func.julianday(column) - 2440587.5) * 86400.0  # SQLite keeps UTC as text


_meta = sa.MetaData()
_COLUMNS = (
    ("sender_id", sa.String(255)),
    ("ts", sa.Float),
    ("type_name", sa.String(255)),
    ("intent_name", sa.String(255)),
    ("action_name", sa.String(255)),
    ("val", sa.String(255)),
)
raw = sa.Table(
    "report_raw",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    *(sa.Column(name, kind) for name, kind in _COLUMNS),
    prefixes=["TEMPORARY"],
)
ev = sa.Table(  # no primary key: rows arrive in conversation order; indexed on id afterwards
    "report_events",
    _meta,
    sa.Column("id", sa.Integer),
    *(sa.Column(name, kind) for name, kind in _COLUMNS),
    sa.Column("conv", sa.Integer),  # id of the conversation's session_started event
    sa.Column("act", sa.Integer),  # id of the latest action event at or before this one
    sa.Column("act_routes", sa.Integer),  # id of the latest routes action at or before this one
    sa.Column("dis", sa.Integer),  # id of the latest disagreement slot event at or before this one
    sa.Column("lu", sa.Integer),  # id of the latest user event (a family's message) at or before this one
    prefixes=["TEMPORARY"],
)
conversations = sa.Table(
    "report_conversations",
    _meta,
    sa.Column("conv", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ts", sa.Float),
    sa.Column("channel", sa.String(255)),
    prefixes=["TEMPORARY"],
)
# Created once the rows are in (faster than keeping it up to date row by row).
_INDEXES = ("CREATE INDEX report_events_id ON report_events (id)",)


def channel_value(names: Mapping[str, Any], dialect: str) -> Any:
    """A user event's channel: its input_channel, else from the sender id's prefix."""
    prefixed = [
        (events.c.sender_id.like(prefix + "%"), sa.literal(channel))
        for prefix, channel in names["sender_prefixes"].items()
    ]
    return sa.func.coalesce(
        json_field(events.c.data, "input_channel", dialect),
        sa.case(*prefixed, else_=sa.literal(names["other_channel"])),
    )


class Snapshot:
    """The period's events in temporary tables on ``connection``; :meth:`drop` removes them."""

    def __init__(self, connection: Connection, period: Period, names: Mapping[str, Any]) -> None:
        self.connection, self.period, self.names = connection, period, names
        self.dialect = connection.dialect.name

    def _commit(self) -> None:
        self.connection.commit()

    def build(self) -> Snapshot:
        if self.dialect == "postgresql":
            self.connection.execute(sa.text(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'"))
        elif self.dialect == "sqlite":
            self.connection.execute(sa.text("PRAGMA temp_store = MEMORY"))
        self.drop()
        for table in (raw, ev, conversations):
            table.create(self.connection)
        self._commit()
        self._copy()
        self._tie()
        for index in _INDEXES:
            self.connection.execute(sa.text(index))
        self._commit()
        self._conversations()
        return self

    def in_period(self, column: Any) -> Any:
        return sa.and_(column >= self.period.start_epoch, column < self.period.end_epoch)

    def _copy(self) -> None:
        """Copy the period's events, a chunk of ids at a time, keeping no text."""
        names, dialect = self.names, self.dialect
        if not sa.inspect(self.connection).has_table("events"):
            return  # no conversation stored yet: every count is 0
        low, high = self.connection.execute(
            sa.select(sa.func.min(events.c.id), sa.func.max(events.c.id)).where(self.in_period(events.c.timestamp))
        ).one()
        self._commit()
        if low is None:
            return
        wanted_slots = (names["disagreement_slot"], names["feedback_slot"])
        val = sa.case(
            (events.c.type_name == names["user"], channel_value(names, dialect)),
            (
                sa.and_(events.c.type_name == names["slot"], events.c.action_name.in_(wanted_slots)),
                json_field(events.c.data, "value", dialect),
            ),
            else_=sa.null(),
        )
        # Only the events the report counts or ties to: not bot messages, featurisation,
        # "listen" actions or the slots it does not read.
        wanted = sa.or_(
            events.c.type_name.in_([names["user"], names["session_started"]]),
            sa.and_(events.c.type_name == names["action"], events.c.action_name != LISTEN),
            sa.and_(events.c.type_name == names["slot"], events.c.action_name.in_(wanted_slots)),
        )
        columns = [
            events.c.id,
            events.c.sender_id,
            events.c.timestamp,
            events.c.type_name,
            events.c.intent_name,
            events.c.action_name,
            val,
        ]
        for first in range(low - 1, high, CHUNK_ROWS):
            chunk = sa.select(*columns).where(
                events.c.id > first,
                events.c.id <= first + CHUNK_ROWS,
                self.in_period(events.c.timestamp),
                wanted,
            )
            self.connection.execute(
                raw.insert().from_select(
                    ["id", "sender_id", "ts", "type_name", "intent_name", "action_name", "val"], chunk
                )
            )
            self._commit()

    def _tie(self) -> None:
        """Each event's conversation, latest action, disagreement shown and message (window functions)."""
        names = self.names
        window = {"partition_by": raw.c.sender_id, "order_by": raw.c.id}

        def latest(condition):
            return sa.func.max(sa.case((condition, raw.c.id), else_=sa.null())).over(**window)

        tied = sa.select(
            raw.c.id,
            raw.c.sender_id,
            raw.c.ts,
            raw.c.type_name,
            raw.c.intent_name,
            raw.c.action_name,
            raw.c.val,
            latest(raw.c.type_name == names["session_started"]).label("conv"),
            latest(raw.c.type_name == names["action"]).label("act"),
            latest(sa.and_(raw.c.type_name == names["action"], raw.c.action_name == names["routes"])).label(
                "act_routes"
            ),
            latest(sa.and_(raw.c.type_name == names["slot"], raw.c.action_name == names["disagreement_slot"])).label(
                "dis"
            ),
            latest(raw.c.type_name == names["user"]).label("lu"),
        ).subquery()
        # Actions are counted from report_raw; only those of the review list are kept here.
        kept = sa.select(tied).where(
            sa.or_(tied.c.type_name != names["action"], tied.c.action_name.in_(names["review_actions"]))
        )
        self.connection.execute(
            ev.insert().from_select(
                [
                    "id",
                    "sender_id",
                    "ts",
                    "type_name",
                    "intent_name",
                    "action_name",
                    "val",
                    "conv",
                    "act",
                    "act_routes",
                    "dis",
                    "lu",
                ],
                kept,
            )
        )
        self._commit()

    def _conversations(self) -> None:
        """One row per conversation that started in the period, with the channel of its first message."""
        names = self.names
        first_message = (
            sa.select(ev.c.conv, sa.func.min(ev.c.id).label("first"))
            .where(ev.c.type_name == names["user"], ev.c.conv.isnot(None))
            .group_by(ev.c.conv)
            .subquery()
        )
        message = ev.alias("message")
        started = ev.alias("started")
        rows = (
            sa.select(started.c.id, started.c.ts, sa.func.coalesce(message.c.val, sa.literal(names["other_channel"])))
            .select_from(
                started.outerjoin(first_message, first_message.c.conv == started.c.id).outerjoin(
                    message, message.c.id == first_message.c.first
                )
            )
            .where(started.c.type_name == names["session_started"])
        )
        self.connection.execute(conversations.insert().from_select(["conv", "ts", "channel"], rows))
        self._commit()

    def drop(self) -> None:
        """Remove the temporary tables (they would otherwise last as long as the connection)."""
        for table in (conversations, ev, raw):
            table.drop(self.connection, checkfirst=True)
        self._commit()
