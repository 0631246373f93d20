"""The README's PostgreSQL option: both servers with the tracker store and the bookings store
on a throwaway PostgreSQL, through Rasa's own tracker-store loader, as `make run` starts them.

It once failed at start ("ClinicSQLTrackerStore() got multiple values for keyword argument
'host'") and nothing noticed, because no test started Rasa on PostgreSQL.
"""

import asyncio
import os
import stat
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from channels.tracker_store import ClinicSQLTrackerStore
from clinic.paths import REPO_ROOT
from storage.backup import postgres_tool
from storage.bookings import KIND_BOOKING, BookingStore, NewRequest
from storage.conversation_index import ConversationIndex
from storage.conversations import ConversationQuery, TrackerReader
from storage.staff_accounts import AccountStore
from tests.e2e.conftest import Bot, running_bot
from tests.support.postgres import temporary_postgres
from tests.support.requests import backdated_request


@pytest.fixture(scope="module")
def postgres_bot(tmp_path_factory) -> Iterator[Bot]:
    with temporary_postgres() as url:
        # The README's shapes: a psycopg2 URL for bookings, a plain one for conversations.
        tracker_url = url.replace("postgresql+psycopg2://", "postgresql://")
        with running_bot(tmp_path_factory.mktemp("pg-bot"), tracker_db_url=tracker_url, clinic_db_url=url) as bot:
            yield bot


def _texts(messages) -> str:
    return " ".join(m.get("text", "") for m in messages)


