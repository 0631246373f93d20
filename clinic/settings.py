"""Typed loader for the clinic's settings file (clinic.yml), the one file staff edit.

A bad file is rejected at start with a message that names the file and the field, so a
typo never reaches a visitor as a wrong phone number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import phonenumbers
import yaml
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinic.fresh import FreshFile
from clinic.paths import SETTINGS_ENV_VAR, settings_path
from clinic.red_flags import RedFlagsError, Sign, parse_sign

WEEKDAYS: Tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_HOURS_PATTERN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_EMERGENCY_PATTERN = re.compile(r"^[0-9 +\-]{2,20}$")
_REQUIRED_TEXT_FIELDS = ("name", "phone", "address", "booking_url", "emergency_number")
DATE_ORDERS = ("DMY", "MDY", "YMD")
# Regions that write dates month first; everywhere else "3/12" is the 3rd of December.
_MONTH_FIRST_REGIONS = frozenset({"US", "CA", "PH", "FM", "MH", "PW"})


class SettingsError(ValueError):
    """The settings file is missing, unreadable or has a bad field."""


@dataclass(frozen=True)
class OpeningHours:
    """Opening and closing time of one day; `None` for both means closed."""

    opens: Optional[time]
    closes: Optional[time]

    @property
    def is_closed(self) -> bool:
        return self.opens is None

    def describe(self) -> str:
        if self.opens is None or self.closes is None:
            return "closed"
        return f"{self.opens:%H:%M}–{clock_text(self.closes)}"


# "24:00" (closing at midnight, the end of the day) has no `datetime.time`; the last instant stands in.
END_OF_DAY = time.max


def clock_text(moment: time) -> str:
    """ "18:00"; the end of the day is "24:00", as a door sign writes it."""
    return "24:00" if moment == END_OF_DAY else f"{moment:%H:%M}"


@dataclass(frozen=True)
class PriceItem:
    item: str
    price: str


@dataclass(frozen=True)
class RateLimits:
    """How many requests per minute before the answer is HTTP 429 (0: no limit)."""

    per_visitor_per_minute: int = 30
    per_address_per_minute: int = 120
    console_sign_ins_per_address_per_minute: int = 10


@dataclass(frozen=True)
class Retention:
    """How many days personal data is kept before the daily purge deletes it."""

    conversations_days: int = 180  # after a conversation's last message
    contacted_requests_days: int = 365  # after a request was marked contacted; new ones are kept


@dataclass(frozen=True)
class ClinicSettings:
    name: str
    phone: str
    phone_region: str
    address: str
    timezone: str
    opening_hours: Dict[str, OpeningHours]
    booking_url: str
    emergency_number: str
    prices: List[PriceItem] = field(default_factory=list)
    # How visitors write numeric dates ("3/12"): day first, month first or year first.
    date_order: str = "DMY"
    # The clinic's own red flags, in red_flags.yml's shape, added to that list.
    red_flags: Tuple[Sign, ...] = ()
    # A visitor waiting this long for a person is offered a call-back instead.
    handoff_wait_minutes: int = 3
    # Requests per minute before HTTP 429 (0 = no limit): see RateLimits.
    rate_limits: RateLimits = field(default_factory=lambda: RateLimits())
    # How long conversations and contacted requests are kept: see Retention.
    retention: Retention = field(default_factory=lambda: Retention())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def phone_e164(self) -> str:
        parsed = phonenumbers.parse(self.phone, self.phone_region)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def default_date_order(region: str) -> str:
    return "MDY" if region.upper() in _MONTH_FIRST_REGIONS else "DMY"


def load_settings(path: Optional[Path] = None) -> ClinicSettings:
    """Read and validate the settings file; raise SettingsError naming the bad field."""
    path = Path(path) if path else settings_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: clinic settings file not found (set {SETTINGS_ENV_VAR})") from None
    except yaml.YAMLError as error:
        raise SettingsError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, Mapping):
        raise SettingsError(f"{path}: expected a mapping of settings at the top level")
    try:
        return parse_settings(raw)
    except SettingsError as error:
        raise SettingsError(f"{path}: {error}") from None


def parse_settings(raw: Mapping[str, Any]) -> ClinicSettings:
    """Validate an already-parsed mapping (the file's content) into ClinicSettings."""
    unknown = sorted(
        set(raw)
        - {
            *_REQUIRED_TEXT_FIELDS,
            "phone_region",
            "timezone",
            "opening_hours",
            "prices",
            "date_order",
            "red_flags",
            "handoff_wait_minutes",
            "rate_limits",
            "retention",
        }
    )
    if unknown:
        raise SettingsError(f"unknown field(s) {', '.join(unknown)}: check the spelling")
    text = {key: _required_text(raw, key) for key in _REQUIRED_TEXT_FIELDS}
    region = _required_text(raw, "phone_region").upper()
    _check_phone(text["phone"], region)
    _check_url(text["booking_url"])
    if not _EMERGENCY_PATTERN.match(text["emergency_number"]):
        raise SettingsError(f"field 'emergency_number': {text['emergency_number']!r} is not a phone number")
    timezone = _required_text(raw, "timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"field 'timezone': {timezone!r} is not an IANA time zone such as America/New_York"
        ) from None
    date_order = str(raw.get("date_order") or default_date_order(region)).strip().upper()
    if date_order not in DATE_ORDERS:
        raise SettingsError(f"field 'date_order': {raw.get('date_order')!r} must be one of {', '.join(DATE_ORDERS)}")
    wait = raw.get("handoff_wait_minutes", 3)
    if not isinstance(wait, int) or isinstance(wait, bool) or not 1 <= wait <= 60:
        raise SettingsError(f"field 'handoff_wait_minutes': {wait!r} must be a whole number of minutes, 1 to 60")
    return ClinicSettings(
        handoff_wait_minutes=wait,
        rate_limits=_parse_rate_limits(raw.get("rate_limits")),
        retention=_parse_retention(raw.get("retention")),
        phone_region=region,
        date_order=date_order,
        red_flags=_parse_red_flags(raw.get("red_flags")),
        timezone=timezone,
        opening_hours=_parse_opening_hours(raw.get("opening_hours")),
        prices=_parse_prices(raw.get("prices")),
        **text,
    )


def _parse_rate_limits(raw: Any) -> RateLimits:
    if raw is None:
        return RateLimits()
    if not isinstance(raw, Mapping):
        raise SettingsError("field 'rate_limits': expected per_visitor_per_minute, per_address_per_minute, ...")
    known = {f.name for f in fields(RateLimits)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SettingsError(
            f"field 'rate_limits': unknown {', '.join(map(str, unknown))}; known: {', '.join(sorted(known))}"
        )
    for key, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
            raise SettingsError(f"field 'rate_limits.{key}': {value!r} must be a whole number, 0 (no limit) to 100000")
    return RateLimits(**raw)


MAX_RETENTION_DAYS = 36_500  # a century: beyond it the cut-off date would not fit a datetime


def _parse_retention(raw: Any) -> Retention:
    if raw is None:
        return Retention()
    known = {f.name for f in fields(Retention)}
    if not isinstance(raw, Mapping):
        raise SettingsError(f"field 'retention': expected a mapping of {', '.join(sorted(known))} to days")
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise SettingsError(f"field 'retention': unknown {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for key, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_RETENTION_DAYS:
            raise SettingsError(
                f"field 'retention.{key}': {value!r} must be a whole number of days, 1 to {MAX_RETENTION_DAYS}"
            )
    return Retention(**raw)


def _parse_red_flags(raw: Any) -> Tuple[Sign, ...]:
    if raw in (None, {}):
        return ()
    if not isinstance(raw, Mapping):
        raise SettingsError("field 'red_flags' must map a name to {sign, why, phrasings} like red_flags.yml")
    try:
        return tuple(parse_sign(str(key), entry, Path("clinic.yml")) for key, entry in raw.items())
    except RedFlagsError as error:
        raise SettingsError(f"field 'red_flags': {error}") from None


def _required_text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SettingsError(f"field '{key}' is required and is empty or missing")
    if not isinstance(value, (str, int)):
        raise SettingsError(f"field '{key}' must be text, got {type(value).__name__}")
    return str(value).strip()


def _check_phone(phone: str, region: str) -> None:
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException as error:
        raise SettingsError(f"field 'phone': {phone!r} cannot be read as a phone number ({error})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise SettingsError(f"field 'phone': {phone!r} is not a valid number for region {region}")


def _check_url(url: str) -> None:
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        raise SettingsError(f"field 'booking_url': {url!r} must be a full http(s):// address")


def _parse_opening_hours(raw: Any) -> Dict[str, OpeningHours]:
    if not isinstance(raw, Mapping):
        raise SettingsError("field 'opening_hours' must list every weekday, monday to sunday")
    missing = [day for day in WEEKDAYS if day not in raw]
    extra = sorted(set(raw) - set(WEEKDAYS))
    if missing or extra:
        raise SettingsError(
            "field 'opening_hours' must name each weekday once"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not a weekday: {', '.join(map(str, extra))}" if extra else "")
        )
    return {day: _parse_day(day, raw[day]) for day in WEEKDAYS}


def _parse_day(day: str, value: Any) -> OpeningHours:
    if value is None or str(value).strip().lower() == "closed":
        return OpeningHours(None, None)
    match = _HOURS_PATTERN.match(str(value))
    where = f"field 'opening_hours.{day}'"
    if not match:
        raise SettingsError(f'{where}: {value!r} must look like "09:00-18:00" or closed')
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        opens = time(h1, m1)
        # Closing at "24:00" or "00:00" is midnight at the day's end (a closing time is
        # after the opening time): the console's time inputs can only write "00:00".
        closes = END_OF_DAY if (h2, m2) in ((24, 0), (0, 0)) else time(h2, m2)
    except ValueError:
        raise SettingsError(f"{where}: {value!r} is not a real time of day") from None
    if closes <= opens:
        raise SettingsError(f"{where}: closing time must be after opening time")
    return OpeningHours(opens, closes)


def _parse_prices(raw: Any) -> List[PriceItem]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise SettingsError("field 'prices' must be a list of {item, price} entries or []")
    items = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping) or not entry.get("item") or not entry.get("price"):
            raise SettingsError(f"field 'prices' entry {index} needs both 'item' and 'price'")
        items.append(PriceItem(str(entry["item"]).strip(), str(entry["price"]).strip()))
    return items


_fresh_settings: FreshFile[ClinicSettings] = FreshFile(load_settings, (SettingsError,), "clinic settings")


def current_settings() -> ClinicSettings:
    """The settings in use now, the same in every process: re-read when the file changes."""
    return _fresh_settings.get(settings_path())


def forget_current_settings() -> None:
    """Drop the cached settings (tests that switch $CLINIC_SETTINGS call this)."""
    _fresh_settings.forget()
