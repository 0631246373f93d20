"""A visitor's preferred appointment time, from natural language to ISO 8601.

The common shapes are read here, because dateparser misreads them (1.2: "next tuesday" ->
None, "the 3rd at 10am" -> 25 March next year, "monday at 10" -> a Monday a year out).
dateparser is only asked about explicit calendar dates ("December 3", "12/03", "in two
weeks"), and its answer is checked. Everything is relative to "now" in the clinic's time zone.

Vague parts of the day map to documented default hours (PART_OF_DAY_HOURS). "next
<weekday>" and "<weekday>" both mean the coming one (never today); the confirmation shows
the full date so a visitor can correct it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Dict, Optional, Tuple, Union

import dateparser

from clinic.reasons import Reason
from clinic.settings import WEEKDAYS, ClinicSettings

PART_OF_DAY_HOURS = {
    "morning": time(10, 0),
    "lunchtime": time(12, 0),
    "lunch": time(12, 0),
    "noon": time(12, 0),
    "midday": time(12, 0),
    "afternoon": time(14, 0),
    "evening": time(17, 0),
    "after work": time(17, 0),
}
MAX_DAYS_AHEAD = 180
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAY_ALIASES = {
    **{day: index for index, day in enumerate(WEEKDAYS)},
    **{day[:3]: index for index, day in enumerate(WEEKDAYS)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_WEEKDAY_RE = r"(?P<weekday>" + "|".join(sorted(_WEEKDAY_ALIASES, key=len, reverse=True)) + r")"
_CLOCK_RE = re.compile(
    r"\b(?:at\s+|@\s*|around\s+|about\s+|after\s+|from\s+)?"
    r"(?P<hour>[01]?\d|2[0-3])(?:[:.](?P<minute>[0-5]\d))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?=\s|$|[,.!?])",
    re.IGNORECASE,
)
_ORDINAL_RE = re.compile(r"\b(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_PAST_WORDS = re.compile(r"\b(yesterday|last\s+(?:week|" + "|".join(WEEKDAYS) + r")|ago)\b", re.I)
_ANY_DAY = re.compile(
    r"\b(any\s*(?:week)?day|any time|anytime|whenever|asap|as soon as possible|soonest|earliest)\b", re.I
)
_WEEKDAYS_ONLY = re.compile(r"\b(weekday|weekdays)\b", re.I)


@dataclass(frozen=True)
class PreferredTime:
    moment: datetime  # aware, in the clinic's time zone

    @classmethod
    def from_iso(cls, iso: str) -> PreferredTime:
        return cls(datetime.fromisoformat(iso))

    @property
    def iso(self) -> str:
        return self.moment.isoformat()

    def parts(self) -> Dict[str, str]:
        """The pieces messages.yml's `moment_format` puts together."""
        return {**day_parts(self.moment.date()), "time": f"{self.moment:%H:%M}"}


def day_parts(day: date) -> Dict[str, str]:
    """The pieces messages.yml's `day_format` puts together."""
    return {"weekday": WEEKDAYS[day.weekday()].capitalize(), "day": str(day.day), "month": _MONTHS[day.month - 1]}


@dataclass(frozen=True)
class DayOnly:
    """A day without a time: ask for the time and keep the day."""

    day: date


class TimeProblem(Reason):
    """A time_* code of messages.yml, with its values."""


ParseResult = Union[PreferredTime, DayOnly, TimeProblem]

_UNREADABLE = TimeProblem("time_unreadable")


def parse_preferred_time(
    text: str, settings: ClinicSettings, now: datetime, pending_day: Optional[date] = None
) -> ParseResult:
    """Read `text` as a time for an appointment and check it against the opening hours.

    `pending_day` is a day the visitor gave earlier without a time ("tuesday"), so that a
    follow-up "2pm" lands on it.
    """
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    local_now = now.astimezone(settings.zone)
    cleaned = " ".join((text or "").lower().replace("’", "'").split())
    if not cleaned:
        return _UNREADABLE
    if _PAST_WORDS.search(cleaned):
        return TimeProblem("time_in_past")

    clock, without_time = _read_time_of_day(cleaned)
    if _ANY_DAY.search(without_time):
        return _first_open_slot(settings, local_now, clock, weekdays_only=bool(_WEEKDAYS_ONLY.search(without_time)))
    day = _read_day(without_time, local_now, settings)
    if isinstance(day, TimeProblem):
        return day
    if day is None:
        if _DATE_WORDS.search(without_time):
            return _UNREADABLE  # a date that could not be read ("feb 30"): not today instead
        if pending_day is not None and clock is not None:
            day = pending_day
        elif clock is not None:
            day = local_now.date()  # "3pm" means today
        else:
            return _UNREADABLE
    if clock is None:
        return _check_day(day, settings, local_now) or DayOnly(day)
    moment = datetime.combine(day, clock, tzinfo=settings.zone)
    return _check_moment(moment, settings, local_now)


def _read_time_of_day(text: str) -> Tuple[Optional[time], str]:
    """The time of day in `text` (explicit or vague) and the text without it."""
    for words, default in PART_OF_DAY_HOURS.items():
        pattern = re.compile(rf"\b(?:in the |at |around )?{words}\b")
        if pattern.search(text):
            explicit, rest = _read_clock(pattern.sub(" ", text))
            return explicit or default, rest
    return _read_clock(text)


