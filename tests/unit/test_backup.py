"""Backups: a consistent copy of both SQLite stores while the assistant writes, that restores."""

import asyncio
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.tracker_store import ClinicSQLTrackerStore
from clinic.paths import REPO_ROOT
from storage.backup import BackupError, backup
from storage.bookings import KIND_BOOKING, BookingStore, NewRequest
from storage.conversations import TrackerReader
from storage.staff_accounts import AccountStore

STAMPED = re.compile(r"^(conversations|bookings)-\d{8}T\d{6}Z\.sqlite3$")


class Writer(threading.Thread):
    """The assistant at work: a conversation and a booking request stored, again and again."""

    def __init__(self, tracker_path, clinic_url):
        super().__init__(daemon=True)
        # As the server opens it: WAL mode, so readers and the backup never hold it up.
        self.tracker = ClinicSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tracker_path}")
        self.bookings = BookingStore(clinic_url)
        self.written = 0
        self.errors = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                number = self.written
                events = [UserUttered(f"message number {number}", intent={"name": "greet"}, timestamp=time.time())]
                asyncio.run(self.tracker.save(DialogueStateTracker.from_events(f"visitor-{number}", events)))
                self.bookings.save(
                    NewRequest(kind=KIND_BOOKING, name=f"Visitor {number}", phone="+12125550143"),
                    f"visitor-{number}:b:1",
                )
                self.written += 1
            except Exception as error:  # the test fails on any
                self.errors.append(repr(error))
                return

    def wait_for(self, count):
        deadline = time.monotonic() + 30
        while self.written < count and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.written >= count, self.errors


def test_a_backup_taken_while_the_assistant_writes_restores_with_the_data(tmp_path):
    tracker_path, clinic_path = tmp_path / "tracker.db", tmp_path / "clinic.db"
    clinic_url = f"sqlite:///{clinic_path}"
    writer = Writer(tracker_path, clinic_url)
    writer.start()
    try:
        writer.wait_for(20)
        before = writer.written
        # And a write caught half way in each store: begun before the backup, committed after it.
        halfway = [sqlite3.connect(tracker_path, timeout=30), sqlite3.connect(clinic_path, timeout=30)]
        halfway[0].execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('half-written', 'user', 1, "
            """'{"event": "user", "text": "half-written", "timestamp": 1}')"""
        )
        halfway[1].execute(
            "INSERT INTO booking_requests (reference, idempotency_key, kind, created_at, name, phone, "
            "needs_provider_review, status) VALUES ('MN-HALFWY', 'half:b:1', 'booking', '2026-11-26 12:00:00', "
            "'Half Written', '+12125550143', 0, 'new')"
        )
        files = backup(tmp_path / "backups", f"sqlite:///{tracker_path}", clinic_url)
        for connection in halfway:
            connection.commit()
            connection.close()
        writer.wait_for(writer.written + 20)  # and it goes on writing afterwards
    finally:
        writer.stop.set()
        writer.join(10)
    assert writer.errors == []
    after = writer.written
    assert [f.store for f in files] == ["conversations", "bookings"]
    for file in files:
        assert STAMPED.match(file.path.name), file.path.name
        assert stat.S_IMODE(file.path.stat().st_mode) == 0o600
        assert file.size == file.path.stat().st_size > 0
        with sqlite3.connect(file.path) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == sorted(f.path.name for f in files)

    # Restore as the README says: the copy back in the store's place (here: a fresh folder).
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(files[0].path, restored / "tracker.db")
    shutil.copy(files[1].path, restored / "clinic.db")
    conversations = {c.sender_id: c for c in TrackerReader(f"sqlite:///{restored / 'tracker.db'}").conversations()}
    requests = {r.name for r in BookingStore(f"sqlite:///{restored / 'clinic.db'}").list_requests()}
    assert before <= len(conversations) <= after and before <= len(requests) <= after
    assert conversations["visitor-0"].messages[0].text == "message number 0"
    assert {f"Visitor {n}" for n in range(before)} <= requests
    # What was not committed when the backup ran is not in it (and is in the store now).
    assert "half-written" not in conversations and "Half Written" not in requests
    assert TrackerReader(f"sqlite:///{tracker_path}").conversations("half-written")


def test_one_database_for_both_stores_is_copied_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'all.db'}"
    BookingStore(url)
    (tmp_path / "sub").mkdir()
    [file] = backup(tmp_path / "b", url, f"sqlite:///{tmp_path}/sub/../all.db")  # the same file, spelled another way
    assert file.store == "conversations-and-bookings"


def test_a_missing_store_is_an_error_and_no_empty_database_is_made(tmp_path):
    BookingStore(f"sqlite:///{tmp_path / 'clinic.db'}")
    with pytest.raises(BackupError, match="no SQLite database at"):
        backup(tmp_path / "b", f"sqlite:///{tmp_path / 'missing.db'}", f"sqlite:///{tmp_path / 'clinic.db'}")
    assert not (tmp_path / "missing.db").exists()
    assert list((tmp_path / "b").iterdir()) == []  # no half-written file left behind


def test_the_backup_command_writes_private_files_and_says_so_in_the_audit_log(tmp_path):
    clinic_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    BookingStore(clinic_url).save(NewRequest(kind=KIND_BOOKING, name="Harriet Vance", phone="+12125550143"), "k:b:1")
    sqlite3.connect(tmp_path / "tracker.db").execute("CREATE TABLE events (id INTEGER PRIMARY KEY)").connection.close()
    env = {**os.environ, "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}", "CLINIC_DB_URL": clinic_url}
    result = subprocess.run(
        [sys.executable, "-m", "staff", "backup", str(tmp_path / "new" / "backups")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    written = sorted((tmp_path / "new" / "backups").iterdir())
    assert len(written) == 2 and all(STAMPED.match(p.name) for p in written)
    assert stat.S_IMODE((tmp_path / "new" / "backups").stat().st_mode) == 0o700
    assert all(str(p) in result.stdout for p in written) and "0600" in result.stdout
    [entry] = [e for e in AccountStore(clinic_url).audit() if e.action == "backup made"]
    assert entry.new_value == "2 file(s)"
