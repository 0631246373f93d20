"""Process-wide context for actions: settings and the bookings store, each made once."""
import logging
from datetime import datetime, timezone
from functools import lru_cache
from typing import Optional, Tuple

from clinic.bookings import BookingStore
from clinic.settings import ClinicSettings, SettingsError, load_settings, settings_path

logger = logging.getLogger(__name__)


class _SettingsCache:
    """Re-reads the settings file when staff save it, so no restart is needed.

    A bad edit keeps the last good settings serving (and logs why) instead of breaking
    every conversation; with no good settings yet (start-up), the error is raised.
    """

    def __init__(self) -> None:
        self._stamp: Optional[Tuple[str, int]] = None
        self._settings: Optional[ClinicSettings] = None

    def get(self) -> ClinicSettings:
        path = settings_path()
        try:
            stamp = (str(path), path.stat().st_mtime_ns)
        except OSError:
            stamp = (str(path), -1)
        if self._settings is None or stamp != self._stamp:
            try:
                self._settings = load_settings(path)
            except SettingsError as error:
                if self._settings is None:
                    raise
                logger.error("clinic settings not reloaded, the previous ones stay in use: %s", error)
            self._stamp = stamp
        return self._settings

    def cache_clear(self) -> None:
        self._stamp, self._settings = None, None


_settings_cache = _SettingsCache()


def clinic_settings() -> ClinicSettings:
    """Settings from $CLINIC_SETTINGS or clinic.yml; raises SettingsError if the file is bad."""
    return _settings_cache.get()


clinic_settings.cache_clear = _settings_cache.cache_clear  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def booking_store() -> BookingStore:
    """The store at $CLINIC_DB_URL (SQLite under var/ by default); raises StoreError."""
    return BookingStore()


def now() -> datetime:
    """The current time; tests replace this to pin "now"."""
    return datetime.now(timezone.utc)
