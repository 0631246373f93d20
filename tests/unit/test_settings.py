from datetime import time
from pathlib import Path

import pytest

from clinic.settings import SettingsError, load_settings, settings_path


def test_committed_settings_file_is_valid():
    settings = load_settings()
    assert settings.name == "Clearview Skin Clinic"
    assert settings.phone_e164 == "+12125550100"
    assert settings.opening_hours["monday"].opens == time(9, 0)
    assert settings.opening_hours["sunday"].is_closed
    assert settings.prices == []


def test_env_var_chooses_the_file(monkeypatch, settings_data, write_settings):
    settings_data["name"] = "Other Clinic"
    path = write_settings(settings_data)
    monkeypatch.setenv("CLINIC_SETTINGS", str(path))
    assert settings_path() == path
    assert load_settings().name == "Other Clinic"


def test_prices_are_read(settings_data, write_settings):
    settings_data["prices"] = [{"item": "Full face", "price": "$300"}]
    settings = load_settings(write_settings(settings_data))
    assert [(p.item, p.price) for p in settings.prices] == [("Full face", "$300")]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": ""}, "field 'name' is required"),
        ({"phone": "12"}, "field 'phone'"),
        ({"phone": "call us"}, "field 'phone'"),
        ({"phone_region": None}, "field 'phone_region' is required"),
        ({"timezone": "Mars/Olympus"}, "field 'timezone'"),
        ({"booking_url": "clinic.example/book"}, "field 'booking_url'"),
        ({"emergency_number": "ambulance"}, "field 'emergency_number'"),
        ({"opening_hours": {"monday": "09:00-18:00"}}, "missing: tuesday"),
        ({"opening_hours.friday": "9am-5pm"}, "opening_hours.friday"),
        ({"opening_hours.friday": "18:00-09:00"}, "closing time must be after"),
        ({"opening_hours.friday": "25:00-26:00"}, "not a real time"),
        ({"opening_hours.friday": "09:00-24:30"}, "not a real time"),  # only 24:00 itself ends a day
        ({"opening_hours.friday": "24:00-24:00"}, "not a real time"),
        ({"prices": [{"item": "Face"}]}, "entry 1 needs both"),
        ({"prices": "cheap"}, "field 'prices' must be a list"),
        ({"phon": "(212) 555-0100"}, "unknown field(s) phon"),
    ],
)
def test_bad_fields_are_rejected_with_the_field_named(settings_data, write_settings, change, message):
    for key, value in change.items():
        if key.startswith("opening_hours."):
            settings_data["opening_hours"][key.split(".", 1)[1]] = value
        else:
            settings_data[key] = value
    path = write_settings(settings_data)
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.yml")


def test_invalid_yaml_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "clinic.yml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(path)


@pytest.mark.parametrize("region, expected", [("US", "MDY"), ("CA", "MDY"), ("GB", "DMY"), ("DE", "DMY")])
def test_date_order_defaults_from_the_region(settings_data, write_settings, region, expected):
    settings_data["phone_region"] = region
    settings_data["phone"] = {
        "US": "(212) 555-0100",
        "CA": "(416) 555-0100",
        "GB": "020 7946 0958",
        "DE": "030 123456",
    }[region]
    assert load_settings(write_settings(settings_data)).date_order == expected


def test_date_order_is_its_own_setting(settings_data, write_settings):
    settings_data["date_order"] = "dmy"
    assert load_settings(write_settings(settings_data)).date_order == "DMY"  # a US clinic, day first
    settings_data["date_order"] = "DDMM"
    with pytest.raises(SettingsError, match="field 'date_order': 'DDMM' must be one of DMY, MDY, YMD"):
        load_settings(write_settings(settings_data))


def test_the_clinics_own_red_flags_are_checked(settings_data, write_settings):
    settings_data["red_flags"] = {
        "numb": {"sign": "Numbness", "why": "Needs a clinician today.", "phrasings": ["numb"]}
    }
    [sign] = load_settings(write_settings(settings_data)).red_flags
    assert (sign.key, sign.phrasings) == ("numb", (("numb",),))
    settings_data["red_flags"] = {"numb": {"sign": "Numbness"}}
    with pytest.raises(SettingsError, match="field 'red_flags': .*sign 'numb' needs a `sign` and a `why`"):
        load_settings(write_settings(settings_data))


def test_rate_limits_are_read_and_default_when_absent(settings_data, write_settings):
    settings_data.pop("rate_limits", None)
    assert load_settings(write_settings(settings_data)).rate_limits.per_visitor_per_minute == 30
    settings_data["rate_limits"] = {"per_visitor_per_minute": 5, "per_address_per_minute": 0}
    limits = load_settings(write_settings(settings_data)).rate_limits
    assert (limits.per_visitor_per_minute, limits.per_address_per_minute) == (5, 0)
    assert limits.console_sign_ins_per_address_per_minute == 10


@pytest.mark.parametrize(
    "rate_limits, message",
    [
        ({"per_visitor_per_minute": -1}, "rate_limits.per_visitor_per_minute"),
        ({"per_visitor_per_minute": "30"}, "must be a whole number"),
        ({"per_minute": 3}, "unknown per_minute"),
        ("fast", "field 'rate_limits'"),
    ],
)
def test_bad_rate_limits_are_rejected(settings_data, write_settings, rate_limits, message):
    settings_data["rate_limits"] = rate_limits
    with pytest.raises(SettingsError, match=message):
        load_settings(write_settings(settings_data))
