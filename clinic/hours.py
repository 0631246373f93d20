"""Opening hours in words, and whether the clinic is open at a given moment."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from typing import List, Optional

from clinic.settings import WEEKDAYS, ClinicSettings, clock_text

_SHORT_DAY = {day: day[:3].capitalize() for day in WEEKDAYS}


def describe_week(settings: ClinicSettings) -> str:
    """Compact week, e.g. "Mon–Wed 09:00–18:00, Thu 09:00–20:00, Sun closed"."""
    parts: List[str] = []
    # Consecutive days with the same hours are shown as one range, as a clinic's door sign would.
    for hours_text, group in groupby(WEEKDAYS, key=lambda d: settings.opening_hours[d].describe()):
        days = list(group)
        label = _SHORT_DAY[days[0]] if len(days) == 1 else f"{_SHORT_DAY[days[0]]}–{_SHORT_DAY[days[-1]]}"
        parts.append(f"{label} {hours_text}")
    return ", ".join(parts)


def local_now(settings: ClinicSettings, now: Optional[datetime] = None) -> datetime:
    """`now` (aware, any zone; default the current time) in the clinic's time zone."""
    moment = now or datetime.now(tz=settings.zone)
    if moment.tzinfo is None:
        raise ValueError("local_now needs a time-zone-aware datetime")
    return moment.astimezone(settings.zone)


def is_open(settings: ClinicSettings, now: Optional[datetime] = None) -> bool:
    """True when the clinic is open at `now`, judged in the clinic's own time zone."""
    local = local_now(settings, now)
    hours = settings.opening_hours[WEEKDAYS[local.weekday()]]
    if hours.opens is None or hours.closes is None:
        return False
    return hours.opens <= local.time().replace(tzinfo=None) < hours.closes


def closing_time_today(settings: ClinicSettings, now: Optional[datetime] = None) -> Optional[str]:
    """ "18:00" when open now, else None."""
    if not is_open(settings, now):
        return None
    local = local_now(settings, now)
    closes = settings.opening_hours[WEEKDAYS[local.weekday()]].closes
    return clock_text(closes) if closes else None
