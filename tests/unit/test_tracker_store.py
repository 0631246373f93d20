import asyncio
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
    for operation in (lambda: store.retrieve("visitor-2"), lambda: store.save(tracker)):
        with store_outage.watching() as outage:
            with pytest.raises(SQLAlchemyError):
                asyncio.run(operation())
        assert outage.happened
    store_outage.note_failure()  # outside a message: nothing to tell, and no error
