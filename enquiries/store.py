"""The ``callback_requests`` table: store, list, finish, withdraw, purge.

Why it looks like this:

* A request is committed before :meth:`EnquiryStore.create` returns, so when the
  assistant tells a family "your reference is WS-7K3QX", the request exists.
* Any database failure becomes :class:`StoreUnavailable`, raised quickly (short
  connection timeouts in :mod:`storage.db`), so the caller can apologise and
  give the phone numbers instead of leaving the family waiting.
* Error messages and logs never carry the family's details: database errors are
  reported by their class name only (PostgreSQL's own messages can quote the
  whole row), and the engine hides statement parameters.
* Each request keeps a keyed hash of the conversation that made it
  (:mod:`enquiries.identity`), never the conversation id: only that
  conversation can withdraw it, and erasing one can find the other.
* Withdrawing a request deletes its contact details at once; ``purge`` deletes
  requests, and Rasa's stored events (the ``events`` table in the same
  database), older than the retention period, each by its own age.
* References are easy to read out on the phone and too many to guess:
  ``WS-`` and eight characters with no O/0 or I/1 to confuse, shown as
  ``WS-7K3Q-X9PM``.

The schema is created on first use and carries a version number
(``enquiries_schema``), with a place for migrations when a column changes.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from enquiries import identity
from storage import db

logger = logging.getLogger(__name__)

UTC = dt.timezone.utc
CONTACT_METHODS = ("phone", "email", "whatsapp")
STATUSES = ("open", "done", "withdrawn")
REFERENCE_PREFIX = "WS-"
# No O/0 or I/1: a reference is read out over the phone and typed by hand.
REFERENCE_ALPHABET = identity.ALPHABET
REFERENCE_LENGTH = 8  # 32**8: about a trillion references, shown as two groups of four
REFERENCE_PATTERN = re.compile(rf"^WS-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")
LEGACY_REFERENCE_LENGTH = 5  # references made before schema version 2 (WS-7K3QX)
MAX_LENGTHS = {"about": 200, "contact_detail": 320, "good_time": 200, "channel": 40}

SCHEMA_VERSION = 2


class StoreUnavailable(RuntimeError):
    """The database could not be reached or refused the operation."""


class Conflict(StoreUnavailable):
    """The database refused a row (a constraint failed): for example a reference taken."""


class SchemaMismatch(StoreUnavailable):
    """The database was created by a newer version of this code."""


class UTCDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike.

    SQLite has no time zones: values are stored as UTC wall-clock time and read
    back as UTC. PostgreSQL stores ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("datetimes stored must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()

callback_requests = sa.Table(
    "callback_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("about", sa.String(MAX_LENGTHS["about"]), nullable=False),
    sa.Column("contact_method", sa.String(16), nullable=False),
    # Personal details: nulled when the family withdraws the request.
    sa.Column("contact_detail", sa.String(MAX_LENGTHS["contact_detail"])),
    sa.Column("good_time", sa.String(MAX_LENGTHS["good_time"])),
    sa.Column("channel", sa.String(MAX_LENGTHS["channel"]), nullable=False),
    sa.Column("consent_text", sa.Text, nullable=False),
    sa.Column("consent_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("done_at", UTCDateTime),
    sa.Column("withdrawn_at", UTCDateTime),
    # A keyed hash of the conversation that made the request (enquiries/identity.py).
    sa.Column("conversation_key", sa.String(64), index=True),
    sa.CheckConstraint("contact_method IN ('phone', 'email', 'whatsapp')", name="ck_callback_contact_method"),
    sa.CheckConstraint("status IN ('open', 'done', 'withdrawn')", name="ck_callback_status"),
)

schema_version = sa.Table(
    "enquiries_schema",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1
    sa.Column("version", sa.Integer, nullable=False),
)

# The key for conversation keys and codes when SEND_ID_SECRET is not set.
id_secrets = sa.Table(
    "enquiries_secret",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1
    sa.Column("secret", sa.String(64), nullable=False),
)

# Rasa's SQL tracker store table: only the columns purge, erasure and access need.
events = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("data"),
)


def _add_conversation_key(connection: Connection) -> None:
    """Version 2: requests remember (a keyed hash of) the conversation that made them.

    Requests made before have none: only the team can withdraw or delete them.
    """
    connection.execute(sa.text("ALTER TABLE callback_requests ADD COLUMN conversation_key VARCHAR(64)"))
    connection.execute(
        sa.text("CREATE INDEX ix_callback_requests_conversation_key ON callback_requests (conversation_key)")
    )


# version -> function bringing a database from version-1 to version. Add one
# when a release changes the table (for example ALTER TABLE ... ADD COLUMN),
# and raise SCHEMA_VERSION to match.
MIGRATIONS: Dict[int, Callable[[Connection], None]] = {2: _add_conversation_key}


@dataclass(frozen=True)
class Enquiry:
    """One callback request, as stored."""

    reference: str
    created_at: dt.datetime
    about: str
    contact_method: str
    # Kept out of repr() so that logging an Enquiry cannot leak them.
    contact_detail: Optional[str] = field(repr=False)
    good_time: Optional[str] = field(repr=False)
    channel: str
    consent_text: str
    consent_at: dt.datetime
    status: str
    done_at: Optional[dt.datetime] = None
    withdrawn_at: Optional[dt.datetime] = None


@dataclass(frozen=True)
class PurgeResult:
    """What :meth:`EnquiryStore.purge` deleted (counts only: no personal data).

    ``conversations`` counts the conversations that lost events; ``emptied``
    those of them with nothing left.
    """

    cutoff: dt.datetime
    requests: int
    conversations: int
    events: int
    emptied: int = 0


@dataclass(frozen=True)
class Erasure:
    """What an erasure deleted: events of how many conversations, and which requests."""

    conversations: int
    events: int
    references: Tuple[str, ...]


@dataclass(frozen=True)
class StoredConversation:
    """A stored conversation found by its code: for the team's find and access requests."""

    conversation_id: Optional[str]  # None: only its callback requests are left
    code: str
    events: int
    first: Optional[dt.datetime]
    last: Optional[dt.datetime]
    references: Tuple[str, ...]


