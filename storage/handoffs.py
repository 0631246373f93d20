"""Live hand-offs to a person: who is available, who waits, who took whom; in the clinic's database.

Everything lives in the database, not in a process's memory, so any number of Rasa servers,
action servers and consoles share one queue. Taking a conversation is one conditional
UPDATE, so two staff pressing "Take over" at once can't both get it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, create_engine, func, select, update

from clinic.paths import clinic_db_url

PRESENCE_SECONDS = 60.0  # a console that has not been seen for this long is not available
# A visitor still waiting after this long has left (they were offered a call-back long before).
ABANDONED_SECONDS = 30 * 60.0
WAITING, TAKEN, ENDED = "waiting", "taken", "ended"

metadata = MetaData()
staff_presence = Table(
    "staff_presence",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("available", Boolean, nullable=False, default=False),
    Column("seen_at", Float, nullable=False),
)
handoffs = Table(
    "handoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("requested_at", Float, nullable=False),
    Column("taken_by", String(64)),
    Column("taken_at", Float),
    Column("ended_at", Float),
    Column("outcome", String(32)),  # handed_back, closed, callback, released
    Column("red_flag", Boolean, nullable=False, default=False),
)


@dataclass(frozen=True)
class Handoff:
    id: int
    sender_id: str
    requested_at: float
    taken_by: Optional[str]
    taken_at: Optional[float]
    ended_at: Optional[float]
    outcome: Optional[str]
    red_flag: bool

    @property
    def state(self) -> str:
        if self.ended_at is not None:
            return ENDED
        return TAKEN if self.taken_by else WAITING


def _handoff(row: object) -> Handoff:
    return Handoff(**{name: getattr(row, name) for name in Handoff.__dataclass_fields__})


class HandoffStore:
    def __init__(self, url: Optional[str] = None) -> None:
        # pool_pre_ping: after a database restart, a dropped connection is replaced, not failed on.
        self.engine = create_engine(url or clinic_db_url(), future=True, pool_pre_ping=True)
        metadata.create_all(self.engine)

    # -- staff presence ------------------------------------------------------------------
    def set_available(self, name: str, available: bool, now: Optional[float] = None) -> None:
        now = now or time.time()
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(staff_presence).where(staff_presence.c.name == name).values(available=available, seen_at=now)
            ).rowcount
            if not changed:
                connection.execute(staff_presence.insert().values(name=name, available=available, seen_at=now))

    def seen(self, name: str, now: Optional[float] = None) -> None:
        """A console page of `name` is open: keeps their availability (and their conversations) alive."""
        now = now or time.time()
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(staff_presence).where(staff_presence.c.name == name).values(seen_at=now)
            ).rowcount
            if not changed:
                connection.execute(staff_presence.insert().values(name=name, available=False, seen_at=now))

    def idle_holders(self, now: Optional[float] = None) -> List[str]:
        """Staff who hold a conversation but whose console has not been seen for a while."""
        since = (now or time.time()) - PRESENCE_SECONDS
        present = select(staff_presence.c.name).where(staff_presence.c.seen_at >= since)
        query = (
            select(handoffs.c.taken_by)
            .where(handoffs.c.ended_at.is_(None), handoffs.c.taken_by.is_not(None), handoffs.c.taken_by.not_in(present))
            .distinct()
        )
        with self.engine.connect() as connection:
            return [str(row[0]) for row in connection.execute(query)]

    def is_available(self, name: str, now: Optional[float] = None) -> bool:
        return name in self.available_staff(now)

    def available_staff(self, now: Optional[float] = None) -> List[str]:
        since = (now or time.time()) - PRESENCE_SECONDS
        query = select(staff_presence.c.name).where(
            staff_presence.c.available.is_(True), staff_presence.c.seen_at >= since
        )
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(query)]

    # -- the queue -------------------------------------------------------------------------
    def request(self, sender_id: str, now: Optional[float] = None) -> Tuple[Handoff, int]:
        """Put the conversation in the queue (once); returns it and how many wait before it."""
        current = self.open_for(sender_id)
        if current is None:
            with self.engine.begin() as connection:
                connection.execute(handoffs.insert().values(sender_id=sender_id, requested_at=now or time.time()))
            current = self.open_for(sender_id)
        assert current is not None
        return current, self.ahead_of(current)

    def ahead_of(self, handoff: Handoff) -> int:
        query = select(func.count()).where(
            handoffs.c.ended_at.is_(None), handoffs.c.taken_by.is_(None), handoffs.c.requested_at < handoff.requested_at
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def open_for(self, sender_id: str) -> Optional[Handoff]:
        query = (
            select(handoffs)
            .where(handoffs.c.sender_id == sender_id, handoffs.c.ended_at.is_(None))
            .order_by(handoffs.c.id.desc())
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _handoff(row)

    def get(self, handoff_id: int) -> Optional[Handoff]:
        with self.engine.connect() as connection:
            row = connection.execute(select(handoffs).where(handoffs.c.id == handoff_id)).first()
        return None if row is None else _handoff(row)

    def waiting(self) -> List[Handoff]:
        """Conversations waiting for a person, oldest first."""
        return self._list(handoffs.c.taken_by.is_(None))

    def taken_by(self, name: str) -> List[Handoff]:
        return self._list(handoffs.c.taken_by == name)

    def _list(self, condition: object) -> List[Handoff]:
        query = select(handoffs).where(handoffs.c.ended_at.is_(None), condition).order_by(handoffs.c.requested_at)
        with self.engine.connect() as connection:
            return [_handoff(row) for row in connection.execute(query)]

    def take(self, handoff_id: int, name: str, now: Optional[float] = None) -> Optional[str]:
        """Give the conversation to `name`; None if they got it, else who has it (or "ended")."""
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(handoffs)
                .where(handoffs.c.id == handoff_id, handoffs.c.taken_by.is_(None), handoffs.c.ended_at.is_(None))
                .values(taken_by=name, taken_at=now or time.time())
            ).rowcount
        if taken == 1:
            return None
        current = self.get(handoff_id)
        if current is None or current.ended_at is not None:
            return "ended"
        return current.taken_by or "someone"

    def end(self, handoff_id: int, outcome: str, now: Optional[float] = None) -> bool:
        with self.engine.begin() as connection:
            return bool(
                connection.execute(
                    update(handoffs)
                    .where(handoffs.c.id == handoff_id, handoffs.c.ended_at.is_(None))
                    .values(ended_at=now or time.time(), outcome=outcome)
                ).rowcount
            )

    def release(self, name: str) -> List[Handoff]:
        """Put `name`'s conversations back in the queue (they signed out or went idle)."""
        mine = self.taken_by(name)
        with self.engine.begin() as connection:
            connection.execute(
                update(handoffs)
                .where(handoffs.c.taken_by == name, handoffs.c.ended_at.is_(None))
                .values(taken_by=None, taken_at=None)
            )
            connection.execute(update(staff_presence).where(staff_presence.c.name == name).values(available=False))
        return mine

    def expire_abandoned(self, now: Optional[float] = None) -> int:
        """End hand-offs nobody took that have waited longer than ABANDONED_SECONDS."""
        cutoff = (now or time.time()) - ABANDONED_SECONDS
        with self.engine.begin() as connection:
            return int(
                connection.execute(
                    update(handoffs)
                    .where(
                        handoffs.c.ended_at.is_(None), handoffs.c.taken_by.is_(None), handoffs.c.requested_at < cutoff
                    )
                    .values(ended_at=now or time.time(), outcome="abandoned")
                ).rowcount
                or 0
            )

    def flag_red(self, sender_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(handoffs)
                .where(handoffs.c.sender_id == sender_id, handoffs.c.ended_at.is_(None))
                .values(red_flag=True)
            )

    def asked_between(self, since: float, until: float) -> List[Handoff]:
        """Hand-offs asked for in [since, until), for Insights."""
        query = select(handoffs).where(handoffs.c.requested_at >= since, handoffs.c.requested_at < until)
        with self.engine.connect() as connection:
            return [_handoff(row) for row in connection.execute(query)]
