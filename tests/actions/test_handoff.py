import asyncio
from datetime import datetime

import pytest
from zoneinfo import ZoneInfo

import clinic.hours
from actions.handoff import ActionHandoffToHuman

NEW_YORK = ZoneInfo("America/New_York")


class _FrozenDatetime(datetime):
    moment: datetime

    @classmethod
    def now(cls, tz=None):
        return cls.moment.astimezone(tz)


@pytest.fixture
def at(monkeypatch):
    def freeze(moment: datetime) -> None:
        _FrozenDatetime.moment = moment
        monkeypatch.setattr(clinic.hours, "datetime", _FrozenDatetime)

    return freeze


def test_open_clinic_says_until_when(at, dispatcher, make_tracker):
    at(datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK))  # Thursday 10:00
    events = asyncio.run(ActionHandoffToHuman().run(dispatcher, make_tracker("a person please"), {}))
    assert events == []
    [message] = dispatcher.messages
    assert "open now until 20:00" in message["text"] and "(212) 555-0100" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/request_callback"]


def test_closed_clinic_gives_hours(at, dispatcher, make_tracker):
    at(datetime(2026, 11, 29, 10, 0, tzinfo=NEW_YORK))  # Sunday
    asyncio.run(ActionHandoffToHuman().run(dispatcher, make_tracker("a person please"), {}))
    [message] = dispatcher.messages
    assert "closed right now" in message["text"] and "Sun closed" in message["text"]


def test_hours_saved_in_the_console_reach_the_next_hand_off(at, dispatcher, make_tracker, tmp_path, monkeypatch):
    from clinic.paths import REPO_ROOT
    from staff import clinic_details

    settings = tmp_path / "clinic.yml"
    settings.write_text((REPO_ROOT / "clinic.yml").read_text())
    monkeypatch.setenv("CLINIC_SETTINGS", str(settings))
    at(datetime(2026, 11, 29, 10, 0, tzinfo=NEW_YORK))  # Sunday
    form = clinic_details.load_form(settings)
    form.hours["sunday"] = ("09:30", "13:00", False)
    assert clinic_details.save(settings, form)[0].ok
    asyncio.run(ActionHandoffToHuman().run(dispatcher, make_tracker("a person please"), {}))
    [message] = dispatcher.messages
    assert "open now until 13:00" in message["text"]
