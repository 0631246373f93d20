"""The date parser against a table of visitor phrasings. "Now" is Wednesday 25 Nov 2026,
10:00 in New York unless a test says otherwise; the clinic is closed on Sundays and open
Sat 10-14, Thu 9-20, Fri 9-17, other weekdays 9-18 (the committed clinic.yml)."""

from datetime import date, datetime, timezone

import pytest
from zoneinfo import ZoneInfo

from clinic.dates import DayOnly, PreferredTime, TimeProblem, parse_preferred_time
from clinic.settings import load_settings

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=NY)


@pytest.fixture(scope="module")
def settings():
    return load_settings()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("next tuesday afternoon", "2026-12-01T14:00:00-05:00"),
        ("Next Tuesday afternoon please", "2026-12-01T14:00:00-05:00"),
        ("tuesday next week at 11am", "2026-12-01T11:00:00-05:00"),  # week of Mon 30 Nov
        ("friday next week at 11am", "2026-12-04T11:00:00-05:00"),
        ("the 3rd at 10am", "2026-12-03T10:00:00-05:00"),  # dateparser 1.2 says 25 Mar 2027
        ("at 10am on the 3rd", "2026-12-03T10:00:00-05:00"),
        ("the 30th at 9:30", "2026-11-30T09:30:00-05:00"),
        ("tomorrow morning", "2026-11-26T10:00:00-05:00"),
        ("tmrw at noon", "2026-11-26T12:00:00-05:00"),
        ("tomorrow at 9:30", "2026-11-26T09:30:00-05:00"),
        ("day after tomorrow at 2pm", "2026-11-27T14:00:00-05:00"),
        ("any weekday after 5", "2026-11-25T17:00:00-05:00"),
        ("as soon as possible in the afternoon", "2026-11-25T14:00:00-05:00"),
        ("thursday evening", "2026-11-26T17:00:00-05:00"),
        ("friday 4pm", "2026-11-27T16:00:00-05:00"),
        ("monday at 10", "2026-11-30T10:00:00-05:00"),  # dateparser 1.2: October 2027
        ("saturday at 11", "2026-11-28T11:00:00-05:00"),
        ("this saturday at 1", "2026-11-28T13:00:00-05:00"),  # "at 1" at a clinic means 1 pm
        ("dec 3 at 2pm", "2026-12-03T14:00:00-05:00"),
        ("December 10th, 3:30pm", "2026-12-10T15:30:00-05:00"),
        ("12/03 at 2pm", "2026-12-03T14:00:00-05:00"),  # US clinic: month first
        ("in two weeks at 10am", "2026-12-09T10:00:00-05:00"),
        ("3pm today", "2026-11-25T15:00:00-05:00"),
        ("2pm", "2026-11-25T14:00:00-05:00"),
        ("wed at 5:45pm", "2026-12-02T17:45:00-05:00"),  # a weekday name never means today
        # Words that begin like a month are not months (they used to skip the day-of-month rule).
        ("maybe the 3rd at 2pm", "2026-12-03T14:00:00-05:00"),
        ("mark me down for the 3rd at 2pm", "2026-12-03T14:00:00-05:00"),
        ("mary here, the 3rd at 10am works", "2026-12-03T10:00:00-05:00"),
        ("a decent slot on the 4th at 11am", "2026-12-04T11:00:00-05:00"),
        ("junior's school run is done by the 30th at 10", "2026-11-30T10:00:00-05:00"),
        ("jan. 9th at 10am", "2027-01-09T10:00:00-05:00"),
    ],
)
def test_readable_times(settings, text, expected):
    result = parse_preferred_time(text, settings, NOW)
    assert isinstance(result, PreferredTime), result
    assert result.iso == expected