EXPORT_COLUMNS = (
    "reference",
    "created_at",
    "status",
    "about",
    "contact_method",
    "contact_detail",
    "good_time",
    "channel",
    "consent_at",
    "consent_text",
    "done_at",
    "withdrawn_at",
)


def new_reference() -> str:
    """A random reference such as ``WS-7K3Q-X9PM``."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{REFERENCE_PREFIX}{body[:4]}-{body[4:]}"


def normalise_reference(text: str) -> str:
    """What the team or family typed ('ws 7k3q x9pm', 'WS7K3QX9PM') as stored ('WS-7K3Q-X9PM')."""
    compact = re.sub(r"[\s-]", "", text or "").upper()
    if compact.startswith("WS"):
        compact = compact[2:]
    if len(compact) == REFERENCE_LENGTH:
        return f"{REFERENCE_PREFIX}{compact[:4]}-{compact[4:]}"
    return REFERENCE_PREFIX + compact


def _utc_now() -> dt.datetime:
    return dt.datetime.now(tz=UTC)


class EnquiryStore:
    """Callback requests in the database at ``url`` (default :func:`db.database_url`).

    Safe to share between threads. Nothing connects until the first operation,
    so an action server starts even while the database is down; each operation
    then raises :class:`StoreUnavailable` until it is back.
    ``clock`` (returning an aware datetime) replaces the current time in tests.
    """

    def __init__(self, url: Optional[str] = None, clock: Optional[Callable[[], dt.datetime]] = None) -> None:
        self.url = url or db.database_url()
        self.engine = db.create_engine(self.url)
        self.clock = clock or _utc_now
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._secret: Optional[str] = None

    # -- plumbing -----------------------------------------------------------

    def _now(self) -> dt.datetime:
        now = self.clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the clock must return a timezone-aware datetime")
        return now.astimezone(UTC)

    def _unavailable(self, error: Exception, operation: str, kind: Optional[type] = None) -> StoreUnavailable:
        code = getattr(getattr(error, "orig", None), "pgcode", None)
        detail = type(error).__name__ + (f", code {code}" if code else "")
        logger.warning("callback store: %s failed on %s (%s)", operation, db.safe_url(self.url), detail)
        return (kind or StoreUnavailable)(f"the database is unavailable ({detail})")

    @contextlib.contextmanager
    def _transaction(self, operation: str) -> Iterator[Connection]:
        """engine.begin(), with the schema in place and errors as StoreUnavailable."""
        self.ensure_schema()
        try:
            with self.engine.begin() as connection:
                yield connection
        except IntegrityError as error:
            raise self._unavailable(error, operation, Conflict) from None
        except SQLAlchemyError as error:
            raise self._unavailable(error, operation) from None

    def ensure_schema(self) -> None:
        """Create the tables, or bring an older schema up to date. Idempotent."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            for attempt in (1, 2):
                try:
                    self._migrate()
                    break
                except SchemaMismatch:
                    raise
                except IntegrityError as error:
                    # Another process created the schema at the same moment: read it again.
                    if attempt == 2:
                        raise self._unavailable(error, "schema check") from None
                except SQLAlchemyError as error:
                    raise self._unavailable(error, "schema check") from None
            self._schema_ready = True

    def _migrate(self) -> None:
        with self.engine.begin() as connection:
            # One process at a time creates or migrates; the others wait here.
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7301)"))
            elif connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # the database's write lock
            metadata.create_all(connection)
            version = connection.execute(sa.select(schema_version.c.version).where(schema_version.c.id == 1)).scalar()
            if version is None:
                connection.execute(schema_version.insert().values(id=1, version=SCHEMA_VERSION))
                return
            if version > SCHEMA_VERSION:
                raise SchemaMismatch(
                    f"the database has schema version {version}, but this code knows "
                    f"only up to {SCHEMA_VERSION}: update the code"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                logger.info("callback store: migrating schema to version %d", target)
                MIGRATIONS[target](connection)
                connection.execute(schema_version.update().where(schema_version.c.id == 1).values(version=target))

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self._transaction("schema version") as connection:
            return connection.execute(sa.select(schema_version.c.version)).scalar_one()

    def dispose(self) -> None:
        """Close pooled connections (tests, and before a process forks)."""
        self.engine.dispose()

    # -- the family's side --------------------------------------------------

    def create(
        self,
        about: str,
        contact_method: str,
        contact_detail: str,
        good_time: Optional[str],
        channel: str,
        consent_text: str,
        consent_at: dt.datetime,
        conversation: Optional[str] = None,
    ) -> Enquiry:
        """Store a new open request and return it with its reference.

        ``conversation`` is the id of the conversation that made it: only a
        keyed hash of it is stored, so that only that conversation can
        withdraw it and erasure can link the two.
        Committed before returning. Raises ``ValueError`` for bad arguments (a bug
        in the caller) and :class:`StoreUnavailable` for any database error.
        """
        _check_fields(about, contact_method, contact_detail, good_time, channel, consent_text)
        if consent_at.tzinfo is None or consent_at.utcoffset() is None:
            raise ValueError("consent_at must be timezone-aware")
        key = self.conversation_key(conversation) if conversation else None
        created_at = self._now()
        for _attempt in range(5):
            enquiry = Enquiry(
                reference=new_reference(),
                created_at=created_at,
                about=about.strip(),
                contact_method=contact_method,
                contact_detail=contact_detail.strip(),
                good_time=good_time.strip() if good_time and good_time.strip() else None,
                channel=channel,
                consent_text=consent_text,
                consent_at=consent_at.astimezone(UTC),
                status="open",
            )
            try:
                with self._transaction("create") as connection:
                    connection.execute(callback_requests.insert().values(**_row(enquiry), conversation_key=key))
            except Conflict:
                if self._exists(enquiry.reference):
                    continue  # the random reference was taken: draw another
                raise
            logger.info("callback request %s stored (%s)", enquiry.reference, channel)
            return enquiry
        raise StoreUnavailable("could not find a free reference")

    def _exists(self, reference: str) -> bool:
        try:
            return self.get(reference) is not None
        except StoreUnavailable:
            return False

    def withdraw(self, reference: str, conversation: str) -> bool:
        """Withdraw a request made by this conversation, deleting its contact details.

        False if there is no request with that reference made by this
        conversation (unknown, or someone else's: the caller must not tell the
        two apart). Idempotent: withdrawing twice keeps the first time.
        """
        reference = normalise_reference(reference)
        key = self.conversation_key(conversation)
        mine = sa.and_(
            callback_requests.c.reference == reference,
            callback_requests.c.conversation_key == key,
        )
        with self._transaction("withdraw") as connection:
            connection.execute(
                callback_requests.update()
                .where(mine)
                .where(callback_requests.c.status != "withdrawn")
                .values(
                    status="withdrawn",
                    withdrawn_at=self._now(),
                    contact_detail=None,
                    good_time=None,
                )
            )
            found = connection.execute(sa.select(callback_requests.c.id).where(mine)).first()
        return found is not None

    # -- conversation keys and codes ----------------------------------------

    def id_secret(self) -> str:
        """``SEND_ID_SECRET``, else a random key made once and kept in the database."""
        configured = os.environ.get(identity.SECRET_VARIABLE, "").strip()
        if configured:
            return configured
        if self._secret is None:
            self._secret = self._stored_secret()
        return self._secret

    def _stored_secret(self) -> str:
        for _attempt in (1, 2):
            try:
                with self._transaction("secret") as connection:
                    stored = connection.execute(sa.select(id_secrets.c.secret).where(id_secrets.c.id == 1)).scalar()
                    if stored:
                        return stored
                    made = secrets.token_hex(32)
                    connection.execute(id_secrets.insert().values(id=1, secret=made))
                    return made
            except Conflict:
                continue  # another process made it at the same moment: read theirs
        raise StoreUnavailable("could not read the conversation key secret")

    def conversation_key(self, conversation: str) -> str:
        """The keyed hash stored with a request in place of its conversation id."""
        return identity.conversation_key(self.id_secret(), conversation)

    def conversation_code(self, conversation: str) -> str:
        """The short code a family can be told, such as ``K7Q2XY``."""
        return identity.conversation_code(self.conversation_key(conversation))

    # -- the team's side ----------------------------------------------------

    def get(self, reference: str) -> Optional[Enquiry]:
        """One request by reference (any status), or None."""
        reference = normalise_reference(reference)
        with self._transaction("get") as connection:
            row = (
                connection.execute(sa.select(callback_requests).where(callback_requests.c.reference == reference))
                .mappings()
                .first()
            )
        return _enquiry(row) if row else None

    def list(self, status: Optional[str] = "open") -> List[Enquiry]:
        """Requests with that status (None: all), oldest first."""
        query = sa.select(callback_requests).order_by(callback_requests.c.created_at, callback_requests.c.id)
        if status is not None:
            if status not in STATUSES:
                raise ValueError(f"status must be one of {STATUSES} or None")
            query = query.where(callback_requests.c.status == status)
        with self._transaction("list") as connection:
            rows = connection.execute(query).mappings().all()
        return [_enquiry(row) for row in rows]

    def list_open(self) -> List[Enquiry]:
        """Open requests, oldest first: the team's to-do list."""
        return self.list("open")

    def mark_done(self, reference: str) -> bool:
        """Mark an open request done. False if unknown, or not open (done or withdrawn)."""
        reference = normalise_reference(reference)
        with self._transaction("mark done") as connection:
            result = connection.execute(
                callback_requests.update()
                .where(callback_requests.c.reference == reference)
                .where(callback_requests.c.status == "open")
                .values(status="done", done_at=self._now())
            )
        return result.rowcount > 0

    def delete(self, reference: str) -> bool:
        """Delete a request entirely (for an erasure request). False if unknown."""
        reference = normalise_reference(reference)
        with self._transaction("delete") as connection:
            result = connection.execute(callback_requests.delete().where(callback_requests.c.reference == reference))
        return result.rowcount > 0

    def export_csv(self, stream: IO[str], status: Optional[str] = "open") -> int:
        """Write requests with that status ("all" or None: every one) as CSV.

        Times are UTC in ISO 8601. Returns the number of rows written.
        """
        chosen = None if status in (None, "all") else status
        rows = self.list(chosen)
        writer = csv.writer(stream)
        writer.writerow(EXPORT_COLUMNS)
        for enquiry in rows:
            writer.writerow([_csv_cell(getattr(enquiry, column)) for column in EXPORT_COLUMNS])
        return len(rows)

    # -- retention and erasure ----------------------------------------------

    def purge(self, older_than_days: int, now: dt.datetime) -> PurgeResult:
        """Delete requests created, and conversation events written, before the cutoff.

        The cutoff is ``now - older_than_days``. Each event of Rasa's
        ``events`` table goes by its own age: a family writing every few weeks
        keeps only the messages of the retention period, not its whole
        history. Safe to repeat.
        """
        if isinstance(older_than_days, bool) or not isinstance(older_than_days, int):
            raise ValueError("older_than_days must be a whole number of days")
        if older_than_days < 1:
            raise ValueError("older_than_days must be at least 1")
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        cutoff = now.astimezone(UTC) - dt.timedelta(days=older_than_days)
        with self._transaction("purge") as connection:
            if connection.dialect.name == "postgresql":
                # A large purge from cron may take longer than the usual limit.
                connection.execute(sa.text("SET LOCAL statement_timeout = '15min'"))
            requests = connection.execute(
                callback_requests.delete().where(callback_requests.c.created_at < cutoff)
            ).rowcount
            conversations = deleted_events = emptied = 0
            if sa.inspect(connection).has_table("events"):
                old = events.c.timestamp < cutoff.timestamp()
                touched = set(connection.execute(sa.select(events.c.sender_id).where(old).distinct()).scalars())
                deleted_events = connection.execute(events.delete().where(old)).rowcount
                conversations = len(touched)
                if touched:
                    left = set(
                        connection.execute(
                            sa.select(events.c.sender_id).where(events.c.sender_id.in_(sorted(touched))).distinct()
                        ).scalars()
                    )
                    emptied = len(touched - left)
        logger.info(
            "purge before %s: %d requests, %d events from %d conversations",
            cutoff.isoformat(),
            requests,
            deleted_events,
            conversations,
        )
        return PurgeResult(cutoff, requests, conversations, deleted_events, emptied)

    # -- erasure and access requests ---------------------------------------

    def erase_conversation(self, sender_id: str, with_requests: bool = True) -> Erasure:
        """Delete one conversation's stored events and (by default) the requests it made."""
        key = self.conversation_key(sender_id) if with_requests else None
        with self._transaction("erase conversation") as connection:
            deleted = 0
            if sa.inspect(connection).has_table("events"):
                deleted = connection.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount
            references: Tuple[str, ...] = ()
            if key is not None:
                references = self._delete_requests(connection, callback_requests.c.conversation_key == key)
        return Erasure(1 if deleted else 0, deleted, references)

    def erase_reference(self, reference: str) -> Optional[Erasure]:
        """Delete a request and the conversation that made it. None if the reference is unknown.

        Other requests made by the same conversation are deleted too: they are
        the same family's.
        """
        reference = normalise_reference(reference)
        with self._transaction("find request") as connection:
            row = connection.execute(
                sa.select(callback_requests.c.conversation_key).where(callback_requests.c.reference == reference)
            ).first()
        if row is None:
            return None
        key = row[0]
        if key is None:  # made before conversation keys existed: the request alone
            deleted = self.delete(reference)
            return Erasure(0, 0, (reference,) if deleted else ())
        senders = [s for s in self._conversation_ids() if self.conversation_key(s) == key]
        erased_events = 0
        with self._transaction("erase by reference") as connection:
            if senders and sa.inspect(connection).has_table("events"):
                erased_events = connection.execute(events.delete().where(events.c.sender_id.in_(senders))).rowcount
            references = self._delete_requests(connection, callback_requests.c.conversation_key == key)
        return Erasure(len(senders) if erased_events else 0, erased_events, references)

    def requests_with_contact(self, contact_detail: str) -> List[str]:
        """References of requests whose contact detail is exactly this (a number, as stored)."""
        with self._transaction("find by contact") as connection:
            return list(
                connection.execute(
                    sa.select(callback_requests.c.reference)
                    .where(callback_requests.c.contact_detail == contact_detail)
                    .order_by(callback_requests.c.created_at)
                ).scalars()
            )

    def find_code(self, code: str) -> List[StoredConversation]:
        """Every stored conversation (and lone request) whose conversation code is ``code``.

        A code is a keyed hash, so the only way back is to compute the code of
        each stored conversation: fine for the thousands a retention period holds.
        """
        wanted = identity.normalise_code(code)
        if wanted is None:
            raise ValueError("a conversation code is 6 letters and digits, such as K7Q2XY")
        found: Dict[str, StoredConversation] = {}
        with self._transaction("find code") as connection:
            has_events = sa.inspect(connection).has_table("events")
            request_rows = connection.execute(
                sa.select(callback_requests.c.conversation_key, callback_requests.c.reference)
                .where(callback_requests.c.conversation_key.isnot(None))
                .order_by(callback_requests.c.created_at)
            ).all()
            by_key: Dict[str, List[str]] = {}
            for key, reference in request_rows:
                if identity.conversation_code(key) == wanted:
                    by_key.setdefault(key, []).append(reference)
            if has_events:
                rows = connection.execute(
                    sa.select(
                        events.c.sender_id,
                        sa.func.count(),
                        sa.func.min(events.c.timestamp),
                        sa.func.max(events.c.timestamp),
                    ).group_by(events.c.sender_id)
                ).all()
                for sender, count, first, last in rows:
                    key = self.conversation_key(sender)
                    if identity.conversation_code(key) != wanted:
                        continue
                    found[key] = StoredConversation(
                        sender,
                        wanted,
                        count,
                        _from_timestamp(first),
                        _from_timestamp(last),
                        tuple(by_key.get(key, ())),
                    )
        for key, references in by_key.items():
            if key not in found:
                found[key] = StoredConversation(None, wanted, 0, None, None, tuple(references))
        return sorted(found.values(), key=lambda c: c.first or dt.datetime.max.replace(tzinfo=UTC))

    def erase_code(self, code: str) -> Erasure:
        """Erase the conversation with this code and its requests (exactly one must match)."""
        matches = self.find_code(code)
        if len(matches) != 1:
            raise LookupError(f"{len(matches)} conversations have that code")
        match = matches[0]
        if match.conversation_id is not None:
            return self.erase_conversation(match.conversation_id)
        with self._transaction("erase code") as connection:
            references = self._delete_requests(connection, callback_requests.c.reference.in_(match.references))
        return Erasure(0, 0, references)

    def conversation_messages(self, sender_id: str) -> List[Tuple[dt.datetime, str, str]]:
        """(time, who, text) of a stored conversation's messages, as stored (redacted): for access requests."""
        with self._transaction("read conversation") as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            rows = connection.execute(
                sa.select(events.c.timestamp, events.c.type_name, events.c.data)
                .where(events.c.sender_id == sender_id)
                .where(events.c.type_name.in_(("user", "bot")))
                .order_by(events.c.id)
            ).all()
        out: List[Tuple[Any, str, str]] = []
        for timestamp, kind, data in rows:
            try:
                text = json.loads(data).get("text") or ""
            except ValueError:
                text = ""
            out.append((_from_timestamp(timestamp), "family" if kind == "user" else "assistant", text))
        return out

    def _conversation_ids(self) -> List[str]:
        with self._transaction("list conversations") as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            return list(connection.execute(sa.select(events.c.sender_id).distinct()).scalars())

    @staticmethod
    def _delete_requests(connection: Connection, condition) -> Tuple[str, ...]:
        references = tuple(connection.execute(sa.select(callback_requests.c.reference).where(condition)).scalars())
        if references:
            connection.execute(callback_requests.delete().where(condition))
        return references


def _from_timestamp(value) -> Optional[dt.datetime]:
    return None if value is None else dt.datetime.fromtimestamp(float(value), tz=UTC)


def _check_fields(
    about: str,
    contact_method: str,
    contact_detail: str,
    good_time: Optional[str],
    channel: str,
    consent_text: str,
) -> None:
    """Refuse bad arguments without echoing them (they may be personal)."""
    if contact_method not in CONTACT_METHODS:
        raise ValueError(f"contact_method must be one of {CONTACT_METHODS}")
    for name, value in (
        ("about", about),
        ("contact_detail", contact_detail),
        ("channel", channel),
        ("consent_text", consent_text),
    ):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string")
    if good_time is not None and not isinstance(good_time, str):
        raise ValueError("good_time must be a string or None")
    lengths = {"about": about, "contact_detail": contact_detail, "good_time": good_time, "channel": channel}
    for name, limit in MAX_LENGTHS.items():
        given = lengths[name]
        if given is not None and len(given.strip()) > limit:
            raise ValueError(f"{name} is longer than {limit} characters")


def _row(enquiry: Enquiry) -> dict:
    return {column: getattr(enquiry, column) for column in Enquiry.__dataclass_fields__}


def _enquiry(row) -> Enquiry:
    return Enquiry(**{column: row[column] for column in Enquiry.__dataclass_fields__})


# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"^\+?[\d\s()]+$")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PHONE_LIKE.match(text):
        return "'" + text
    return text
