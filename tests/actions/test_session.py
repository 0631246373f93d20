import asyncio

from actions.session import ActionSessionStart
from clinic.paths import REPO_ROOT


def _slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_session_start_fills_contact_slots_from_settings(dispatcher, make_tracker):
    events = asyncio.run(ActionSessionStart().run(dispatcher, make_tracker(), {}))
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    slots = _slot_values(events)
    assert slots["clinic_name"] == "Clearview Skin Clinic"
    assert slots["clinic_phone"] == "(212) 555-0100"
    assert slots["clinic_booking_url"] == "https://clearview-skin.example/book"
    assert slots["clinic_emergency_number"] == "911"
    assert slots["clinic_hours"].startswith("Mon–Wed 09:00–18:00")
    # No prices listed: the staff's own words from messages.yml, with the phone.
    assert slots["clinic_prices"] == "not listed here; our staff can tell you on (212) 555-0100"
    assert slots["clinic_has_prices"] is False
    assert dispatcher.messages == []


def test_prices_from_settings_reach_the_slots(monkeypatch, dispatcher, make_tracker, settings_data, write_settings):
    settings_data["phone"] = "(212) 555-0199"
    settings_data["prices"] = [{"item": "Full face", "price": "$300"}, {"item": "Neck", "price": "$150"}]
    monkeypatch.setenv("CLINIC_SETTINGS", str(write_settings(settings_data)))
    slots = _slot_values(asyncio.run(ActionSessionStart().run(dispatcher, make_tracker(), {})))
    assert slots["clinic_phone"] == "(212) 555-0199"
    assert slots["clinic_prices"] == "Full face: $300; Neck: $150"
    assert slots["clinic_has_prices"] is True


def test_settings_edits_are_picked_up_without_a_restart_and_bad_edits_keep_the_last_good(tmp_path, monkeypatch):
    import os

    import yaml

    from actions.clinic_context import clinic_settings
    from clinic.settings import forget_current_settings

    settings_file = tmp_path / "clinic.yml"
    raw = yaml.safe_load((REPO_ROOT / "clinic.yml").read_text())
    settings_file.write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("CLINIC_SETTINGS", str(settings_file))
    forget_current_settings()
    assert clinic_settings().phone == raw["phone"]
    settings_file.write_text(yaml.safe_dump({**raw, "phone": "(212) 555-0142"}))
    os.utime(settings_file, ns=(1, 10**18))  # a new modification time, as an editor's save gives
    assert clinic_settings().phone == "(212) 555-0142"
    settings_file.write_text(yaml.safe_dump({**raw, "phone": "not a phone"}))
    os.utime(settings_file, ns=(1, 2 * 10**18))
    assert clinic_settings().phone == "(212) 555-0142"
    forget_current_settings()
