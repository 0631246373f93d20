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


def test_an_sqlite_store_keeps_its_connection_between_messages_and_lets_go_after_a_quiet_spell(tmp_path, monkeypatch):
    import sqlalchemy as sa

    from channels.tracker_store import IDLE_ENV_VAR

    monkeypatch.setenv(IDLE_ENV_VAR, "0.3")
    path = tmp_path / "tracker.db"
    store = ClinicSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    tracker = DialogueStateTracker.from_events("visitor-3", [ActionExecuted("action_listen")])

    async def messages_then_quiet():
        for _ in range(3):
            await store.save(tracker)
            assert await store.retrieve("visitor-3") is not None
        busy = (len(opened), (tmp_path / "tracker.db-wal").exists())
        await asyncio.sleep(0.8)
        return busy

    connections_while_busy, wal_while_busy = asyncio.run(messages_then_quiet())
    assert connections_while_busy == 1 and wal_while_busy  # three reads and writes, one connection
    assert not (tmp_path / "tracker.db-wal").exists()  # closed: the WAL written back into the file
    assert store.engine.pool.checkedin() == 0
    assert asyncio.run(store.retrieve("visitor-3")) is not None  # and opened again when needed
    assert len(opened) == 2


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
    dropping = sqlite3.connect(path)
    dropping.execute("DROP TABLE events")  # the database stops answering for it
    # Into the file itself too (the store's open connection keeps the WAL): its read-only
    # fallback for a full disk reads the file as it is.
    dropping.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dropping.close()
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


def test_events_are_read_back_exactly_as_rasa_reads_them():
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        ActiveLoop,
        AllSlotsReset,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        DefinePrevUserUtteredFeaturization,
        EntitiesAdded,
        FollowupAction,
        LoopInterrupted,
        Restarted,
        SessionStarted,
        SlotSet,
        deserialise_events,
    )

    from channels.tracker_store import deserialise

    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        UserUttered("book me in", {"name": "book", "confidence": 0.9}, [{"entity": "name", "value": "Ann"}]),
        DefinePrevUserUtteredFeaturization(False),
        EntitiesAdded([{"entity": "phone", "value": "555"}]),
        ActiveLoop("booking_form"),
        SlotSet("name", "Ann"),
        BotUttered("What's your phone?", {"buttons": []}),
        ActionExecutionRejected("booking_form"),
        LoopInterrupted(True),
        FollowupAction("action_listen"),
        ConversationPaused(),
        ConversationResumed(),
        AllSlotsReset(),
        Restarted(),
    ]
    dumps = [event.as_dict() for event in events] + [{"event": "topic", "topic": "old"}, {"no event": 1}]
    ours, rasas = deserialise(dumps), deserialise_events(dumps)
    assert [type(e) for e in ours] == [type(e) for e in rasas] == [type(e) for e in events]
    assert [e.as_dict() for e in ours] == [e.as_dict() for e in rasas] == [e.as_dict() for e in events]
