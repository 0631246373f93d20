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
