"""`python -m staff user add|list|disable|reset-password`: staff accounts, made on the server.

There is no default account and no password in any file. A password is typed at a hidden
prompt (twice), or read as one line from standard input when it is not a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Optional, TextIO

from staff.accounts import MIN_PASSWORD_CHARS, AccountError, Accounts
from storage.bookings import StoreError
from storage.staff_accounts import AccountStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="make an account (asks for its password)")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may also manage accounts and read the audit log")
    actions.add_parser("list", help="every account, whether it is an admin, disabled or locked")
    disable = actions.add_parser("disable", help="stop an account from signing in")
    disable.add_argument("name")
    reset = actions.add_parser("reset-password", help="set a new password (also unlocks and re-enables)")
    reset.add_argument("name")


def read_password(stdin: TextIO = sys.stdin, prompt: str = "Password") -> str:
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{prompt} (at least {MIN_PASSWORD_CHARS} characters): ")
    if first != getpass.getpass("Same again: "):
        raise AccountError("the two passwords differ")
    return first


def run(args: argparse.Namespace, out: TextIO = sys.stdout, accounts: Optional[Accounts] = None) -> int:
    try:
        accounts = accounts or Accounts(AccountStore())
        if args.user_command == "add":
            user = accounts.add(args.name, read_password(), is_admin=args.admin)
            print(f"Added {'admin' if user.is_admin else 'staff'} account {user.name}.", file=out)
        elif args.user_command == "list":
            users = accounts.list()
            if not users:
                print("No accounts yet: python -m staff user add NAME [--admin]", file=out)
            now = accounts.clock()
            for user in users:
                state = (
                    "disabled"
                    if user.disabled
                    else "locked"
                    if user.locked_until and user.locked_until > now
                    else "active"
                )
                print(f"{user.name:<24} {'admin' if user.is_admin else 'staff':<6} {state}", file=out)
        elif args.user_command == "disable":
            accounts.disable(args.name)
            print(f"Disabled {args.name}.", file=out)
        elif args.user_command == "reset-password":
            accounts.reset_password(args.name, read_password(prompt="New password"))
            print(f"New password set for {args.name}.", file=out)
    except (AccountError, StoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
