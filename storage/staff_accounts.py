"""Staff accounts and the audit log, in the same database as the bookings store.

Only what is stored: names, password hashes (never a password), the lockout counters, and
one audit row per change staff make (who, when, what, the old and the new value). The rules
(hashing, lockout, password length) are in `staff/accounts.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, select, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError

from storage.bookings import StoreError, database_url

metadata = MetaData()
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
)
audit_log = Table(
    "staff_audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("old_value", Text),
    Column("new_value", Text),
)


staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the cookie's token
    Column("user_name", String(64), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class StoredSession:
    token_hash: str
    user_name: str
    csrf_token: str
    last_seen: datetime


class AccountExistsError(StoreError):
    """An account with that name already exists."""


@dataclass(frozen=True)
class StaffUser:
    name: str
    password_hash: str
    is_admin: bool
    disabled: bool
    failed_attempts: int
    locked_until: Optional[datetime]
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    old_value: Optional[str]
    new_value: Optional[str]


def _aware(moment: Optional[datetime]) -> Optional[datetime]:
    # SQLite hands back naive datetimes; everything here is stored in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _user(row: Row) -> StaffUser:
    return StaffUser(
        name=row.name,
        password_hash=row.password_hash,
        is_admin=bool(row.is_admin),
        disabled=bool(row.disabled),
        failed_attempts=int(row.failed_attempts or 0),
        locked_until=_aware(row.locked_until),
        created_at=_aware(row.created_at) or datetime.now(timezone.utc),
    )


class AccountStore:
    def __init__(self, url: Optional[str] = None, engine: Optional[Engine] = None) -> None:
        self.engine = engine or create_engine(url or database_url(), future=True, pool_pre_ping=True)
        try:
            metadata.create_all(self.engine)
        except Exception as error:
            raise StoreError(f"could not open the account store: {type(error).__name__}") from error

    def add(self, name: str, password_hash: str, is_admin: bool, now: datetime) -> None:
        row = {
            "name": name,
            "password_hash": password_hash,
            "is_admin": is_admin,
            "disabled": False,
            "failed_attempts": 0,
            "created_at": now,
            "password_changed_at": now,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(staff_users.insert().values(**row))
        except IntegrityError:
            raise AccountExistsError(f"an account named {name!r} already exists") from None

    def get(self, name: str) -> Optional[StaffUser]:
        with self.engine.connect() as connection:
            row = connection.execute(select(staff_users).where(staff_users.c.name == name)).first()
        return None if row is None else _user(row)

    def all(self) -> List[StaffUser]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(staff_users).order_by(staff_users.c.name)).fetchall()
        return [_user(row) for row in rows]

    def set(self, name: str, **values: Any) -> bool:
        """Change stored fields of one account; False if there is no such account."""
        with self.engine.begin() as connection:
            result = connection.execute(update(staff_users).where(staff_users.c.name == name).values(**values))
        return bool(result.rowcount == 1)

    def add_session(self, token_hash: str, user_name: str, csrf_token: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                staff_sessions.insert().values(
                    token_hash=token_hash, user_name=user_name, csrf_token=csrf_token, created_at=now, last_seen=now
                )
            )

    def session(self, token_hash: str) -> Optional[StoredSession]:
        with self.engine.connect() as connection:
            row = connection.execute(select(staff_sessions).where(staff_sessions.c.token_hash == token_hash)).first()
        if row is None:
            return None
        return StoredSession(row.token_hash, row.user_name, row.csrf_token, _aware(row.last_seen) or datetime.min)

    def touch_session(self, token_hash: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(staff_sessions).where(staff_sessions.c.token_hash == token_hash).values(last_seen=now)
            )

    def end_session(self, token_hash: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(staff_sessions.delete().where(staff_sessions.c.token_hash == token_hash))

    def record(self, entry: AuditEntry) -> None:
        with self.engine.begin() as connection:
            connection.execute(audit_log.insert().values(**entry.__dict__))

    def audit(self, limit: int = 200) -> List[AuditEntry]:
        """The newest entries first."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)).fetchall()
        fields: List[Dict[str, Any]] = [dict(row._mapping) for row in rows]
        return [
            AuditEntry(
                at=_aware(f["at"]) or datetime.now(timezone.utc),
                actor=f["actor"],
                action=f["action"],
                target=f["target"] or "",
                old_value=f["old_value"],
                new_value=f["new_value"],
            )
            for f in fields
        ]
