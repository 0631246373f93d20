"""`python -m staff purge | forget | backup`: keeping and deleting personal data.

    purge [--dry-run] [--if-due]       delete what is older than clinic.yml's `retention`
    forget --phone NUMBER | --reference REF [--dry-run]
                                       one person's booking requests and conversations
    backup DIR                         a consistent copy of both stores, while the assistant runs

Counts are printed, never a message, a name or a phone number; purge and forget write the
same counts to the audit log.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from clinic.settings import ClinicSettings
from storage.backup import BackupError, backup
from storage.erasure import ForgetError, forget_person
from storage.retention import DAILY, last_purge, purge, purge_due
from storage.staff_accounts import AccountStore, AuditEntry


def add_purge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    parser.add_argument(
        "--if-due", action="store_true", help="purge only if the last purge was more than 24 hours ago (the daily run)"
    )


def add_forget_arguments(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--phone", help="the person's phone number, written any way (read in the clinic's region)")
    who.add_argument("--reference", help="a booking reference from `staff bookings`, e.g. MN-4F7K2Q")
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")


def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, help="where to write the copies (made if missing)")


def _failed(error: Exception, out: TextIO = sys.stderr) -> int:
    # The first line only: a database error's later lines repeat the SQL and its parameters.
    print(f"error: {(str(error).splitlines() or [type(error).__name__])[0]}", file=out)
    return 1


def run_purge(args: argparse.Namespace, settings: ClinicSettings, out: TextIO = sys.stdout) -> int:
    retention = settings.retention
    limits = (
        f"conversations whose last message is more than {retention.conversations_days} days old, "
        f"requests contacted more than {retention.contacted_requests_days} days ago"
    )
    try:
        if args.if_due and not args.dry_run:
            done = purge_due(retention=retention)
            if done is None:
                since = last_purge()
                when = f"{since:%Y-%m-%d %H:%M} UTC" if since else "just now, by another process"
                hours = DAILY.total_seconds() / 3600
                print(f"Not due: the last purge started {when}; it runs at most every {hours:.0f} hours.", file=out)
                return 0
        else:
            done = purge(retention=retention, dry_run=args.dry_run)
    except SQLAlchemyError as error:
        return _failed(error)
    if done.dry_run:
        print(f"Would delete ({limits}): {done.describe()}. Nothing was deleted.", file=out)
    else:
        print(f"Deleted ({limits}): {done.describe()}. The counts are in the audit log.", file=out)
    return 0


def run_forget(args: argparse.Namespace, settings: ClinicSettings, out: TextIO = sys.stdout) -> int:
    try:
        erased = forget_person(settings.phone_region, phone=args.phone, reference=args.reference, dry_run=args.dry_run)
    except (ForgetError, SQLAlchemyError) as error:
        return _failed(error)
    by = "that phone number" if args.phone else "that booking reference"
    if args.dry_run:
        print(f"Would delete for {by}: {erased.describe()}. Nothing was deleted.", file=out)
    else:
        print(f"Deleted for {by}: {erased.describe()}. The counts are in the audit log.", file=out)
    return 0


def run_backup(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        files = backup(args.directory)
        # Who took a copy of the personal data, and where to (a path, no content).
        AccountStore().record(
            AuditEntry(
                datetime.now(timezone.utc),
                "command line",
                "backup made",
                str(args.directory.resolve())[:200],
                None,
                f"{len(files)} file(s)",
            )
        )
    except (BackupError, SQLAlchemyError, OSError) as error:
        return _failed(error)
    for file in files:
        print(f"{file.store}: {file.path} ({file.size:,} bytes)", file=out)
    print("Readable by this user only (mode 0600). To restore: README, Keeping and deleting personal data.", file=out)
    return 0
