"""Staff commands: `python -m staff <command>`. Run `python -m staff --help`."""

import argparse
import sys

from clinic.hours import describe_week
from clinic.paths import settings_path
from clinic.prices import describe_prices
from clinic.red_flags import RedFlagsError, default_signs
from clinic.settings import SettingsError, load_settings
from staff import bookings as staff_bookings
from staff import conversations as staff_conversations
from staff import data_commands, users


def check_settings() -> int:
    """Validate the clinic settings file and show what visitors will be told."""
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"OK: {settings_path()}")
    print(f"  {settings.name}, {settings.phone} ({settings.phone_e164}), {settings.address}")
    print(f"  Hours ({settings.timezone}): {describe_week(settings)}")
    print(f"  Booking: {settings.booking_url}; emergency number: {settings.emergency_number}")
    print(f"  Prices: {describe_prices(settings) or 'none listed (the cost answer says so)'}")
    try:
        shared = len(default_signs())
    except RedFlagsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"  Red flags: {shared} in red_flags.yml, {len(settings.red_flags)} of the clinic's own")
    return 0


def rebuild_index() -> int:
    """Read every conversation again into the console's index (after deleting events by hand)."""
    from storage.conversation_index import ConversationIndex
    from storage.conversations import TrackerStoreError

    try:
        read = ConversationIndex().rebuild()
    except TrackerStoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Rebuilt the console's index from {read} events.")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m staff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-settings", help=check_settings.__doc__)
    commands.add_parser("rebuild-index", help=rebuild_index.__doc__)
    staff_bookings.add_arguments(
        commands.add_parser("bookings", help="list booking requests, mark contacted, export CSV")
    )
    staff_conversations.add_review_arguments(
        commands.add_parser("review", help="unanswered visitor questions: list, export to label, apply labels")
    )
    staff_conversations.add_conversation_arguments(
        commands.add_parser("conversations", help="recent conversations and masked transcripts")
    )
    commands.add_parser("reports", help="after-treatment reports with their time; red flags marked, to follow up")
    users.add_arguments(commands.add_parser("user", help="staff accounts: add, list, disable, reset-password"))
    data_commands.add_purge_arguments(
        commands.add_parser("purge", help="delete conversations and contacted requests older than clinic.yml keeps")
    )
    data_commands.add_forget_arguments(
        commands.add_parser(
            "forget", help="delete one person's booking requests and conversations (by phone or reference)"
        )
    )
    data_commands.add_backup_arguments(
        commands.add_parser("backup", help="a consistent copy of both stores into DIR, while the assistant runs")
    )
    args = parser.parse_args()
    if args.command == "check-settings":
        sys.exit(check_settings())
    if args.command == "user":
        sys.exit(users.run(args))
    if args.command == "rebuild-index":
        sys.exit(rebuild_index())
    if args.command == "backup":
        sys.exit(data_commands.run_backup(args))
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.exit(f"error: {error}")
    if args.command == "bookings":
        sys.exit(staff_bookings.run(args, settings))
    if args.command == "review":
        sys.exit(staff_conversations.run_review(args, settings))
    if args.command == "conversations":
        sys.exit(staff_conversations.run_conversations(args, settings))
    if args.command == "reports":
        sys.exit(staff_conversations.run_reports(args, settings))
    if args.command == "purge":
        sys.exit(data_commands.run_purge(args, settings))
    if args.command == "forget":
        sys.exit(data_commands.run_forget(args, settings))


if __name__ == "__main__":
    main()
