"""The team's tool for callback requests: ``python -m enquiries <command>``.

  list [--status open|done|withdrawn|all]   show requests, with contact details
  export --out FILE.csv [--status open]     save them as a spreadsheet file
  done REF                                  mark a request done once contacted
  delete REF                                delete a request only
  purge [--days N]                          delete requests and conversation events
                                            older than N days (default:
                                            SEND_RETENTION_DAYS, else 30)

Erasure and access requests (each erases the conversation and every callback
request it made):
  erase-whatsapp NUMBER                     a family's WhatsApp conversation, by number
  find-code CODE [--show]                   find a conversation by the code the
                                            assistant gave the family; --show prints
                                            its stored (redacted) messages
  erase-code CODE                           erase that conversation
  erase-reference REF                       a request and the conversation that made it
  erase-conversation SENDER_ID              a conversation by its id
  schema                                    create or update the tables, print the version
  report [--from D --to D] [--out F.html]   the insights report (insights/report.py)
  review [--from D --to D] --out F.yml      messages not understood, to label

The database is SEND_DATABASE_URL, else var/send-assistant.db. Exit codes: 0
done, 1 unknown reference or bad input, 2 database unavailable. ``purge`` is
made for cron: it can run any number of times, prints only counts, and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import List, Optional
from zoneinfo import ZoneInfo

from enquiries.identity import normalise_code
from enquiries.store import (
    STATUSES,
    Enquiry,
    EnquiryStore,
    Erasure,
    StoreUnavailable,
    normalise_reference,
)
from insights import report
from storage import db

LONDON = ZoneInfo("Europe/London")


def _retention_days() -> int:
    try:
        return db.retention_days()
    except ValueError as error:
        raise SystemExit(str(error)) from None


def _local(moment: Optional[dt.datetime]) -> str:
    return moment.astimezone(LONDON).strftime("%d %b %Y %H:%M") if moment else "-"


def _show(enquiry: Enquiry) -> str:
    lines = [
        f"{enquiry.reference}  {enquiry.status:<9}  arrived {_local(enquiry.created_at)}  via {enquiry.channel}",
        f"    about:     {enquiry.about}",
        f"    contact:   {enquiry.contact_method}: {enquiry.contact_detail or '(deleted)'}",
    ]
    if enquiry.good_time:
        lines.append(f"    good time: {enquiry.good_time}")
    if enquiry.done_at:
        lines.append(f"    done:      {_local(enquiry.done_at)}")
    if enquiry.withdrawn_at:
        lines.append(f"    withdrawn: {_local(enquiry.withdrawn_at)}")
    return "\n".join(lines)


def _unknown(reference: str) -> int:
    print(
        f"No callback request has the reference '{normalise_reference(reference)}'. "
        "References look like WS-7K3Q-X9PM; `python -m enquiries list --status all` shows them all.",
        file=sys.stderr,
    )
    return 1


def cmd_list(store: EnquiryStore, args: argparse.Namespace) -> int:
    status = None if args.status == "all" else args.status
    found = store.list(status)
    if not found:
        print(f"No {'' if status is None else status + ' '}callback requests.")
        return 0
    print(
        f"{len(found)} {'' if status is None else status + ' '}callback request(s), oldest first (times are UK time):\n"
    )
    print("\n\n".join(_show(enquiry) for enquiry in found))
    return 0


def cmd_export(store: EnquiryStore, args: argparse.Namespace) -> int:
    # The file holds contact details: readable by its owner only, even if it
    # existed before with wider permissions, and whatever the umask.
    descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        count = store.export_csv(handle, status=args.status)
    print(
        f"Wrote {count} {args.status} callback request(s) to {args.out}. "
        "It holds contact details: delete it when you no longer need it."
    )
    return 0


def cmd_done(store: EnquiryStore, args: argparse.Namespace) -> int:
    if store.mark_done(args.reference):
        enquiry = store.get(args.reference)
        print(f"{enquiry.reference} is marked done.")  # type: ignore[union-attr]  # just marked done, so it exists
        return 0
    enquiry = store.get(args.reference)
    if enquiry is None:
        return _unknown(args.reference)
    if enquiry.status == "done":
        print(f"{enquiry.reference} was already marked done on {_local(enquiry.done_at)}.")
        return 0
    print(
        f"{enquiry.reference} was withdrawn by the family on {_local(enquiry.withdrawn_at)}: do not contact them.",
        file=sys.stderr,
    )
    return 1


def cmd_delete(store: EnquiryStore, args: argparse.Namespace) -> int:
    if store.delete(args.reference):
        print(f"Deleted callback request {normalise_reference(args.reference)}.")
        return 0
    return _unknown(args.reference)


def cmd_purge(store: EnquiryStore, args: argparse.Namespace) -> int:
    days = _retention_days() if args.days is None else args.days
    if days < 1:
        print("The retention period must be at least 1 day.", file=sys.stderr)
        return 1
    result = store.purge(days, dt.datetime.now(tz=dt.timezone.utc))
    print(
        f"Purged {result.requests} callback request(s) and {result.events} conversation "
        f"event(s) from {result.conversations} conversation(s) older than {days} days "
        f"(before {result.cutoff:%Y-%m-%d %H:%M} UTC); {result.emptied} conversation(s) "
        "now have nothing stored."
    )
    return 0


def _report(erasure: Erasure, what: str) -> int:
    if erasure.events == 0 and not erasure.references:
        print(f"Nothing is stored for {what} (nothing deleted).")
        return 0
    requests = ", ".join(erasure.references) if erasure.references else "none"
    print(f"Erased {what}: {erasure.events} conversation event(s); callback request(s): {requests}.")
    return 0


def cmd_erase_conversation(store: EnquiryStore, args: argparse.Namespace) -> int:
    return _report(store.erase_conversation(args.sender_id), "that conversation")


def whatsapp_conversation(number: str) -> tuple[str, str]:
    """(conversation id, national number) for a UK WhatsApp number, computed as the channel does.

    Raises ValueError for a number that is not a valid one, or when the
    hashing key is not set (it must be the Rasa server's).
    """
    import phonenumbers

    from channels.whatsapp_state import conversation_id, id_secret

    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError("that is not a phone number") from None
    # Possible, not "valid": test numbers (07700 900xxx) are not in use, but are WhatsApp ids all the same.
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("that is not a possible phone number")
    secret = id_secret(os.environ)
    if not secret:
        raise ValueError(
            "set SEND_ID_SECRET (or TWILIO_AUTH_TOKEN) to the Rasa server's value: "
            "WhatsApp conversation ids are a keyed hash of the number"
        )
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")
    return conversation_id("whatsapp:" + e164, secret), national


def cmd_erase_whatsapp(store: EnquiryStore, args: argparse.Namespace) -> int:
    try:
        conversation, national = whatsapp_conversation(args.number)
    except ValueError as error:
        print(f"Cannot erase: {error}.", file=sys.stderr)
        return 1
    erasure = store.erase_conversation(conversation)
    # Requests from other chats that give this number to call are the same family's.
    others = tuple(r for r in store.requests_with_contact(national) if r not in erasure.references)
    for reference in others:
        store.delete(reference)
    return _report(
        Erasure(erasure.conversations, erasure.events, erasure.references + others),
        "that WhatsApp number's conversation",
    )


def cmd_find_code(store: EnquiryStore, args: argparse.Namespace) -> int:
    if normalise_code(args.code) is None:
        print("A conversation code is 6 letters and digits, such as K7Q2XY.", file=sys.stderr)
        return 1
    found = store.find_code(args.code)
    if not found:
        print(f"No stored conversation has the code {normalise_code(args.code)}.")
        return 1
    if len(found) > 1:
        print(f"{len(found)} stored conversations share this code: ask the family for a callback reference as well.")
    for match in found:
        print(f"conversation {match.conversation_id or '(deleted; only its requests are left)'}")
        print(f"    events: {match.events}, first {_local(match.first)}, last {_local(match.last)}")
        print(f"    callback requests: {', '.join(match.references) or 'none'}")
        if args.show and match.conversation_id:
            for moment, who, text in store.conversation_messages(match.conversation_id):
                print(f"    {_local(moment)}  {who:<9}  {text}")
    return 0


def cmd_erase_code(store: EnquiryStore, args: argparse.Namespace) -> int:
    if normalise_code(args.code) is None:
        print("A conversation code is 6 letters and digits, such as K7Q2XY.", file=sys.stderr)
        return 1
    try:
        erasure = store.erase_code(args.code)
    except LookupError as error:
        print(f"Not erased: {error}. Use find-code to see them, then erase-conversation.", file=sys.stderr)
        return 1
    return _report(erasure, f"conversation {normalise_code(args.code)}")


def cmd_erase_reference(store: EnquiryStore, args: argparse.Namespace) -> int:
    erasure = store.erase_reference(args.reference)
    if erasure is None:
        return _unknown(args.reference)
    return _report(erasure, f"request {normalise_reference(args.reference)} and its conversation")


def cmd_schema(store: EnquiryStore, args: argparse.Namespace) -> int:
    print(f"Schema version {store.schema_version()} at {db.safe_url(store.url)}.")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m enquiries",
        description="Callback requests from the SEND assistant, for the council's team.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="command")

    listing = commands.add_parser("list", help="show requests with their contact details")
    listing.add_argument("--status", choices=STATUSES + ("all",), default="open")
    listing.set_defaults(run=cmd_list)

    export = commands.add_parser("export", help="save requests to a CSV file")
    export.add_argument("--out", required=True, help="the CSV file to write")
    export.add_argument("--status", choices=STATUSES + ("all",), default="open")
    export.set_defaults(run=cmd_export)

    done = commands.add_parser("done", help="mark a request done once you have contacted them")
    done.add_argument("reference", help="for example WS-7K3Q-X9PM")
    done.set_defaults(run=cmd_done)

    delete = commands.add_parser("delete", help="delete a request only")
    delete.add_argument("reference", help="for example WS-7K3Q-X9PM")
    delete.set_defaults(run=cmd_delete)

    purge = commands.add_parser("purge", help="delete requests and conversations older than the retention period")
    purge.add_argument(
        "--days",
        type=int,
        default=None,
        help=f"retention in days (default: {db.RETENTION_VARIABLE}, else {db.DEFAULT_RETENTION_DAYS})",
    )
    purge.set_defaults(run=cmd_purge)

    erase = commands.add_parser("erase-conversation", help="erase a conversation and the requests it made, by its id")
    erase.add_argument("sender_id", help="the conversation id (Rasa sender id)")
    erase.set_defaults(run=cmd_erase_conversation)

    whatsapp = commands.add_parser(
        "erase-whatsapp", help="erase a WhatsApp conversation and its requests, by phone number"
    )
    whatsapp.add_argument("number", help="for example 07700 900123 or +447700900123")
    whatsapp.set_defaults(run=cmd_erase_whatsapp)

    find = commands.add_parser("find-code", help="find a conversation by its conversation code")
    find.add_argument("code", help="for example K7Q2XY")
    find.add_argument("--show", action="store_true", help="print its stored (redacted) messages")
    find.set_defaults(run=cmd_find_code)

    erase_code = commands.add_parser("erase-code", help="erase a conversation and its requests, by conversation code")
    erase_code.add_argument("code", help="for example K7Q2XY")
    erase_code.set_defaults(run=cmd_erase_code)

    erase_ref = commands.add_parser("erase-reference", help="erase a request and the conversation that made it")
    erase_ref.add_argument("reference", help="for example WS-7K3Q-X9PM")
    erase_ref.set_defaults(run=cmd_erase_reference)

    schema = commands.add_parser("schema", help="create or update the tables")
    schema.set_defaults(run=cmd_schema)
    report.add_commands(commands)  # report, review (insights/report.py)
    return top


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    store = EnquiryStore()
    try:
        return args.run(store, args)
    except StoreUnavailable as error:
        print(f"The database is unavailable ({db.safe_url(store.url)}): {error}", file=sys.stderr)
        return 2
    finally:
        store.dispose()


if __name__ == "__main__":
    sys.exit(main())
