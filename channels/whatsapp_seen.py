"""The Twilio messages already answered, remembered in the project's database.

Twilio delivers a webhook again when it thinks the first delivery failed (a
timeout, a lost connection), sometimes much later, and the Rasa server may
have restarted in between. A family must not get every answer twice, and a
message must not run twice through the callback form. So each message's id
(``MessageSid``) is recorded in the table ``whatsapp_seen_messages`` of the
database that holds the conversations (storage/db.py), kept for
``KEEP_SECONDS`` (48 hours; Twilio retries within 24), and deleted after that
by the channel itself, at most once an hour.

What is stored: a SHA-256 of the id and when it was seen. Not the number,
not the text; the id itself is not needed to spot a repeat.

If the database cannot be reached, the message is answered (a repeat is
better than silence) and the failure is logged.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Callable, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from storage.db import create_engine

logger = logging.getLogger(__name__)

KEEP_SECONDS = 48 * 60 * 60
PURGE_EVERY_SECONDS = 60 * 60

metadata = sa.MetaData()
seen_messages = sa.Table(
    "whatsapp_seen_messages",
    metadata,
    sa.Column("message_hash", sa.String(64), primary_key=True),
    sa.Column("seen_at", sa.Float, nullable=False, index=True),  # seconds since 1970 (UTC)
)


def _hash(message_sid: str) -> str:
    return hashlib.sha256(message_sid.encode("utf-8", "replace")).hexdigest()


class SeenMessages:
    """Spots a Twilio message seen before, across restarts (see the module docstring)."""

    def __init__(
        self,
        engine: Optional[Engine] = None,
        keep_seconds: float = KEEP_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine or create_engine()
        self.keep_seconds, self.clock = keep_seconds, clock
        self._ready = False
        self._last_purge = float("-inf")
        self._lock = threading.Lock()
        self._create_table()

    def _create_table(self) -> bool:
        if not self._ready:
            try:
                metadata.create_all(self.engine)
                self._ready = True
            except SQLAlchemyError:
                logger.error("The table of seen WhatsApp messages could not be created; will retry.")
        return self._ready

    def first_time(self, message_sid: str) -> bool:
        """True if this message has not been seen in the last ``keep_seconds`` (and note it now)."""
        now = self.clock()
        if not self._create_table():
            return True
        key = _hash(message_sid)
        column = seen_messages.c
        try:
            with self.engine.begin() as connection:
                seen_at = connection.execute(sa.select(column.seen_at).where(column.message_hash == key)).scalar()
                if seen_at is None:
                    connection.execute(seen_messages.insert().values(message_hash=key, seen_at=now))
                    first = True
                elif seen_at < now - self.keep_seconds:
                    # Seen long ago and not yet purged: a new delivery as far as we care.
                    renewed = connection.execute(
                        seen_messages.update()
                        .where(column.message_hash == key, column.seen_at < now - self.keep_seconds)
                        .values(seen_at=now)
                    )
                    first = renewed.rowcount == 1
                else:
                    first = False
        except IntegrityError:
            first = False  # the same message, delivered twice at once: the other delivery won
        except SQLAlchemyError:
            logger.error("The seen WhatsApp messages could not be read; answering this one anyway.")
            return True
        self._purge_now_and_then(now)
        return first

    def purge(self, now: Optional[float] = None) -> int:
        """Delete the ids older than ``keep_seconds``; how many went."""
        now = self.clock() if now is None else now
        with self.engine.begin() as connection:
            result = connection.execute(seen_messages.delete().where(seen_messages.c.seen_at < now - self.keep_seconds))
        return result.rowcount or 0

    def _purge_now_and_then(self, now: float) -> None:
        with self._lock:
            if now - self._last_purge < PURGE_EVERY_SECONDS:
                return
            self._last_purge = now
        try:
            self.purge(now)
        except SQLAlchemyError:
            logger.error("Old seen WhatsApp messages could not be deleted; will retry.")
