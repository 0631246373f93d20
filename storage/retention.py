"""Retention: deleting the personal data clinic.yml says is kept long enough.

Conversations go `conversations_days` after their last event: every event in the tracker
store and their rows in the console's index. Booking and call-back requests go
`contacted_requests_days` after staff marked them contacted; a request nobody has contacted
is never deleted. Each store is changed in one transaction, and the audit log gets the counts
(never a message, a name or a phone) in the same transaction as the bookings store's deletions.

`purge_due()` is the daily purge: safe to call as often as you like from any number of
processes, it purges when the last purge is more than a day old (the time is kept in the
clinic's database, which every server shares) and otherwise does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Sequence, Set, Tuple

from sqlalchemy import Column, Float, Integer, MetaData, Table, and_, exists, func, inspect, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from clinic.paths import clinic_db_url, tracker_db_url
from clinic.settings import Retention, current_settings
from storage.bookings import STATUS_CONTACTED, booking_requests
from storage.conversation_index import ci_conversations
from storage.erasure import INDEX_TABLES, Store, chunks, events, open_store, record_audit, remove
from storage.staff_accounts import AccountStore

DAILY = timedelta(hours=24)
AUDIT_ACTION = "personal data purged"

metadata = MetaData()
# One row: when the last purge started (UNIX seconds), so only one process purges each day.
purge_state = Table("retention_state", metadata, Column("id", Integer, primary_key=True), Column("last_purge", Float))


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int
    requests: int
    dry_run: bool = False

    def describe(self) -> str:
        return f"{self.conversations} conversation(s) ({self.events} events), {self.requests} contacted request(s)"


def _utc(now: Optional[datetime]) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def purge(
    now: Optional[datetime] = None,
    retention: Optional[Retention] = None,
    tracker: Store = None,
    clinic: Store = None,
    dry_run: bool = False,
    actor: str = "command line",
) -> Purged:
    """Delete (with `dry_run`: count) what is older than `retention` allows at `now`."""
    now = _utc(now)
    retention = retention or current_settings().retention
    conversations_before = (now - timedelta(days=retention.conversations_days)).timestamp()
    # In UTC, as stored: SQLite keeps the datetime without its zone and compares it as text.
    contacted_before = now - timedelta(days=retention.contacted_requests_days)
    tracker_engine, own_tracker = open_store(tracker, tracker_db_url)
    clinic_engine, own_clinic = open_store(clinic, clinic_db_url)
    try:
        gone, removed_events = _purge_conversations(tracker_engine, conversations_before, dry_run)
        if not dry_run:
            AccountStore(engine=clinic_engine)  # the audit table, on a store no one has signed in to yet
        with clinic_engine.begin() as connection:
            requests = 0
            if inspect(connection).has_table(booking_requests.name):
                old = and_(
                    booking_requests.c.status == STATUS_CONTACTED,
                    booking_requests.c.contacted_at.is_not(None),
                    booking_requests.c.contacted_at < contacted_before,
                )
                requests = remove(connection, booking_requests, old, dry_run)
            purged = Purged(len(gone), removed_events, requests, dry_run)
            if not dry_run:
                _forget_in_index(connection, gone, conversations_before, tracker_engine)
                limits = (
                    f"conversations older than {retention.conversations_days} days, "
                    f"requests contacted more than {retention.contacted_requests_days} days ago"
                )
                record_audit(connection, actor, AUDIT_ACTION, "retention", limits, purged.describe())
        return purged
    finally:
        for engine, owned in ((tracker_engine, own_tracker), (clinic_engine, own_clinic)):
            if owned:
                engine.dispose()


def _purge_conversations(engine: Engine, before: float, dry_run: bool) -> Tuple[List[str], int]:
    """(ids of the conversations deleted, events deleted), in one transaction."""
    if not inspect(engine).has_table("events"):
        return [], 0
    removed = 0
    with engine.begin() as connection:
        old = connection.execute(
            select(events.c.sender_id).group_by(events.c.sender_id).having(func.max(events.c.timestamp) < before)
        )
        ids = sorted(str(sender) for (sender,) in old)
        newer = events.alias("newer")
        for chunk in chunks(ids):
            # A visitor who came back since the query above keeps the whole conversation.
            came_back = exists().where(and_(newer.c.sender_id == events.c.sender_id, newer.c.timestamp >= before))
            removed += remove(connection, events, and_(events.c.sender_id.in_(chunk), ~came_back), dry_run)
        if not dry_run:
            ids = [sender for sender in ids if sender not in _with_events(connection, ids)]
    return ids, removed


def _with_events(connection: Connection, sender_ids: Sequence[str]) -> Set[str]:
    found: Set[str] = set()
    for chunk in chunks(sender_ids):
        query = select(events.c.sender_id.distinct()).where(events.c.sender_id.in_(chunk))
        found.update(str(sender) for (sender,) in connection.execute(query))
    return found


def _forget_in_index(connection: Connection, gone: Sequence[str], before: float, tracker: Engine) -> None:
    """Delete the index rows of the purged conversations, and of old ones whose events are gone
    already (a purge whose second transaction failed, events deleted by hand)."""
    if not inspect(connection).has_table(ci_conversations.name):
        return
    old = select(ci_conversations.c.sender_id).where(ci_conversations.c.last < before)
    stale = [str(sender) for (sender,) in connection.execute(old)]
    if stale and inspect(tracker).has_table("events"):
        with tracker.connect() as source:
            kept = _with_events(source, stale)
        stale = [sender for sender in stale if sender not in kept]
    ids = sorted(set(gone) | set(stale))
    for index_table in INDEX_TABLES:
        for chunk in chunks(ids):
            connection.execute(index_table.delete().where(index_table.c.sender_id.in_(chunk)))


def purge_due(
    now: Optional[datetime] = None,
    retention: Optional[Retention] = None,
    tracker: Store = None,
    clinic: Store = None,
    every: timedelta = DAILY,
) -> Optional[Purged]:
    """Purge if the last purge started more than `every` ago; None when it was not due.

    The daily purge: call it from the supervisor every hour or so. Claiming the day is one
    conditional UPDATE, so when several processes call it at once exactly one purges. A purge
    that fails hands the day back, so the next call tries again.
    """
    now = _utc(now)
    clinic_engine, own_clinic = open_store(clinic, clinic_db_url)
    try:
        claimed, previous = _claim(clinic_engine, now.timestamp(), (now - every).timestamp())
        if not claimed:
            return None
        try:
            return purge(now, retention, tracker, clinic_engine, actor="daily purge")
        except Exception:
            with clinic_engine.begin() as connection:
                mine = purge_state.c.id == 1
                if previous is None:
                    connection.execute(purge_state.delete().where(mine))
                else:
                    connection.execute(update(purge_state).where(mine).values(last_purge=previous))
            raise
    finally:
        if own_clinic:
            clinic_engine.dispose()


def _claim(engine: Engine, now: float, due_before: float) -> Tuple[bool, Optional[float]]:
    """(whether this call purges, the previous start time or None if there was none)."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        row = connection.execute(select(purge_state.c.last_purge).where(purge_state.c.id == 1)).first()
        if row is not None:
            claimed = connection.execute(
                update(purge_state)
                .where(purge_state.c.id == 1, purge_state.c.last_purge < due_before)
                .values(last_purge=now)
            ).rowcount
            return claimed == 1, float(row[0])
    try:
        with engine.begin() as connection:
            connection.execute(purge_state.insert().values(id=1, last_purge=now))
    except IntegrityError:
        return False, None  # another process started the first purge just now
    return True, None


def last_purge(clinic: Store = None) -> Optional[datetime]:
    """When the daily purge last ran, if ever."""
    engine, owned = open_store(clinic, clinic_db_url)
    try:
        if not inspect(engine).has_table(purge_state.name):
            return None
        with engine.connect() as connection:
            moment = connection.execute(select(purge_state.c.last_purge).where(purge_state.c.id == 1)).scalar()
        return None if moment is None else datetime.fromtimestamp(float(moment), tz=timezone.utc)
    finally:
        if owned:
            engine.dispose()
