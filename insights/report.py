"""The insights report for the council's SEND team: ``python -m enquiries report``.

What families ask, when, on which channel, where the assistant falls short,
and whether they found it helpful, without personal data: the figures come
from event types, intent and action names, slot values that are ids,
timestamps and the channel in Rasa's ``events`` table, and from the status
and times of callback requests. Message text is read for one part only, the
"not understood" review list, which is for the SEND team and says so.

Everything is counted in the database (insights/queries.py); Python
receives counts per quarter hour, per channel or per type, never the events.

:data:`COUNTED` below is the one place that says which events, actions, slots
and intents the report counts. When an action is renamed or added, change it
here (and the tests in tests/unit/test_report.py say what broke).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

from sqlalchemy.exc import SQLAlchemyError

from advice import feedback
from enquiries.store import EnquiryStore, StoreUnavailable
from insights import suppress
from insights.period import LONDON, Period
from storage import db
from storage.db import ROOT

# The report's heavier parts (matplotlib, scikit-learn, the content files) are
# imported when a report is made, so that `python -m enquiries purge` stays quick.

COUNTED: Dict[str, Any] = {
    # Rasa's event types (column events.type_name).
    "user": "user",
    "bot": "bot",
    "action": "action",
    "slot": "slot",
    "session_started": "session_started",  # one conversation (a session) begins
    # Actions (events.action_name of an "action" event).
    "routes": "action_explain_routes",  # a disagreement's routes were shown
    "not_understood": "action_fallback_help",
    "did_you_mean": "action_did_you_mean",  # the first stage of the two-stage fallback
    "out_of_scope": "action_out_of_scope",
    "crisis": "action_crisis",
    # Slots (events.action_name of a "slot" event holds the slot's name).
    "disagreement_slot": "disagreement",  # set by the routes action: the disagreement type
    "feedback_slot": feedback.SLOT,  # "Did this help?" (advice/feedback.py)
    "feedback_asked": feedback.ASKED,
    "feedback_yes": feedback.YES,
    "feedback_no": feedback.NO,
    "feedback_reason_prefix": feedback.REASON_PREFIX,  # "reason:" + an id from content/feedback.yml
    # Follow-up questions: these user intents, after a routes reply in the same conversation.
    "questions": (
        "ask_mediation_vs_dr",
        "ask_disagreement_resolution",
        "ask_mediation",
        "ask_tribunal",
        "ask_deadline",
        "ask_cost",
        "ask_advocate",
        "ask_sendias",
        "ask_prime_resolution",
        "contact_case_officer",
        "request_human",
        "request_callback",
        "lost_letter",
        "ask_draft_plan",
        "ask_young_person",
        "ask_mediation_day",
        "request_summary",
    ),
    # The "not understood" review list: messages these actions answered.
    "review_actions": ("action_fallback_help", "action_did_you_mean"),
    # The channel of a message: its input_channel; without one, the sender id's prefix.
    "channels": {"socketio": "Website chat", "whatsapp": "WhatsApp", "rest": "REST"},
    "sender_prefixes": {"wa-": "whatsapp", "rest-": "rest"},
    "other_channel": "other",
}

# Plain names for questions that have no button title in content/routes.yml.
QUESTION_NAMES = {
    "ask_deadline": "When is my deadline?",
    "ask_advocate": "Should I pay an advocate?",
    "ask_prime_resolution": "Contact Prime Resolution",
    "lost_letter": "I lost the decision letter",
    "ask_draft_plan": "A draft EHC plan",
    "ask_young_person": "A young person's own rights",
    "ask_mediation_day": "What happens at mediation",
    "request_summary": "Send me a summary",
}

DEFAULT_OUT = ROOT / "results" / "report.html"
DEFAULT_DAYS = 30


@dataclass
class Made:
    """What :func:`make` wrote and how long it took (seconds)."""

    html: Path
    csv: Path
    conversations: int
    seconds: float
    review_messages: Optional[int]


def _humanise(identifier: str) -> str:
    text = identifier.replace("_", " ")
    return text[:1].upper() + text[1:]


def labels():
    """Names from the content files, and office hours from content/hours.yml."""
    from advice import office_hours
    from advice.content import ContentError, get_content
    from insights.tables import Labels

    content = get_content()

    def title(intent: str) -> str:
        try:
            return content.button_title(intent)
        except (ContentError, KeyError, TypeError):
            return QUESTION_NAMES.get(intent, _humanise(intent))

    def question(intent: str) -> str:
        return QUESTION_NAMES[intent] if intent in QUESTION_NAMES else title(intent)

    service = content.callback.get("service", "ehc_team")
    hours = office_hours.get_hours()

    @functools.cache
    def is_open(moment: dt.datetime) -> bool:
        return hours.status(service, moment).is_open

    name = content.services[service].short_name if service in content.services else service
    confirmed = "" if hours.services[service].verified else ", not yet confirmed by the council"
    return Labels(
        channels=COUNTED["channels"],
        disagreement=title,
        question=question,
        reasons=feedback.reasons(),
        is_office_hours=is_open,
        office_hours_text=(
            f"Office hours are the opening times of {name} in content/hours.yml"
            f"{confirmed}; bank holidays and closures count as outside office hours."
        ),
    )


def _private_file(path: Path):
    """A new file readable by its owner only (the page may hold the review list)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(descriptor, "w", encoding="utf-8", newline="")


