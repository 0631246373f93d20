"""Retention: how long clinic.yml says personal data is kept, and the purge that deletes what is older."""

import pytest

from clinic.settings import SettingsError, load_settings


def test_retention_is_read_and_defaults_when_absent(settings_data, write_settings):
    settings_data.pop("retention", None)
    retention = load_settings(write_settings(settings_data)).retention
    assert (retention.conversations_days, retention.contacted_requests_days) == (180, 365)
    settings_data["retention"] = {"conversations_days": 30}
    retention = load_settings(write_settings(settings_data)).retention
    assert (retention.conversations_days, retention.contacted_requests_days) == (30, 365)


@pytest.mark.parametrize(
    "retention, message",
    [
        ({"conversations_days": 0}, "field 'retention.conversations_days': 0 must be a whole number of days"),
        ({"contacted_requests_days": -5}, "retention.contacted_requests_days"),
        ({"conversations_days": "180"}, "must be a whole number of days"),
        ({"conversations_days": True}, "must be a whole number of days"),
        ({"conversations_days": 10**9}, "1 to 36500"),
        ({"requests_days": 30}, "unknown requests_days"),
        ("forever", "field 'retention': expected a mapping"),
    ],
)
def test_bad_retention_is_rejected(settings_data, write_settings, retention, message):
    settings_data["retention"] = retention
    with pytest.raises(SettingsError, match=message):
        load_settings(write_settings(settings_data))
