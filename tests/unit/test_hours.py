from datetime import datetime, timezone

import pytest
from zoneinfo import ZoneInfo

from clinic.hours import closing_time_today, describe_week, is_open
from clinic.settings import load_settings

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def test_week_groups_days_with_the_same_hours(settings):
    assert describe_week(settings) == (
        "Mon–Wed 09:00–18:00, Thu 09:00–20:00, Fri 09:00–17:00, Sat 10:00–14:00, Sun closed"
    )


@pytest.mark.parametrize(
    "moment, expected_open, closes",
    [
        (datetime(2026, 11, 23, 8, 59, tzinfo=NEW_YORK), False, None),  # Monday, before 9
        (datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK), True, "18:00"),
        (datetime(2026, 11, 23, 18, 0, tzinfo=NEW_YORK), False, None),  # closing time itself
        (datetime(2026, 11, 26, 19, 30, tzinfo=NEW_YORK), True, "20:00"),  # late Thursday
        (datetime(2026, 11, 29, 12, 0, tzinfo=NEW_YORK), False, None),  # Sunday
    ],
)
def test_open_is_judged_in_the_clinic_time_zone(settings, moment, expected_open, closes):
    assert is_open(settings, moment) is expected_open
    assert closing_time_today(settings, moment) == closes


def test_utc_moment_is_converted_before_judging(settings):
    # 23:30 UTC on a Monday is 18:30 in New York: closed, though 23:30 UTC "looks" like Monday.
    assert not is_open(settings, datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc))
    # 14:00 UTC on Monday is 09:00 in New York: open.
    assert is_open(settings, datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc))


def test_naive_datetime_is_refused(settings):
    with pytest.raises(ValueError):
        is_open(settings, datetime(2026, 11, 23, 12, 0))


def test_a_day_open_until_24_00_is_open_in_its_last_minute(settings_data, write_settings):
    # "00:00-23:59" left 23:59-00:00 closed: a hand-off test that ran at midnight in New York failed.
    settings_data["opening_hours"] = {day: "00:00-24:00" for day in settings_data["opening_hours"]}
    all_day = load_settings(write_settings(settings_data))
    for moment in (
        datetime(2026, 11, 23, 0, 0, tzinfo=NEW_YORK),
        datetime(2026, 11, 23, 23, 59, 59, tzinfo=NEW_YORK),
        datetime(2026, 11, 24, 4, 59, 30, tzinfo=timezone.utc),  # 23:59:30 in New York
    ):
        assert is_open(all_day, moment)
        assert closing_time_today(all_day, moment) == "24:00"
    assert describe_week(all_day) == "Mon–Sun 00:00–24:00"


def test_closing_at_00_00_is_midnight_at_the_days_end(settings_data, write_settings):
    settings_data["opening_hours"]["friday"] = "18:00-00:00"
    late = load_settings(write_settings(settings_data))
    assert late.opening_hours["friday"].describe() == "18:00–24:00"
    assert is_open(late, datetime(2026, 11, 27, 23, 30, tzinfo=NEW_YORK))  # a Friday
