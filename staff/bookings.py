"""`python -m staff bookings ...`: staff list requests, mark them contacted, export CSV."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import List, Optional, TextIO

from clinic.settings import ClinicSettings
from storage.bookings import BookingStore, StoredRequest, StoreError, database_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="bookings_command")
    listing = actions.add_parser("list", help="list requests as a table (default: new ones)")
    listing.add_argument("--all", action="store_true", help="include contacted requests")
    contacted = actions.add_parser("contacted", help="mark a request as contacted")
    contacted.add_argument("reference", help="the reference, e.g. MN-4F7K2Q")
    export = actions.add_parser("export", help="write requests as CSV")
    export.add_argument("file", nargs="?", default="-", help="CSV file (default: standard output)")
    export.add_argument("--all", action="store_true", help="include contacted requests")


def run(args: argparse.Namespace, settings: ClinicSettings, out: TextIO = sys.stdout) -> int:
    try:
        store = BookingStore()
    except StoreError as error:
        print(f"error: {error} ({_redacted_url()})", file=sys.stderr)
        return 1
    command = args.bookings_command or "list"
    if command == "contacted":
        if store.mark_contacted(args.reference):
            print(f"{args.reference.upper()} marked as contacted.", file=out)
            return 0
        print(f"error: no request with reference {args.reference!r}", file=sys.stderr)
        return 1
    status = None if getattr(args, "all", False) else "new"
    if command == "export":
        if args.file == "-":
            count = store.export_csv(out, status)
        else:
            with open(args.file, "w", newline="", encoding="utf-8") as handle:
                count = store.export_csv(handle, status)
            print(f"Wrote {count} request(s) to {args.file}", file=out)
        return 0
    print(format_table(store.list_requests(status), settings), file=out)
    return 0


def format_table(requests: List[StoredRequest], settings: ClinicSettings) -> str:
    if not requests:
        return "No requests."
    header = ("Reference", "Created", "Kind", "Name", "Phone", "Preferred time", "Screening", "Status")
    rows = [header] + [
        (
            r.reference,
            _local(r.created_at, settings),
            r.kind,
            r.name,
            r.phone,
            _preferred(r.preferred_time),
            ("YES: provider to review" if r.needs_provider_review else (r.screening or "-")),
            r.status,
        )
        for r in requests
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _local(moment: Optional[datetime], settings: ClinicSettings) -> str:
    if moment is None:
        return "-"
    if moment.tzinfo is None:  # SQLite returns stored UTC times without their zone
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")


def _preferred(iso: Optional[str]) -> str:
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).strftime("%a %d %b %H:%M")


def _redacted_url() -> str:
    url = database_url()
    # Never print a password from CLINIC_DB_URL.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
