"""Tell the council's team by email that a callback request has arrived.

The email says only that there is a request: its reference, how the family
would like to be contacted (phone, email or WhatsApp: not the number or
address), when it arrived, and how to see the details. Not what it is about:
the family typed that in their own words, and it may name a child or a school.
Email is copied, forwarded and kept for years, so everything the family typed
stays in the database, where withdrawal and the retention purge can reach it.

A login (``SEND_SMTP_USER``) is only ever sent over TLS: with STARTTLS turned
off, a login is refused and nothing is sent, rather than sending the
password in clear.

Sending is best effort. The request is already stored when this runs, so a
failure is logged (without personal data) and never raised to the caller.
With no ``SEND_SMTP_HOST`` set, notification is off: nothing is sent and this
is logged once.

Settings (environment variables):
  SEND_SMTP_HOST       mail server; unset = notifications off
  SEND_SMTP_PORT       default 587 when STARTTLS is on, else 25
  SEND_SMTP_USER       login user (optional)
  SEND_SMTP_PASSWORD   login password (optional)
  SEND_SMTP_STARTTLS   "true" (default) or "false" (then no login is allowed)
  SEND_SMTP_CAFILE     optional: the CA certificate(s) that signed the mail
                       server's certificate, for a council's own CA
  SEND_NOTIFY_FROM     sender address
  SEND_NOTIFY_TO       team address(es), comma-separated
"""

from __future__ import annotations

import functools
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from enquiries.store import Enquiry

logger = logging.getLogger(__name__)

SMTP_TIMEOUT = 10  # seconds
METHOD_WORDS = {"phone": "a phone call", "email": "an email", "whatsapp": "a WhatsApp message"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: Optional[str]
    password: Optional[str]
    starttls: bool
    sender: str
    recipients: Tuple[str, ...]
    cafile: Optional[str] = None


def settings_from_env(env: Mapping[str, str] = os.environ) -> Optional[SmtpSettings]:
    """The SMTP settings, or None when notifications are off (no SEND_SMTP_HOST).

    Raises ValueError when the host is set but the rest is incomplete.
    """
    host = env.get("SEND_SMTP_HOST", "").strip()
    if not host:
        return None
    starttls = env.get("SEND_SMTP_STARTTLS", "true").strip().lower() not in ("0", "false", "no")
    port_text = env.get("SEND_SMTP_PORT", "").strip() or ("587" if starttls else "25")
    try:
        port = int(port_text)
    except ValueError as error:
        raise ValueError("SEND_SMTP_PORT must be a number") from error
    sender = env.get("SEND_NOTIFY_FROM", "").strip()
    recipients = tuple(address.strip() for address in env.get("SEND_NOTIFY_TO", "").split(",") if address.strip())
    if not sender or not recipients:
        raise ValueError("SEND_NOTIFY_FROM and SEND_NOTIFY_TO must be set with SEND_SMTP_HOST")
    return SmtpSettings(
        host=host,
        port=port,
        user=env.get("SEND_SMTP_USER") or None,
        password=env.get("SEND_SMTP_PASSWORD") or None,
        starttls=starttls,
        sender=sender,
        recipients=recipients,
        cafile=env.get("SEND_SMTP_CAFILE", "").strip() or None,
    )


def compose(enquiry: Enquiry, settings: SmtpSettings) -> EmailMessage:
    """The notification email: the reference, not the family's words or contact details."""
    arrived = enquiry.created_at.astimezone(ZoneInfo("Europe/London"))
    message = EmailMessage()
    message["Subject"] = f"New callback request {enquiry.reference}"
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message.set_content(
        "A family has asked the SEND assistant for someone to contact them.\n"
        "\n"
        f"Reference:   {enquiry.reference}\n"
        f"Contact by:  {METHOD_WORDS.get(enquiry.contact_method, enquiry.contact_method)}\n"
        f"Arrived:     {arrived:%A %d %B %Y at %H:%M} (UK time)\n"
        "\n"
        "What it is about and their contact details are not in this email.\n"
        "To see them, on the assistant's server run:\n"
        "\n"
        "    python -m enquiries list\n"
        "\n"
        f"When you have contacted them:  python -m enquiries done {enquiry.reference}\n"
    )
    return message


@functools.lru_cache(maxsize=1)
def _log_off_once() -> None:
    logger.info("team notifications are off (SEND_SMTP_HOST is not set)")


def notify_team(enquiry: Enquiry) -> bool:
    """Email the team about a new request. True if the mail server accepted it.

    Never raises: the request is already stored, and the family must still be
    told so. Blocking (up to SMTP_TIMEOUT seconds per step): from async code,
    call it with ``await asyncio.to_thread(notify_team, enquiry)``.
    """
    try:
        settings = settings_from_env()
    except ValueError as error:
        logger.error("team notification not sent for %s: %s", enquiry.reference, error)
        return False
    if settings is None:
        _log_off_once()
        return False
    if settings.user and not settings.starttls:
        logger.error(
            "team notification not sent for %s: SEND_SMTP_USER is set but SEND_SMTP_STARTTLS "
            "is off, and a login is never sent without TLS",
            enquiry.reference,
        )
        return False
    try:
        message = compose(enquiry, settings)
        with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=settings.cafile))
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except Exception as error:  # noqa: BLE001 - never break the family's conversation
        code = getattr(error, "smtp_code", None)
        logger.warning(
            "team notification not sent for %s: %s%s",
            enquiry.reference,
            type(error).__name__,
            f" (SMTP {code})" if code else "",
        )
        return False
    logger.info("team notified of %s", enquiry.reference)
    return True