def test_a_conversation_and_a_booking_are_kept_in_postgresql(postgres_bot):
    bot = postgres_bot
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    assert "collagen" in _texts(bot.say(sender, "what is micro-needling?"))
    bot.say(sender, "I'd like to book")
    bot.say(sender, "Harriet Vance")
    bot.say(sender, "(212) 555 0143")
    bot.say(sender, "next tuesday afternoon")
    bot.say(sender, "/deny")
    done = _texts(bot.say(sender, "yes"))

    [row] = [r for r in BookingStore(bot.db_url).list_requests() if r.name == "Harriet Vance"]
    assert row.reference in done and row.phone == "+12125550143"

    # The conversation is in PostgreSQL's events table, where the staff commands read it.
    tracker_url = bot.config.tracker_db_url
    assert tracker_url and tracker_url.startswith("postgresql://")
    with create_engine(tracker_url).connect() as connection:
        count = connection.execute(text("select count(*) from events where sender_id = :s"), {"s": sender}).scalar()
    assert count and count > 10
    [conversation] = [c for c in TrackerReader(tracker_url).conversations() if c.sender_id == sender]
    assert "booked" in conversation.outcomes

    listing = subprocess.run(
        [sys.executable, "-m", "staff", "conversations", "list"],
        cwd=REPO_ROOT,
        env={**os.environ, "TRACKER_DB_URL": tracker_url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sender in listing


# -- personal data on PostgreSQL: forget, purge, backup and restore --------------------------------


def _staff(bot: Bot, *args: str) -> str:
    env = {**os.environ, "TRACKER_DB_URL": bot.config.tracker_db_url, "CLINIC_DB_URL": bot.db_url}
    result = subprocess.run(
        [sys.executable, "-m", "staff", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _book(bot: Bot, sender: str, name: str, phone_as_typed: str) -> str:
    """The booking form through the running servers; returns the request's reference."""
    for message in ("I'd like to book", name, phone_as_typed, "next tuesday afternoon", "/deny"):
        bot.say(sender, message)
    done = _texts(bot.say(sender, "yes"))
    [row] = [r for r in BookingStore(bot.db_url).list_requests() if r.name == name]
    assert row.reference in done
    return row.reference


def _events_of(bot: Bot, sender: str) -> int:
    with create_engine(bot.config.tracker_db_url).connect() as connection:
        return int(connection.execute(text("select count(*) from events where sender_id = :s"), {"s": sender}).scalar())


def test_forgetting_a_person_on_postgresql(postgres_bot):
    bot, run = postgres_bot, uuid.uuid4().hex[:8]
    booked, mentioned, other, by_reference = (f"{kind}-{run}" for kind in ("booked", "mentioned", "other", "byref"))
    _book(bot, booked, "Omar Said", "212.555.0166")
    bot.say(mentioned, "my mobile is +1 (212) 555-0166 by the way")
    bot.say(other, "what is micro-needling?")
    reference = _book(bot, by_reference, "Lena Park", "(212) 555-0167")
    index = ConversationIndex(bot.db_url, bot.config.tracker_db_url, min_interval=0)
    index.refresh(force=True)

    shown = _staff(bot, "forget", "--phone", "212 555 0166")
    assert "Deleted for that phone number: 2 conversation(s)" in shown and "1 booking request(s)" in shown
    assert (_events_of(bot, booked), _events_of(bot, mentioned)) == (0, 0) and _events_of(bot, other) > 0
    assert "+12125550166" not in {r.phone for r in BookingStore(bot.db_url).list_requests()}
    indexed = {s.sender_id for s in index.summaries(ConversationQuery(limit=500))[1]}
    assert other in indexed and not {booked, mentioned} & indexed

    assert "1 conversation(s)" in _staff(bot, "forget", "--reference", reference)
    assert _events_of(bot, by_reference) == 0
    assert reference not in {r.reference for r in BookingStore(bot.db_url).list_requests()}
    entries = [e for e in AccountStore(bot.db_url).audit() if e.action == "a person's data forgotten"]
    assert [e.target for e in entries] == ["by booking reference", "by phone number"]
    assert not any("0166" in str(e.old_value) + e.target for e in entries)


def test_the_purge_on_postgresql(postgres_bot):
    bot, run = postgres_bot, uuid.uuid4().hex[:8]
    now = time.time()
    store = ClinicSQLTrackerStore(Domain.empty(), host=bot.config.tracker_db_url)
    for sender, days in ((f"old-{run}", 200), (f"recent-{run}", 10)):
        events = [UserUttered(f"hello from {sender}", intent={"name": "greet"}, timestamp=now - days * 86400)]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    bookings = BookingStore(bot.db_url)
    moment = datetime.now(timezone.utc)
    for name, contacted_days in ((f"contacted-400-{run}", 400), (f"contacted-10-{run}", 10), (f"new-{run}", None)):
        backdated_request(bookings, name, "+12125550199", moment, contacted_days)
    ConversationIndex(bot.db_url, bot.config.tracker_db_url, min_interval=0).refresh(force=True)
    seeded = {f"contacted-400-{run}", f"contacted-10-{run}", f"new-{run}"}

    def names() -> set:
        return {r.name for r in bookings.list_requests()} & seeded

    shown = _staff(bot, "purge", "--dry-run")
    assert "Would delete" in shown and "1 conversation(s) (1 events), 1 contacted request(s)" in shown
    assert _events_of(bot, f"old-{run}") == 1 and len(names()) == 3
    done = _staff(bot, "purge", "--if-due")
    assert "Deleted" in done and "1 conversation(s) (1 events), 1 contacted request(s)" in done
    assert (_events_of(bot, f"old-{run}"), _events_of(bot, f"recent-{run}")) == (0, 1)
    assert names() == {f"contacted-10-{run}", f"new-{run}"}
    assert "Not due" in _staff(bot, "purge", "--if-due")
    [entry] = [e for e in AccountStore(bot.db_url).audit() if e.action == "personal data purged"]
    assert entry.actor == "daily purge" and entry.new_value == "1 conversation(s) (1 events), 1 contacted request(s)"


def test_a_backup_taken_while_visitors_chat_restores_on_postgresql(postgres_bot, tmp_path):
    bot, run = postgres_bot, uuid.uuid4().hex[:8]
    reference = BookingStore(bot.db_url).save(
        NewRequest(kind=KIND_BOOKING, name=f"Backed Up {run}", phone="+12125550155"), f"backup-{run}:b:1"
    )
    bot.say(f"backup-{run}", "what is micro-needling?")
    stop, said = threading.Event(), []

    def chatting() -> None:  # a visitor writing to the store while pg_dump reads it
        while not stop.is_set():
            said.append(bot.say(f"chatty-{run}", "how much does it cost?"))

    visitor = threading.Thread(target=chatting, daemon=True)
    visitor.start()
    try:
        while not said:
            time.sleep(0.05)
        shown = _staff(bot, "backup", str(tmp_path / "backups"))
    finally:
        stop.set()
        visitor.join(60)
    # Both stores are one PostgreSQL database here: one dump, private to its owner.
    [dump] = list((tmp_path / "backups").iterdir())
    assert dump.name.startswith("conversations-and-bookings-") and dump.suffix == ".pgdump"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600 and str(dump) in shown

    # Restore as the README says, into a new database beside the running one.
    admin = create_engine(bot.db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE restored_{run}"))
    admin.dispose()
    restored = make_url(bot.db_url).set(database=f"restored_{run}")
    target = f"postgresql://{restored.username}@{restored.host}:{restored.port}/{restored.database}"
    subprocess.run([postgres_tool("pg_restore"), "--no-owner", f"--dbname={target}", str(dump)], check=True)
    engine = create_engine(restored)
    with engine.connect() as connection:
        sender = connection.execute(
            text("select count(*) from events where sender_id = :s"), {"s": f"backup-{run}"}
        ).scalar()
    assert sender and sender > 0
    assert reference in {r.reference for r in BookingStore(engine=engine).list_requests()}
    engine.dispose()