def _read_clock(text: str) -> Tuple[Optional[time], str]:
    for match in _CLOCK_RE.finditer(text):
        hour, minute, ampm = int(match["hour"]), int(match["minute"] or 0), (match["ampm"] or "")
        following = text[match.end() :].lstrip()
        # "3rd", "12/03" and "2 weeks" are dates or durations, not clock times.
        if following[:2] in ("st", "nd", "rd", "th") or text[match.end() : match.end() + 1] == "/":
            continue
        if re.match(r"(days?|weeks?|months?|minutes?|hours?)\b", following):
            continue
        has_marker = (
            bool(ampm)
            or bool(match["minute"])
            or match.group(0).strip().split()[0] in ("at", "@", "around", "about", "after", "from")
        )
        if not has_marker:
            continue
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        elif not ampm and 1 <= hour <= 7:
            hour += 12  # "at 3" at a clinic means 3 pm
        return time(hour, minute), (text[: match.start()] + " " + text[match.end() :]).strip()
    return None, text


def _read_day(text: str, now: datetime, settings: ClinicSettings) -> Union[date, TimeProblem, None]:
    today = now.date()
    if re.search(r"\bday after tomorrow\b", text):
        return today + timedelta(days=2)
    if re.search(r"\b(tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow)\b", text):
        return today + timedelta(days=1)
    if re.search(r"\b(today|tonight|this (?:morning|afternoon|evening))\b", text):
        return today
    weekday = re.search(rf"\b(?:(?P<which>next|this|coming|on)\s+)?{_WEEKDAY_RE}s?\b", text)
    if weekday:
        target = _WEEKDAY_ALIASES[weekday["weekday"]]
        if re.search(r"\bnext week\b", text):  # "tuesday next week": in next calendar week
            return today + timedelta(days=7 - today.weekday() + target)
        return today + timedelta(days=(target - today.weekday()) % 7 or 7)
    if re.search(r"\bnext week\b", text):
        return today + timedelta(days=7 - today.weekday())  # Monday of next week
    ordinal = _ORDINAL_RE.search(text)
    if ordinal and not re.search(_month_names(), text):
        return _next_day_of_month(int(ordinal["day"]), today)
    return _calendar_date(text, now, settings)


# Whole month words only: "maybe", "mark", "mary" or "decent" are not months.
_MONTH_WORDS = (
    r"\b(?:"
    + "|".join(
        [m.lower() for m in _MONTHS]
        + ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
    )
    + r")\.?(?![a-z])"
)


# What shows that the visitor wrote a date (not only a time of day).
_DATE_WORDS = re.compile(r"\d{1,2}[/.-]\d{1,2}|\b(?:days?|weeks?|months?)\b|" + _MONTH_WORDS)


def _month_names() -> str:
    return _MONTH_WORDS


def _next_day_of_month(day_number: int, today: date) -> Union[date, TimeProblem]:
    if not 1 <= day_number <= 31:
        return TimeProblem("time_no_such_day", {"day_number": str(day_number)})
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day_number)
        except ValueError:
            candidate = None
        if candidate and candidate >= today:
            return candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return TimeProblem("time_no_coming_date", {"day_number": str(day_number)})


def _calendar_date(text: str, now: datetime, settings: ClinicSettings) -> Optional[date]:
    """Month-name and numeric dates, and "in N days/weeks", through dateparser, checked."""
    if not re.search(r"\d|\b(days?|weeks?|months?)\b|" + _month_names(), text):
        return None
    order = settings.date_order
    base = now.replace(tzinfo=None)
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base, "DATE_ORDER": order},
    )
    # Past or far-off answers are not dropped here: _check_day explains why they can't be booked.
    return parsed.date() if parsed else None


def _check_day(day: date, settings: ClinicSettings, now: datetime) -> Optional[TimeProblem]:
    if day < now.date():
        return TimeProblem("time_day_passed")
    if day > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        return TimeProblem("time_too_far_ahead", {"months": str(MAX_DAYS_AHEAD // 30)})
    hours = settings.opening_hours[WEEKDAYS[day.weekday()]]
    if hours.is_closed:
        return TimeProblem("time_closed_day", {"day": WEEKDAYS[day.weekday()].capitalize()})
    return None


def _check_moment(moment: datetime, settings: ClinicSettings, now: datetime) -> ParseResult:
    problem = _check_day(moment.date(), settings, now)
    if problem:
        return problem
    if moment <= now:
        return TimeProblem("time_passed")
    day_name = WEEKDAYS[moment.weekday()]
    hours = settings.opening_hours[day_name]
    assert hours.opens is not None and hours.closes is not None
    if not hours.opens <= moment.time().replace(tzinfo=None) < hours.closes:
        return TimeProblem("time_outside_hours", {"day": day_name.capitalize(), "hours": hours.describe()})
    return PreferredTime(moment)


def _first_open_slot(
    settings: ClinicSettings, now: datetime, clock: Optional[time], weekdays_only: bool
) -> ParseResult:
    """Earliest coming day on which the clinic is open at `clock` (or at opening time)."""
    for offset in range(0, 15):
        day = now.date() + timedelta(days=offset)
        if weekdays_only and day.weekday() >= 5:
            continue
        hours = settings.opening_hours[WEEKDAYS[day.weekday()]]
        if hours.opens is None or hours.closes is None:
            continue
        start = clock or hours.opens
        if not hours.opens <= start < hours.closes:
            continue
        moment = datetime.combine(day, start, tzinfo=settings.zone)
        if moment > now:
            return PreferredTime(moment)
    return TimeProblem("time_no_open_slot")
