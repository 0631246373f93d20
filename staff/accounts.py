"""Staff accounts: who may sign in to the console, and what they changed.

Passwords are hashed with argon2id (argon2-cffi's defaults) and never stored, printed or
logged. After MAX_FAILED_SIGN_INS wrong passwords in a row an account is locked for
LOCK_MINUTES; the lock is logged with the account's name only. Every change is written to
the audit log by the same functions the CLI and the console call.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storage.staff_accounts import AccountStore, AuditEntry, StaffUser

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256  # argon2 takes any length; this stops a megabyte "password"
MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class AccountError(ValueError):
    """A request about an account that can't be done, with the reason for the person."""


@dataclass(frozen=True)
class SignIn:
    user: Optional[StaffUser]
    reason: str = ""  # "" when signed in; else wrong, locked or disabled

    @property
    def ok(self) -> bool:
        return self.user is not None and not self.reason


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def normalise_name(name: str) -> str:
    cleaned = (name or "").strip().lower()
    if not _NAME.match(cleaned):
        raise AccountError(
            "a name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit"
        )
    return cleaned


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"a password can have at most {MAX_PASSWORD_CHARS} characters")
    return password


class Accounts:
    def __init__(self, store: AccountStore, clock: Clock = _utc_now, hasher: Optional[PasswordHasher] = None) -> None:
        self.store = store
        self.clock = clock
        self.hasher = hasher or PasswordHasher()  # argon2id with the library's current defaults
        # Verified against for unknown names, so a wrong name costs as long as a wrong password.
        self._dummy_hash = self.hasher.hash("not a real password, only for timing")

    def add(self, name: str, password: str, is_admin: bool = False, actor: str = "command line") -> StaffUser:
        name = normalise_name(name)
        self.store.add(name, self.hasher.hash(check_password(password)), is_admin, self.clock())
        self._audit(actor, "account added", name, None, "admin" if is_admin else "staff")
        user = self.store.get(name)
        assert user is not None
        return user

    def list(self) -> List[StaffUser]:
        return self.store.all()

    def disable(self, name: str, actor: str = "command line") -> None:
        name = normalise_name(name)
        if not self.store.set(name, disabled=True):
            raise AccountError(f"there is no account named {name!r}")
        self._audit(actor, "account disabled", name, "enabled", "disabled")

    def reset_password(self, name: str, password: str, actor: str = "command line") -> None:
        name = normalise_name(name)
        changed = self.store.set(
            name,
            password_hash=self.hasher.hash(check_password(password)),
            password_changed_at=self.clock(),
            failed_attempts=0,
            locked_until=None,
            disabled=False,
        )
        if not changed:
            raise AccountError(f"there is no account named {name!r}")
        self._audit(actor, "password reset", name, None, None)  # never the password itself

    def sign_in(self, name: str, password: str) -> SignIn:
        try:
            name = normalise_name(name)
        except AccountError:
            name = ""
        user = self.store.get(name) if name else None
        if user is None:
            self._verify(self._dummy_hash, password)
            return SignIn(None, "wrong")
        now = self.clock()
        if user.locked_until is not None and user.locked_until > now:
            return SignIn(None, "locked")  # even with the right password
        if not self._verify(user.password_hash, password):
            failed = user.failed_attempts + 1
            if failed >= MAX_FAILED_SIGN_INS:
                self.store.set(name, failed_attempts=0, locked_until=now + timedelta(minutes=LOCK_MINUTES))
                logger.warning(
                    "Staff account %s locked for %d minutes after %d wrong passwords.",
                    name,
                    LOCK_MINUTES,
                    MAX_FAILED_SIGN_INS,
                )
                self._audit("console", "account locked", name, None, f"{LOCK_MINUTES} minutes")
                return SignIn(None, "locked")
            self.store.set(name, failed_attempts=failed)
            return SignIn(None, "wrong")
        if user.disabled:
            return SignIn(None, "disabled")
        if user.failed_attempts or user.locked_until:
            self.store.set(name, failed_attempts=0, locked_until=None)
        return SignIn(self.store.get(name))

    def audit(self, actor: str, action: str, target: str, old: Optional[str], new: Optional[str]) -> None:
        """Record a change made in the console (a booking marked contacted, an answer edited...)."""
        self._audit(actor, action, target, old, new)

    def _audit(self, actor: str, action: str, target: str, old: Optional[str], new: Optional[str]) -> None:
        self.store.record(AuditEntry(self.clock(), actor, action, target, old, new))

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(password_hash, password[:MAX_PASSWORD_CHARS]))
        except (VerificationError, InvalidHashError):
            return False
