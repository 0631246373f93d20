"""The README's PostgreSQL option: both servers with the tracker store and the bookings store
on a throwaway PostgreSQL, through Rasa's own tracker-store loader, as `make run` starts them.

It once failed at start ("ClinicSQLTrackerStore() got multiple values for keyword argument
'host'") and nothing noticed, because no test started Rasa on PostgreSQL.
"""

import os
import subprocess
import sys
import uuid
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from clinic.paths import REPO_ROOT
from storage.bookings import BookingStore
from storage.conversations import TrackerReader
from tests.e2e.conftest import Bot, running_bot
from tests.support.postgres import temporary_postgres


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