@contextlib.contextmanager
def _snapshot(url: str, period: Period, what: str) -> Iterator[Any]:
    """A connection with the period's snapshot built (dropped after); a database error is
    StoreUnavailable naming ``what``, so the team sees a sentence, not a stack trace."""
    from insights.sql import Snapshot

    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            snapshot = Snapshot(connection, period, COUNTED).build()
            try:
                yield connection
            finally:
                snapshot.drop()
    except SQLAlchemyError as error:
        raise StoreUnavailable(f"{what} could not read the database ({type(error).__name__})") from None
    finally:
        engine.dispose()


def make(
    url: str, period: Period, out: Path = DEFAULT_OUT, public: bool = False, now: Optional[dt.datetime] = None
) -> Made:
    """Write the page (``out``) and the CSV (same name, ``.csv``) for the period."""
    from insights import csvfile, page, queries, review, tables

    started = time.monotonic()
    with _snapshot(url, period, "the report") as connection:
        figures = queries.collect(connection, period, COUNTED)
        review_list = None if public else review.build(connection, period, COUNTED)
    parts = tables.sections(figures, labels(), COUNTED)
    out = Path(out)
    csv_path = out.with_suffix(".csv")
    with _private_file(out) as handle:
        handle.write(page.render(period, parts, review_list, now))
    with _private_file(csv_path) as handle:
        csvfile.write(handle, parts)
    return Made(
        out,
        csv_path,
        sum(figures.conversations.values()),
        time.monotonic() - started,
        None if review_list is None else review_list.messages,
    )


def write_review(url: str, period: Period, out: Path):
    """The review list as candidate training examples (YAML) at ``out``; returns the list."""
    from insights import review

    with _snapshot(url, period, "the review list") as connection:
        found = review.build(connection, period, COUNTED)
    with _private_file(Path(out)) as handle:
        handle.write(review.to_yaml(found))
    return found


# -- the command line (python -m enquiries report | review) ----------------------------------


def _period(args: argparse.Namespace) -> Period:
    today = dt.datetime.now(LONDON).date()
    if args.first is None and args.last is None:
        return Period.last_days(args.days, today)
    last = args.last or today.isoformat()
    first = args.first or (dt.date.fromisoformat(last) - dt.timedelta(days=args.days - 1)).isoformat()
    return Period.parse(first, last)


def cmd_report(store: EnquiryStore, args: argparse.Namespace) -> int:
    try:
        period = _period(args)
    except ValueError as error:
        print(f"Bad dates: {error}", file=sys.stderr)
        return 1
    made = make(store.url, period, Path(args.out), public=args.public)
    review_note = (
        ""
        if made.review_messages is None
        else " It includes the review list for the SEND team only: do not publish it."
    )
    print(
        f"Wrote {made.html} and {made.csv} for {period.describe()} "
        f"({suppress.count(made.conversations).text} conversations) in {made.seconds:.1f} s.{review_note}"
    )
    return 0


def cmd_review(store: EnquiryStore, args: argparse.Namespace) -> int:
    try:
        period = _period(args)
    except ValueError as error:
        print(f"Bad dates: {error}", file=sys.stderr)
        return 1
    found = write_review(store.url, period, Path(args.out))
    print(
        f"Wrote {len(found.groups)} groups of messages not understood ({period.describe()}) to "
        f"{args.out}. It holds what families typed (redacted): label it, move the examples to "
        "data/nlu/, then delete it."
    )
    return 0


def _dates(command: argparse.ArgumentParser) -> None:
    command.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day (UK time)")
    command.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day, included (default: today)")
    command.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        help=f"without --from: this many days up to --to (default {DEFAULT_DAYS})",
    )


def add_commands(commands) -> None:
    """The ``report`` and ``review`` subcommands of ``python -m enquiries``."""
    report = commands.add_parser("report", help="the insights report: one HTML page and a CSV")
    _dates(report)
    report.add_argument("--out", default=str(DEFAULT_OUT), help="the HTML file (the CSV goes beside it)")
    report.add_argument(
        "--public", action="store_true", help="leave out the review list of messages not understood (SEND team only)"
    )
    report.set_defaults(run=cmd_report)
    listing = commands.add_parser("review", help="messages not understood, as candidate training examples")
    _dates(listing)
    listing.add_argument("--out", required=True, help="the YAML file to write, e.g. review.yml")
    listing.set_defaults(run=cmd_review)
