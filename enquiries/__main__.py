"""The team's tool for callback requests: ``python -m enquiries <command>``.

  list [--status open|done|withdrawn|all]   show requests, with contact details
  export --out FILE.csv [--status open]     save them as a spreadsheet file
  done REF                                  mark a request done once contacted
  delete REF                                delete a request (erasure request)
  purge [--days N]                          delete requests and conversations
                                            older than N days (default:
                                            SEND_RETENTION_DAYS, else 30)
  erase-conversation SENDER_ID              delete one stored conversation
  schema                                    create or update the tables, print the version
  report [--from D --to D] [--out F.html]   the insights report (enquiries/report.py)
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

from enquiries import db, report
from enquiries.store import (
    STATUSES,
    Enquiry,
    EnquiryStore,
    StoreUnavailable,
    normalise_reference,
)

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
        f"{enquiry.reference}  {enquiry.status:<9}  arrived {_local(enquiry.created_at)}"
        f"  via {enquiry.channel}",
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
        "References look like WS-7K3QX; `python -m enquiries list --status all` shows them all.",
        file=sys.stderr,
    )
    return 1


def cmd_list(store: EnquiryStore, args: argparse.Namespace) -> int:
    status = None if args.status == "all" else args.status
    found = store.list(status)
    if not found:
        print(f"No {'' if status is None else status + ' '}callback requests.")
        return 0
    print(f"{len(found)} {'' if status is None else status + ' '}callback request(s), oldest first "
          "(times are UK time):\n")
    print("\n\n".join(_show(enquiry) for enquiry in found))
    return 0


def cmd_export(store: EnquiryStore, args: argparse.Namespace) -> int:
    # The file holds contact details: readable by its owner only.
    descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        count = store.export_csv(handle, status=args.status)
    print(f"Wrote {count} {args.status} callback request(s) to {args.out}. "
          "It holds contact details: delete it when you no longer need it.")
    return 0


def cmd_done(store: EnquiryStore, args: argparse.Namespace) -> int:
    if store.mark_done(args.reference):
        enquiry = store.get(args.reference)
        print(f"{enquiry.reference} is marked done.")
        return 0
    enquiry = store.get(args.reference)
    if enquiry is None:
        return _unknown(args.reference)
    if enquiry.status == "done":
        print(f"{enquiry.reference} was already marked done on {_local(enquiry.done_at)}.")
        return 0
    print(f"{enquiry.reference} was withdrawn by the family on {_local(enquiry.withdrawn_at)}: "
          "do not contact them.", file=sys.stderr)
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
        f"Purged {result.requests} callback request(s) and {result.conversations} "
        f"conversation(s) ({result.events} events) older than {days} days "
        f"(before {result.cutoff:%Y-%m-%d %H:%M} UTC)."
    )
    return 0


def cmd_erase_conversation(store: EnquiryStore, args: argparse.Namespace) -> int:
    count = store.erase_conversation(args.sender_id)
    if count == 0:
        print("No stored conversation has that id (nothing deleted).")
    else:
        print(f"Deleted that conversation ({count} events).")
    return 0


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
    done.add_argument("reference", help="for example WS-7K3QX")
    done.set_defaults(run=cmd_done)

    delete = commands.add_parser("delete", help="delete a request entirely")
    delete.add_argument("reference", help="for example WS-7K3QX")
    delete.set_defaults(run=cmd_delete)

    purge = commands.add_parser(
        "purge", help="delete requests and conversations older than the retention period"
    )
    purge.add_argument(
        "--days", type=int, default=None,
        help=f"retention in days (default: {db.RETENTION_VARIABLE}, else {db.DEFAULT_RETENTION_DAYS})",
    )
    purge.set_defaults(run=cmd_purge)

    erase = commands.add_parser("erase-conversation", help="delete one stored conversation")
    erase.add_argument("sender_id", help="the conversation id (Rasa sender id)")
    erase.set_defaults(run=cmd_erase_conversation)

    schema = commands.add_parser("schema", help="create or update the tables")
    schema.set_defaults(run=cmd_schema)
    report.add_commands(commands)  # report, review (enquiries/report.py)
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
