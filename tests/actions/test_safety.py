"""action_symptom_advice: the emergency number first for a red flag, the clinic otherwise."""

import asyncio
import re

import pytest

from actions.safety import ActionSymptomAdvice


def _advise(dispatcher, make_tracker, report):
    events = asyncio.run(ActionSymptomAdvice().run(dispatcher, make_tracker(report, "report_symptom"), {}))
    [message] = dispatcher.messages
    return events, message


def _first_sentence(text):
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]


@pytest.mark.parametrize(
    "report, sign",
    [
        ("I had it done on monday and now I have a fever", "fever"),
        ("the bleeding won't stop after my session", "bleeding_wont_stop"),
        ("temp 101.8 since yesterday's treatment", "fever"),
        ("my lips and tongue are swelling up", "face_swelling"),
    ],
)
def test_a_red_flag_leads_with_the_emergency_number(dispatcher, make_tracker, report, sign):
    events, message = _advise(dispatcher, make_tracker, report)
    assert _first_sentence(message["text"]) == "Please call 911 now."
    assert "(212) 555-0100" in message["text"]  # then the clinic
    assert {"event": "slot", "timestamp": None, "name": "safety_flags", "value": [sign]} in [
        {**e, "value": e["value"][:1]} for e in events
    ]


@pytest.mark.parametrize(
    "report",
    [
        "I have some bruising after my microneedling",
        "my skin is peeling after the treatment",
        "pinpoint bleeding this morning but it stopped",
        "can i wear makeup, my face is still red from yesterday",
    ],
)
def test_any_other_worry_gets_the_clinic_phone_hours_and_a_call_back(dispatcher, make_tracker, report):
    events, message = _advise(dispatcher, make_tracker, report)
    first = _first_sentence(message["text"])
    assert "911" not in first and "(212) 555-0100" in first and "Mon–Wed 09:00–18:00" in first
    assert [b["payload"] for b in message["buttons"]] == ["/request_callback", "/request_human"]
    # Never a reassurance that the symptom is fine, never a diagnosis.
    text = message["text"].replace("whether this is normal", "")
    assert "is normal" not in text and "nothing to worry" not in text and "is fine" not in text
    assert events == [{"event": "slot", "timestamp": None, "name": "safety_flags", "value": ["after_treatment_worry"]}]


def test_the_clinics_own_red_flags_count(dispatcher, make_tracker, monkeypatch, settings_data, write_settings):
    settings_data["red_flags"] = {
        "numb_lips": {"sign": "Numb lips", "why": "Numbness needs a clinician today.", "phrasings": ["numb lips"]}
    }
    monkeypatch.setenv("CLINIC_SETTINGS", str(write_settings(settings_data)))
    _, message = _advise(dispatcher, make_tracker, "I've got numb lips since the session")
    assert message["text"].startswith("Please call 911 now. Numbness needs a clinician today.")
