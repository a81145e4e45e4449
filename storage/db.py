"""Where the database is, and an engine that fails fast when it is down.

One database holds both the callback requests and Rasa's conversations (its SQL
tracker store writes the ``events`` table), so that retention and erasure can be
done in one place. Production sets ``SEND_DATABASE_URL`` to a PostgreSQL URL;
without it a SQLite file under ``var/`` at the repository root is used, so
``make run`` works on a laptop with nothing else installed.

A family waiting for "your request is saved" must not wait minutes for a dead
database, so connections time out after a few seconds (``CONNECT_TIMEOUT``) and
the caller can apologise and offer the phone numbers instead.

On SQLite the file holds families' details, so :func:`prepare_sqlite_file`
makes ``var/`` readable by its owner only (0700) and the file too (0600),
whatever the umask, and :func:`harden_sqlite` turns on ``secure_delete`` for
every connection, so a deleted or changed row is overwritten with zeros
instead of lingering in the file's free space.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parents[1]
URL_VARIABLE = "SEND_DATABASE_URL"
DEFAULT_SQLITE = ROOT / "var" / "send-assistant.db"
CONNECT_TIMEOUT = 3  # seconds, to reach a PostgreSQL server
STATEMENT_TIMEOUT_MS = 10_000  # PostgreSQL: no statement may hang longer
SQLITE_BUSY_TIMEOUT = 5  # seconds to wait for another writer (Rasa) on SQLite


RETENTION_VARIABLE = "SEND_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    """Days that requests and conversations are kept (``SEND_RETENTION_DAYS``, default 30).

    One setting for the purge command and for what the consent question tells
    families, so the two can never disagree.
    """
    raw = os.environ.get(RETENTION_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise ValueError(f"{RETENTION_VARIABLE} must be a whole number of days, not '{raw}'") from None
    if days < 1:
        raise ValueError(f"{RETENTION_VARIABLE} must be at least 1 day")
    return days


def database_url() -> str:
    """``SEND_DATABASE_URL``, else ``sqlite:///<repo>/var/send-assistant.db``.

    Creates ``var/`` for the default. ``postgres://`` (as some hosts write it)
    is accepted and read as ``postgresql://``.
    """
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        return url
    private_folder(DEFAULT_SQLITE.parent)
    return f"sqlite:///{DEFAULT_SQLITE}"


def private_folder(folder: Path) -> None:
    """Create ``folder`` if needed and make it owner-only (0700), whatever the umask."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, stat.S_IRWXU)


def private_file(path: Path) -> None:
    """Create ``path`` if needed, empty, and make it owner-only (0600), whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, stat.S_IRUSR | stat.S_IWUSR)
    try:
        os.fchmod(descriptor, stat.S_IRUSR | stat.S_IWUSR)
    finally:
        os.close(descriptor)


def prepare_sqlite_file(url: str) -> None:
    """For a SQLite URL: its folder exists (``var/`` owner-only) and the file is owner-only.

    SQLite creates its -journal and -wal files with the database file's
    permissions, so they are owner-only too. Other URLs are left alone.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    try:
        if path.parent.resolve() == DEFAULT_SQLITE.parent.resolve() or not path.parent.exists():
            private_folder(path.parent)
        private_file(path)
    except OSError:
        pass  # not a usable file (a folder, no permission): SQLite reports it on first use


def _secure_delete(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def harden_sqlite(engine: Engine) -> Engine:
    """On SQLite, every new connection overwrites deleted content (``PRAGMA secure_delete``)."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _secure_delete)
    return engine


def create_engine(url: Optional[str] = None) -> Engine:
    """A thread-safe engine with short timeouts and dead-connection checks."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        prepare_sqlite_file(url)
        return harden_sqlite(
            sa.create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT},
                pool_pre_ping=True,
                hide_parameters=True,  # errors and logs must not show the family's details
                future=True,
            )
        )
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args = {
            "connect_timeout": CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            "application_name": "send-enquiries",
        }
    return sa.create_engine(
        url,
        connect_args=connect_args,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=CONNECT_TIMEOUT,
        hide_parameters=True,
        future=True,
    )


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL must not leak either
        return "<unreadable database URL>"
