import asyncio

from actions.session import ActionSessionStart


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
    assert slots["clinic_prices"] is None
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
