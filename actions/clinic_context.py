"""Process-wide context for actions: settings and the bookings store, each made once."""
from datetime import datetime, timezone
from functools import lru_cache

from clinic.bookings import BookingStore
from clinic.settings import ClinicSettings, load_settings


@lru_cache(maxsize=1)
def clinic_settings() -> ClinicSettings:
    """Settings from $CLINIC_SETTINGS or clinic.yml; raises SettingsError if the file is bad."""
    return load_settings()


@lru_cache(maxsize=1)
def booking_store() -> BookingStore:
    """The store at $CLINIC_DB_URL (SQLite under var/ by default); raises StoreError."""
    return BookingStore()


def now() -> datetime:
    """The current time; tests replace this to pin "now"."""
    return datetime.now(timezone.utc)