@pytest.mark.parametrize(
    "text, code, values",
    [
        ("yesterday", "time_in_past", {}),
        ("last monday at 10", "time_in_past", {}),
        ("today at 9am", "time_passed", {}),
        ("sunday at 11", "time_closed_day", {"day": "Sunday"}),
        ("saturday at 3pm", "time_outside_hours", {"day": "Saturday", "hours": "10:00–14:00"}),
        ("friday at 7pm", "time_outside_hours", {"day": "Friday", "hours": "09:00–17:00"}),
        ("tomorrow at 8pm", "time_outside_hours", {"day": "Thursday", "hours": "09:00–20:00"}),
        ("tomorrow at 7am", "time_outside_hours", {"day": "Thursday", "hours": "09:00–20:00"}),
        ("june 5 2028 at 10am", "time_too_far_ahead", {"months": "6"}),
        ("the 45th", "time_no_such_day", {"day_number": "45"}),
        ("asdf qwerty", "time_unreadable", {}),
        ("", "time_unreadable", {}),
    ],
)
def test_unbookable_times_say_why(settings, text, code, values):
    result = parse_preferred_time(text, settings, NOW)
    assert isinstance(result, TimeProblem), result
    assert (result.code, dict(result.values)) == (code, values)


def test_every_reason_code_has_words_in_messages_yml(settings):
    from clinic.texts import render_reason

    assert "open 10:00–14:00" in render_reason(
        TimeProblem("time_outside_hours", {"day": "Saturday", "hours": "10:00–14:00"}), settings
    )
    for code in ("time_unreadable", "time_in_past", "time_day_passed", "time_passed", "time_no_open_slot"):
        assert render_reason(TimeProblem(code), settings)


@pytest.mark.parametrize(
    "date_order, text, expected",
    [
        ("MDY", "12/03 at 2pm", "2026-12-03T14:00:00-05:00"),
        ("DMY", "12/03 at 2pm", "2027-03-12T14:00:00-05:00"),
        ("DMY", "03/12 at 2pm", "2026-12-03T14:00:00-05:00"),
    ],
)
def test_numeric_dates_follow_the_date_order_setting(settings, date_order, text, expected):
    from dataclasses import replace

    result = parse_preferred_time(text, replace(settings, date_order=date_order), NOW)
    assert isinstance(result, PreferredTime), result
    assert result.iso == expected


def test_a_day_without_a_time_is_kept_for_the_follow_up(settings):
    first = parse_preferred_time("next tuesday", settings, NOW)
    assert first == DayOnly(date(2026, 12, 1))
    follow_up = parse_preferred_time("2pm", settings, NOW, pending_day=first.day)
    assert isinstance(follow_up, PreferredTime)
    assert follow_up.iso == "2026-12-01T14:00:00-05:00"


def test_a_closed_day_without_a_time_is_refused(settings):
    result = parse_preferred_time("sunday", settings, NOW)
    assert result == TimeProblem("time_closed_day", {"day": "Sunday"})


def test_late_evening_utc_is_already_tomorrow_elsewhere(settings):
    # 03:30 UTC on Thursday is still Wednesday 22:30 in New York: "tomorrow" is Thursday.
    now_utc = datetime(2026, 11, 26, 3, 30, tzinfo=timezone.utc)
    result = parse_preferred_time("tomorrow morning", settings, now_utc)
    assert isinstance(result, PreferredTime)
    assert result.iso == "2026-11-26T10:00:00-05:00"


def test_daylight_saving_offset_follows_the_date(settings):
    # Booked in November (EST, -05:00) for a day in March after the switch (EDT, -04:00).
    now = datetime(2027, 3, 10, 12, 0, tzinfo=NY)
    result = parse_preferred_time("march 16 at 10am", settings, now)
    assert isinstance(result, PreferredTime)
    assert result.iso == "2027-03-16T10:00:00-04:00"


def test_weekdays_only_skips_the_weekend(settings):
    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=NY)
    result = parse_preferred_time("any weekday morning", settings, saturday_noon)
    assert isinstance(result, PreferredTime)
    assert result.iso == "2026-11-30T10:00:00-05:00"


def test_naive_now_is_refused(settings):
    with pytest.raises(ValueError):
        parse_preferred_time("tomorrow", settings, datetime(2026, 11, 25, 10, 0))
