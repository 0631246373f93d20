"""Process-wide context for actions: the clinic settings, the bookings store and "now"."""

from datetime import datetime, timezone
from functools import lru_cache

from clinic.settings import ClinicSettings, current_settings
from storage.bookings import BookingStore
from storage.handoffs import HandoffStore


def clinic_settings() -> ClinicSettings:
    """The settings in use (re-read when clinic.yml changes); SettingsError at start if bad."""
    return current_settings()


@lru_cache(maxsize=1)
def booking_store() -> BookingStore:
    """The store at $CLINIC_DB_URL (SQLite under var/ by default); raises StoreError."""
    return BookingStore()


@lru_cache(maxsize=1)
def handoff_store() -> HandoffStore:
    """The live hand-off queue at $CLINIC_DB_URL, shared with the staff console."""
    return HandoffStore()


def now() -> datetime:
    """The current time; tests replace this to pin "now"."""
    return datetime.now(timezone.utc)
