"""Staff accounts: argon2id hashes, lockout after 5 wrong passwords, audit log, the CLI."""

import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from clinic.paths import REPO_ROOT
from staff.accounts import AccountError, Accounts
from storage.staff_accounts import AccountExistsError, AccountStore

PASSWORD = "correct horse battery"
# Cheap argon2id parameters: the tests check behaviour, not the cost of guessing.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(tmp_path, clock) -> Accounts:
    return Accounts(AccountStore(f"sqlite:///{tmp_path / 'clinic.db'}"), clock=clock, hasher=FAST)


def test_passwords_are_stored_as_argon2id_hashes_only(accounts):
    user = accounts.add("Maria", PASSWORD, is_admin=True)
    assert user.name == "maria" and user.is_admin
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


@pytest.mark.parametrize("password", ["", "short", "elevenchars"])
def test_passwords_shorter_than_12_characters_are_refused(accounts, password):
    with pytest.raises(AccountError, match="at least 12 characters"):
        accounts.add("maria", password)
    assert accounts.list() == []


def test_names_are_unique_and_plain(accounts):
    accounts.add("maria", PASSWORD)
    with pytest.raises(AccountExistsError):
        accounts.add("MARIA", PASSWORD)
    with pytest.raises(AccountError, match="a name is"):
        accounts.add("ma ria<script>", PASSWORD)


def test_sign_in_with_the_right_and_wrong_password(accounts):
    accounts.add("maria", PASSWORD)
    assert accounts.sign_in("Maria", PASSWORD).ok
    assert accounts.sign_in("maria", "wrong password!!").reason == "wrong"
    assert accounts.sign_in("nobody", PASSWORD).reason == "wrong"  # the same answer: names stay private


def test_five_wrong_passwords_lock_the_account_for_15_minutes(accounts, clock, caplog):
    accounts.add("maria", PASSWORD)
    with caplog.at_level(logging.WARNING):
        results = [accounts.sign_in("maria", f"wrong guess {n:04d}").reason for n in range(5)]
    assert results == ["wrong"] * 4 + ["locked"]
    assert "maria locked for 15 minutes" in caplog.text and "wrong guess" not in caplog.text
    assert accounts.sign_in("maria", PASSWORD).reason == "locked"  # even the right password
    clock.now += timedelta(minutes=14, seconds=59)
    assert accounts.sign_in("maria", PASSWORD).reason == "locked"
    clock.now += timedelta(seconds=2)
    assert accounts.sign_in("maria", PASSWORD).ok
    assert accounts.store.get("maria").failed_attempts == 0


def test_a_right_password_resets_the_count(accounts):
    accounts.add("maria", PASSWORD)
    for _ in range(4):
        accounts.sign_in("maria", "not the password")
    assert accounts.sign_in("maria", PASSWORD).ok
    assert [accounts.sign_in("maria", "nope nope nope").reason for _ in range(4)] == ["wrong"] * 4


def test_disabled_accounts_cannot_sign_in_and_a_reset_re_enables(accounts):
    accounts.add("maria", PASSWORD)
    accounts.disable("maria")
    assert accounts.sign_in("maria", PASSWORD).reason == "disabled"
    accounts.reset_password("maria", "a brand new password")
    assert accounts.sign_in("maria", "a brand new password").ok
    with pytest.raises(AccountError, match="no account named 'nobody'"):
        accounts.disable("nobody")


def test_every_change_is_in_the_audit_log_without_passwords(accounts):
    accounts.add("maria", PASSWORD, is_admin=True)
    accounts.reset_password("maria", "another long password")
    accounts.audit("maria", "booking marked contacted", "MN-4F7K2Q", "new", "contacted")
    entries = accounts.store.audit()
    assert [(e.action, e.target, e.old_value, e.new_value) for e in entries] == [
        ("booking marked contacted", "MN-4F7K2Q", "new", "contacted"),
        ("password reset", "maria", None, None),
        ("account added", "maria", None, "admin"),
    ]
    assert entries[0].actor == "maria" and entries[0].at.tzinfo is not None
    assert all(PASSWORD not in str(e) and "another long password" not in str(e) for e in entries)


def _staff(args, tmp_path, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "staff", "user", *args],
        cwd=REPO_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "CLINIC_DB_URL": f"sqlite:///{tmp_path / 'clinic.db'}"},
    )


def test_the_command_line_reads_the_password_from_stdin_when_it_is_not_a_terminal(tmp_path):
    added = _staff(["add", "Maria", "--admin"], tmp_path, PASSWORD + "\n")
    assert added.returncode == 0 and "Added admin account maria" in added.stdout
    assert PASSWORD not in added.stdout + added.stderr
    short = _staff(["add", "bob"], tmp_path, "short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    assert _staff(["disable", "maria"], tmp_path).returncode == 0
    listing = _staff(["list"], tmp_path).stdout
    assert "maria" in listing and "admin" in listing and "disabled" in listing and "bob" not in listing
