"""The bookings store: booking and call-back requests that staff act on.

SQLAlchemy 1.4 Core (the version Rasa 3.6 pins). SQLite under var/ by default,
PostgreSQL (or any SQLAlchemy URL) through CLINIC_DB_URL. Saving is idempotent per
`idempotency_key` (conversation + form run), so a doubled "yes" or a retried action still
leaves exactly one row.
"""

from __future__ import annotations

import csv
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, List, Optional

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from clinic.paths import VAR_DIR, clinic_db_url

STATUS_NEW = "new"
STATUS_CONTACTED = "contacted"
KIND_BOOKING = "booking"
KIND_CALLBACK = "callback"
# No 0/O or 1/I/L: staff read references out over the phone.
logger = logging.getLogger(__name__)
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

metadata = MetaData()
booking_requests = Table(
    "booking_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("name", String(200), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("preferred_time", String(40)),
    Column("screening", String(16)),
    Column("needs_provider_review", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False, default=STATUS_NEW),
    Column("contacted_at", DateTime(timezone=True)),
)
# Written to and rolled back by `accepts_writes`: a full or read-only disk refuses a real
# write (a page changed, a journal created), which a read or an empty UPDATE would not show.
store_probe = Table("store_probe", metadata, Column("id", Integer, primary_key=True))


class StoreError(RuntimeError):
    """The request could not be stored (database down, full disk, ...)."""


@dataclass(frozen=True)
class NewRequest:
    kind: str
    name: str
    phone: str  # E.164
    preferred_time: Optional[str] = None  # ISO 8601
    screening: Optional[str] = None  # "yes" / "no"

    @property
    def needs_provider_review(self) -> bool:
        return self.screening == "yes"


@dataclass(frozen=True)
class StoredRequest:
    reference: str
    kind: str
    created_at: datetime
    name: str
    phone: str
    preferred_time: Optional[str]
    screening: Optional[str]
    needs_provider_review: bool
    status: str
    contacted_at: Optional[datetime]


def database_url() -> str:
    """The bookings store's URL (clinic.paths); makes var/ for the default SQLite file."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return clinic_db_url()


def new_reference() -> str:
    return "MN-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


class BookingStore:
    def __init__(self, url: Optional[str] = None, engine: Optional[Engine] = None) -> None:
        self.engine = engine or create_engine(url or database_url(), future=True, pool_pre_ping=True)
        try:
            metadata.create_all(self.engine)
        except Exception as error:  # connection refused, bad URL, read-only file...
            raise StoreError(f"bookings store unavailable: {type(error).__name__}") from error

    def save(self, request: NewRequest, idempotency_key: str) -> str:
        """Store `request` once per `idempotency_key`; return its reference either way."""
        existing = self._reference_for(idempotency_key)
        if existing:
            return existing
        for _ in range(5):
            row = {
                "reference": new_reference(),
                "idempotency_key": idempotency_key,
                "kind": request.kind,
                "created_at": datetime.now(timezone.utc),
                "name": request.name,
                "phone": request.phone,
                "preferred_time": request.preferred_time,
                "screening": request.screening,
                "needs_provider_review": request.needs_provider_review,
                "status": STATUS_NEW,
            }
            try:
                with self.engine.begin() as connection:
                    connection.execute(booking_requests.insert().values(**row))
                return str(row["reference"])
            except IntegrityError:
                # Either the same key was saved concurrently (return that row) or the
                # random reference collided (try another).
                existing = self._reference_for(idempotency_key)
                if existing:
                    return existing
            except Exception as error:
                raise StoreError(f"could not store the request: {type(error).__name__}") from error
        raise StoreError("could not find a free reference")

    def accepts_writes(self) -> bool:
        """Can a request be stored right now? Asked before a booking starts, so that a visitor
        is not walked through every question only to hear at the end that it can't be saved."""
        try:
            with self.engine.connect() as connection:
                transaction = connection.begin()
                try:
                    connection.execute(store_probe.insert().values(id=1))
                finally:
                    transaction.rollback()
            return True
        except Exception as error:
            logger.error("The bookings store refuses writes: %s", type(error).__name__)
            return False

    def _reference_for(self, idempotency_key: str) -> Optional[str]:
        try:
            with self.engine.connect() as connection:
                reference = connection.execute(
                    select(booking_requests.c.reference).where(booking_requests.c.idempotency_key == idempotency_key)
                ).scalar_one_or_none()
                return None if reference is None else str(reference)
        except Exception as error:
            raise StoreError(f"could not read the store: {type(error).__name__}") from error

    def list_requests(
        self, status: Optional[str] = None, limit: Optional[int] = None, offset: int = 0
    ) -> List[StoredRequest]:
        """Requests newest first; with every status, the new ones come before the contacted ones."""
        order = [booking_requests.c.created_at.desc(), booking_requests.c.id.desc()]
        if not status:
            order.insert(0, (booking_requests.c.status != STATUS_NEW).asc())
        query = select(booking_requests).order_by(*order)
        if status:
            query = query.where(booking_requests.c.status == status)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [StoredRequest(**{k: row[k] for k in StoredRequest.__dataclass_fields__}) for row in rows]

    def count_requests(self, status: Optional[str] = None) -> int:
        query = select(func.count()).select_from(booking_requests)
        if status:
            query = query.where(booking_requests.c.status == status)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def created_between(self, since: datetime, until: datetime) -> List[datetime]:
        """When each request in [since, until) was received (UTC), for the Insights page."""
        # In UTC, as stored: SQLite keeps the datetime without its zone and compares it as text.
        since, until = since.astimezone(timezone.utc), until.astimezone(timezone.utc)
        query = select(booking_requests.c.created_at).where(
            booking_requests.c.created_at >= since, booking_requests.c.created_at < until
        )
        with self.engine.connect() as connection:
            moments = [row[0] for row in connection.execute(query)]
        # SQLite hands back naive datetimes; they are stored in UTC.
        return [m if m.tzinfo else m.replace(tzinfo=timezone.utc) for m in moments]

    def mark_contacted(self, reference: str) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(
                update(booking_requests)
                .where(booking_requests.c.reference == reference.strip().upper())
                .values(status=STATUS_CONTACTED, contacted_at=datetime.now(timezone.utc))
            )
        return bool(result.rowcount == 1)

    def mark_new(self, reference: str) -> bool:
        """Undo "contacted": the request is new again."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(booking_requests)
                .where(booking_requests.c.reference == reference.strip().upper())
                .values(status=STATUS_NEW, contacted_at=None)
            )
        return bool(result.rowcount == 1)

    def export_csv(self, out: IO[str], status: Optional[str] = None) -> int:
        fields = list(StoredRequest.__dataclass_fields__)
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        requests = self.list_requests(status)
        for stored in requests:
            writer.writerow({f: _csv_value(getattr(stored, f)) for f in fields})
        return len(requests)


def _csv_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    text = "" if value is None else str(value)
    # Stop spreadsheet formula injection from a visitor-typed name like "=HYPERLINK(...)".
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text[1:2].isdigit() else text
