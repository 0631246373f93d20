"""Booking requests stored as if made long ago, for the retention tests."""

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import update

from storage.bookings import KIND_BOOKING, STATUS_CONTACTED, BookingStore, NewRequest, booking_requests


def backdated_request(
    store: BookingStore, name: str, phone: str, now: datetime, contacted_days_ago: Optional[int]
) -> str:
    """A request made 1,000 days before `now`, marked contacted `contacted_days_ago` days
    before it (None: never contacted); returns its reference. `name` is its key too."""
    reference = store.save(NewRequest(kind=KIND_BOOKING, name=name, phone=phone), name)
    values = {"created_at": now - timedelta(days=1000)}
    if contacted_days_ago is not None:
        values.update(status=STATUS_CONTACTED, contacted_at=now - timedelta(days=contacted_days_ago))
    with store.engine.begin() as connection:
        connection.execute(update(booking_requests).where(booking_requests.c.reference == reference).values(**values))
    return reference
