import asyncio
import json
import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.tracker_store import ClinicSQLTrackerStore


def test_sqlite_store_runs_in_wal_mode_and_keeps_conversations(tmp_path):
    path = tmp_path / "tracker.db"
    store = ClinicSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events(
        "visitor-1", [ActionExecuted("action_listen"), UserUttered("what is micro-needling?", {"name": "faq"})]
    )
    asyncio.run(store.save(tracker))
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # A new store on the same file (a restarted server) sees the conversation.
    again = ClinicSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    restored = asyncio.run(again.retrieve("visitor-1"))
    assert restored.latest_message.text == "what is micro-needling?"


def test_a_database_failure_is_noted_for_the_channel_and_still_raised(tmp_path):
    import pytest
    from sqlalchemy.exc import SQLAlchemyError

    from channels import store_outage

    path = tmp_path / "tracker.db"
    store = ClinicSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events("visitor-2", [ActionExecuted("action_listen")])
    with store_outage.watching() as outage:
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("visitor-2")) is not None
    assert not outage.happened
    sqlite3.connect(path).execute("DROP TABLE events")  # the database stops answering for it
    with store_outage.watching() as outage:
        with pytest.raises(SQLAlchemyError):
            asyncio.run(store.retrieve("visitor-2"))
    assert outage.happened and not outage.write_failed  # not read: the answer would ignore the conversation
    with store_outage.watching() as outage:
        with pytest.raises(SQLAlchemyError):
            asyncio.run(store.save(tracker))
    assert outage.write_failed and not outage.happened  # read and answered, only not saved
    store_outage.note_failure()  # outside a message: nothing to tell, and no error
    store_outage.note_write_failure()


def _long_session(store, sender, turns):
    """A conversation that starts a form, pauses for a person, then chats for `turns` turns."""
    from rasa.shared.core.events import ActiveLoop, BotUttered, ConversationPaused, SessionStarted, SlotSet

    tracker = DialogueStateTracker.from_events(
        sender, [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    )
    asyncio.run(store.save(tracker))
    for turn in range(turns):
        tracker = asyncio.run(store.retrieve(sender))
        if turn == 1:
            tracker.update(ActiveLoop("booking_form"))
            tracker.update(SlotSet("name", "Jane Doe"))
        if turn == 2:
            tracker.update(ConversationPaused())
        tracker.update(UserUttered(f"message {turn}", {"name": "faq"}))
        tracker.update(ActionExecuted("utter_faq"))
        tracker.update(BotUttered(f"answer {turn}"))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))


def _domain():
    return Domain.from_dict(
        {
            "slots": {"name": {"type": "text", "mappings": [{"type": "custom"}]}},
            "forms": {"booking_form": {"required_slots": ["name"]}},
        }
    )


def test_a_long_session_loads_a_window_with_the_full_state_and_saves_every_event(tmp_path, monkeypatch):
    windowed = ClinicSQLTrackerStore(domain=_domain(), dialect="sqlite", db=str(tmp_path / "w.db"))
    monkeypatch.setenv("TRACKER_WINDOW_EVENTS", "0")
    whole = ClinicSQLTrackerStore(domain=_domain(), dialect="sqlite", db=str(tmp_path / "all.db"))
    _long_session(whole, "v", 60)
    monkeypatch.setenv("TRACKER_WINDOW_EVENTS", "20")
    _long_session(windowed, "v", 60)

    def stored(path):
        rows = sqlite3.connect(path).execute("SELECT data FROM events WHERE sender_id = 'v' ORDER BY id")
        return [{k: v for k, v in json.loads(data).items() if k != "timestamp"} for (data,) in rows]

    assert stored(tmp_path / "w.db") == stored(tmp_path / "all.db")  # nothing lost, nothing twice
    assert len(stored(tmp_path / "w.db")) == 3 + 60 * 4 + 3
    loaded = asyncio.run(windowed.retrieve("v"))
    monkeypatch.setenv("TRACKER_WINDOW_EVENTS", "0")
    full = asyncio.run(whole.retrieve("v"))
    assert len(loaded.events) < 30 < len(full.events)  # 20 events and the state events before them
    # The state is the whole session's: the form that started 57 turns ago, its slot, the pause.
    assert loaded.active_loop_name == full.active_loop_name == "booking_form"
    assert loaded.get_slot("name") == full.get_slot("name") == "Jane Doe"
    assert loaded.is_paused() and full.is_paused()
    assert [e.get("name") for e in (x.as_dict() for x in loaded.events) if e["event"] == "active_loop"] == [
        "booking_form"
    ]
    assert loaded.latest_message.text == full.latest_message.text == "message 59"
