"""Clinic details edited in the console: the assistant's loader checks them, saves are atomic and
never overwrite someone else's edit, comments and unshown fields survive."""

import threading
from pathlib import Path

import pytest

from clinic.paths import REPO_ROOT
from clinic.settings import load_settings
from staff import clinic_details
from staff.file_edits import EditConflictError, read_versioned, write_atomically


@pytest.fixture
def settings_file(tmp_path) -> Path:
    path = tmp_path / "clinic.yml"
    path.write_text((REPO_ROOT / "clinic.yml").read_text())
    return path


def test_the_form_shows_the_file(settings_file):
    form = clinic_details.load_form(settings_file)
    assert form.values["phone"] == "(212) 555-0100" and form.values["timezone"] == "America/New_York"
    assert form.hours["thursday"] == ("09:00", "20:00", False) and form.hours["sunday"] == ("", "", True)
    assert form.prices == [] and len(form.version) == 16


def test_every_bad_field_is_named_and_nothing_is_written(settings_file):
    before = settings_file.read_text()
    form = clinic_details.load_form(settings_file)
    form.values.update(phone="555", timezone="Mars/Base", booking_url="clearview.example")
    form.hours["monday"] = ("18:00", "09:00", False)
    result, changes = clinic_details.save(settings_file, form)
    assert not result.ok and changes == []
    assert set(result.errors) == {"phone", "timezone", "booking_url", "hours.monday"}
    assert result.errors["phone"] == "'555' is not a valid number for region US"
    assert result.errors["hours.monday"] == "Closing time must be after opening time"
    assert settings_file.read_text() == before


def test_a_good_save_keeps_comments_and_what_the_form_does_not_show(settings_file):
    settings_file.write_text(
        settings_file.read_text()
        + "red_flags:\n  nosebleed:\n    sign: Nosebleed\n    why: clinic's own\n    phrasings: [nosebleed]\n"
    )
    form = clinic_details.load_form(settings_file)
    form.hours["saturday"] = ("10:00", "16:00", False)
    form.hours["friday"] = ("", "", True)
    form.prices = [("Micro-needling, full face", "$300 per session")]
    result, changes = clinic_details.save(settings_file, form)
    assert result.ok
    assert ("opening hours, saturday", "10:00-14:00", "10:00-16:00") in changes
    assert ("opening hours, friday", "09:00-17:00", "closed") in changes
    assert ("prices", "none", "Micro-needling, full face: $300 per session") in changes
    text = settings_file.read_text()
    assert "# The clinic's settings: the ONE file staff edit" in text  # comments stay
    saved = load_settings(settings_file)  # the assistant's own loader reads it
    assert saved.opening_hours["saturday"].describe() == "10:00–16:00" and saved.opening_hours["friday"].is_closed
    assert saved.prices[0].price == "$300 per session" and saved.red_flags[0].key == "nosebleed"


def test_saving_an_unchanged_form_writes_nothing(settings_file):
    before = settings_file.stat().st_mtime_ns
    result, changes = clinic_details.save(settings_file, clinic_details.load_form(settings_file))
    assert result.ok and changes == [] and settings_file.stat().st_mtime_ns == before


def test_two_staff_saving_at_once_lose_neither_edit(settings_file):
    alice = clinic_details.load_form(settings_file)
    bob = clinic_details.load_form(settings_file)
    alice.values["address"] = "1 New Street, New York, NY 10001"
    bob.values["phone"] = "(212) 555-0199"
    clinic_details.save(settings_file, alice)
    with pytest.raises(EditConflictError):
        clinic_details.save(settings_file, bob)
    saved = clinic_details.load_form(settings_file)
    assert saved.values["address"] == "1 New Street, New York, NY 10001" and saved.values["phone"] == "(212) 555-0100"
    assert clinic_details.differences(bob, saved) == [
        ("phone", "(212) 555-0199"),
        ("address", "120 Example Avenue, Suite 4, New York, NY 10001"),
    ]


def test_a_form_from_the_browser_is_read_with_limits():
    post = {
        "name": " Clinic ",
        "monday_opens": "09:00",
        "monday_closes": "17:00",
        "tuesday_closed": "1",
        "price_item_0": "Face",
        "price_price_0": "$1",
        "price_item_1": "",
        "price_price_1": "",
        "phone": "9" * 999,
    }
    form = clinic_details.form_from_post(post)
    assert form.values["name"] == "Clinic" and len(form.values["phone"]) == 300
    assert form.hours["monday"] == ("09:00", "17:00", False) and form.hours["tuesday"][2] is True
    assert form.prices == [("Face", "$1")]


def test_atomic_writes_never_show_half_a_file(tmp_path):
    path = tmp_path / "big.yml"
    path.write_text("a: 1\n")
    _, version = read_versioned(path)
    big = "b: " + "x" * 2_000_000 + "\n"
    seen = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(len(path.read_text()))

    reader = threading.Thread(target=read)
    reader.start()
    write_atomically(path, big, version)
    stop.set()
    reader.join()
    assert seen <= {len("a: 1\n"), len(big)} and path.read_text() == big
    assert not list(tmp_path.glob(".big.yml.*.tmp"))  # no temporary file left behind
    with pytest.raises(EditConflictError):
        write_atomically(path, "c: 3\n", version)  # written from the old version: refused
    assert path.read_text() == big


def test_a_day_open_until_midnight_round_trips_through_the_form(settings_file):
    settings_file.write_text(settings_file.read_text().replace("sunday: closed", 'sunday: "00:00-24:00"'))
    form = clinic_details.load_form(settings_file)
    assert form.hours["sunday"] == ("00:00", "00:00", False)  # what a time input can show
    form.hours["saturday"] = ("10:00", "00:00", False)  # open until midnight
    result, _ = clinic_details.save(settings_file, form)
    assert result.ok, result.errors
    saved = load_settings(settings_file)
    assert saved.opening_hours["sunday"].describe() == "00:00–24:00"
    assert saved.opening_hours["saturday"].describe() == "10:00–24:00"
