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


@pytest.fixture(autouse=True)
def queue(tmp_path, monkeypatch):
    """The hand-off queue in a database of the test's own."""
    from actions import clinic_context
    from storage.handoffs import HandoffStore

    monkeypatch.setenv("CLINIC_DB_URL", f"sqlite:///{tmp_path / 'clinic.db'}")
    clinic_context.handoff_store.cache_clear()
    yield HandoffStore()
    clinic_context.handoff_store.cache_clear()


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


def test_with_staff_available_the_visitor_joins_the_queue_and_keeps_chatting(at, dispatcher, make_tracker, queue):
    at(datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK))  # Thursday 10:00, open
    queue.set_available("maria", True)
    events = asyncio.run(ActionHandoffToHuman().run(dispatcher, make_tracker("a person please"), {}))
    assert events == []  # not paused: the assistant answers until staff take over
    text, signal = dispatcher.messages
    assert "will join this chat in a moment; you're next" in text["text"]
    assert signal["custom"] == {"handoff": "waiting"}
    [waiting] = queue.waiting()
    assert waiting.sender_id == "test-visitor"
    second = type(dispatcher)()
    tracker = make_tracker("human please")
    tracker.sender_id = "second-visitor"
    asyncio.run(ActionHandoffToHuman().run(second, tracker, {}))
    assert "you're number 2 in the queue" in second.messages[0]["text"]
    again = type(dispatcher)()
    asyncio.run(ActionHandoffToHuman().run(again, make_tracker("hello? a person"), {}))
    assert "you're next" in again.messages[0]["text"] and len(queue.waiting()) == 2  # asked twice, queued once


def test_nobody_available_or_closed_gives_the_phone(at, dispatcher, make_tracker, queue):
    at(datetime(2026, 11, 29, 10, 0, tzinfo=NEW_YORK))  # Sunday: closed
    queue.set_available("maria", True)
    asyncio.run(ActionHandoffToHuman().run(dispatcher, make_tracker("a person please"), {}))
    assert "closed right now" in dispatcher.messages[0]["text"] and queue.waiting() == []
    at(datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK))
    queue.set_available("maria", False)
    open_now = type(dispatcher)()
    asyncio.run(ActionHandoffToHuman().run(open_now, make_tracker("a person please"), {}))
    assert "open now until 20:00" in open_now.messages[0]["text"] and queue.waiting() == []


def test_a_console_not_seen_for_a_minute_is_not_available(at, dispatcher, make_tracker, queue):
    import time

    at(datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK))
    queue.set_available("maria", True, now=time.time() - 120)  # the console was closed two minutes ago
    asyncio.run(ActionHandoffToHuman().run(dispatcher, make_tracker("a person please"), {}))
    assert "open now until 20:00" in dispatcher.messages[0]["text"]
