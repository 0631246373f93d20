"""`python -m staff review ...` and `python -m staff conversations ...` for staff."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from clinic.paths import REPO_ROOT
from clinic.settings import ClinicSettings
from staff import review, transcripts
from storage.conversations import TrackerReader, TrackerStoreError


def add_review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold",
        type=float,
        default=review.DEFAULT_THRESHOLD,
        help="list answers given with less confidence than this (default %(default)s)",
    )
    parser.add_argument("--limit", type=int, default=50, help="show at most this many (default %(default)s)")
    parser.add_argument("--export", metavar="FILE", help="write the list to a CSV file to label")
    parser.add_argument("--apply", metavar="FILE", help="add the labelled rows of FILE to the training data")
    parser.add_argument("--data", default=str(REPO_ROOT / "data"), help=argparse.SUPPRESS)
    parser.add_argument("--no-check", action="store_true", help=argparse.SUPPRESS)


def add_conversation_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="conversations_command")
    listing = actions.add_parser("list", help="recent conversations (default)")
    listing.add_argument("--limit", type=int, default=20)
    show = actions.add_parser("show", help="one conversation's transcript, personal data masked")
    show.add_argument("conversation_id")


def run_review(args: argparse.Namespace, settings: ClinicSettings, out: TextIO = sys.stdout) -> int:
    if args.apply:
        return _apply(Path(args.apply), Path(args.data), not args.no_check, out)
    try:
        conversations = TrackerReader().conversations()
    except TrackerStoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    items = review.collect(conversations, args.threshold, settings.phone_region)
    if args.export:
        with open(args.export, "w", newline="", encoding="utf-8") as handle:
            count = review.export(items, handle)
        print(f"Wrote {count} question(s) to {args.export}.", file=out)
        print("Next: write a topic next to each question you want the assistant to learn, then run", file=out)
        print(f"  python -m staff review --apply {args.export}", file=out)
        return 0
    print(review.format_list(items[: args.limit]), file=out)
    if len(items) > args.limit:
        print(f"... and {len(items) - args.limit} more (use --limit or --export)", file=out)
    return 0


def _apply(path: Path, data_dir: Path, run_checks: bool, out: TextIO) -> int:
    if not path.exists():
        print(f"error: {path} does not exist; make it with --export first", file=sys.stderr)
        return 1
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            result = review.apply_labels(handle, data_dir)
    except review.LabelError as error:
        print(f"error in {path}: {error}", file=sys.stderr)
        return 1
    for intent, messages in result.added.items():
        for message in messages:
            print(f"added to {intent}: {message}", file=out)
    for message, where in result.duplicates:
        print(f"already known, skipped: {message}  (under {where})", file=out)
    print(
        f"{result.added_count} added, {len(result.duplicates)} already known, "
        f"{result.skipped_unlabelled} without a topic.",
        file=out,
    )
    if result.added_count and run_checks:
        print("Running the data checks...", file=out, flush=True)
        checked = subprocess.run([sys.executable, "-m", "ops.check", "--root", str(data_dir.parent)], cwd=REPO_ROOT)
        if checked.returncode != 0:
            print("The checks found problems (above); fix them before training.", file=sys.stderr)
            return 1
    if result.added_count:
        print("Next: `make reload` trains the model and loads it into the running assistant.", file=out)
    return 0


def run_reports(args: argparse.Namespace, settings: ClinicSettings, out: TextIO = sys.stdout) -> int:
    """Every after-treatment report with its time, red flags first to follow up."""
    try:
        conversations = TrackerReader().conversations()
    except TrackerStoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(transcripts.format_safety_reports(conversations, settings.phone_region), file=out)
    return 0


def run_conversations(args: argparse.Namespace, settings: ClinicSettings, out: TextIO = sys.stdout) -> int:
    command = args.conversations_command or "list"
    try:
        reader = TrackerReader()
        if command == "show":
            found = reader.conversations(args.conversation_id)
            if not found:
                print(f"error: no conversation {args.conversation_id!r}", file=sys.stderr)
                return 1
            print(transcripts.format_transcript(found[0], settings.phone_region), file=out)
            return 0
        conversations = reader.conversations()
    except TrackerStoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(transcripts.format_list(conversations[: getattr(args, "limit", 20)]), file=out)
    return 0
