"""Keyed hashes that link things to a conversation without revealing it.

* The **conversation key** (HMAC-SHA256 of the conversation id) is stored with
  each callback request. Only the conversation that made a request can cancel
  it, and erasing a conversation can find its requests (and the reverse),
  while the requests table never holds the conversation id itself.
* The **conversation code** (6 characters such as ``K7Q2XY``) is the start of
  the conversation key, written in the reference alphabet. The assistant
  tells a family its code when asked; the team finds and erases that
  conversation with it (``python -m enquiries find-code K7Q2XY``). Being a
  keyed hash, it reveals nothing about the conversation id or the family.

The key is ``SEND_ID_SECRET`` (the same variable the WhatsApp channel uses to
hash numbers), with a domain prefix so the two uses never collide. Without it
the store makes a random key once and keeps it in the database
(:meth:`enquiries.store.EnquiryStore.id_secret`), so every process sharing the
database agrees with no setting at all. Set ``SEND_ID_SECRET`` in production,
and never change it: keys and codes made before a change no longer match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Optional

SECRET_VARIABLE = "SEND_ID_SECRET"
# No O/0 or I/1: read out over the phone and typed by hand (as references).
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6  # 32**6: about a billion codes
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def conversation_key(secret: str, conversation_id: str) -> str:
    """64 hex digits of HMAC-SHA256 of the conversation id, keyed with ``secret``."""
    if not secret:
        raise ValueError("a secret is needed to hash conversation ids")
    message = ("conversation:" + conversation_id).encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def conversation_code(key: str) -> str:
    """The 6-character code for a conversation key (its first 30 bits)."""
    number = int(key[:8], 16) >> 2  # 32 bits, keep 30
    characters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[index])
    return "".join(reversed(characters))


def normalise_code(text: str) -> Optional[str]:
    """'k7q2 xy' -> 'K7Q2XY'; None if it cannot be a conversation code."""
    compact = re.sub(r"[\s-]", "", text or "").upper()
    return compact if _CODE.match(compact) else None
