"""Retention: how long clinic.yml says personal data is kept, and the purge that deletes what is older."""

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from clinic.paths import REPO_ROOT
from clinic.settings import Retention, SettingsError, load_settings
from storage.bookings import BookingStore
from storage.conversation_index import ConversationIndex, ci_messages, ci_reports
from storage.conversations import ConversationQuery, TrackerReader
from storage.erasure import erase_visitor
from storage.retention import last_purge, purge, purge_due
from storage.staff_accounts import AccountStore
from tests.support.requests import backdated_request


def test_retention_is_read_and_defaults_when_absent(settings_data, write_settings):
    settings_data.pop("retention", None)
    retention = load_settings(write_settings(settings_data)).retention
    assert (retention.conversations_days, retention.contacted_requests_days) == (180, 365)
    settings_data["retention"] = {"conversations_days": 30}
    retention = load_settings(write_settings(settings_data)).retention
    assert (retention.conversations_days, retention.contacted_requests_days) == (30, 365)


@pytest.mark.parametrize(
    "retention, message",
    [
        ({"conversations_days": 0}, "field 'retention.conversations_days': 0 must be a whole number of days"),
        ({"contacted_requests_days": -5}, "retention.contacted_requests_days"),
        ({"conversations_days": "180"}, "must be a whole number of days"),
        ({"conversations_days": True}, "must be a whole number of days"),
        ({"conversations_days": 10**9}, "1 to 36500"),
        ({"requests_days": 30}, "unknown requests_days"),
        ("forever", "field 'retention': expected a mapping"),
    ],
)
def test_bad_retention_is_rejected(settings_data, write_settings, retention, message):
    settings_data["retention"] = retention
    with pytest.raises(SettingsError, match=message):
        load_settings(write_settings(settings_data))


# -- the purge -------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
DAY = 86400.0


def _days_ago(days: float) -> float:
    return NOW.timestamp() - days * DAY


def _save(store: SQLTrackerStore, sender: str, events) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


@pytest.fixture
def stores(tmp_path):
    """Conversations last active 179 and 181 days ago, one started long ago but active 10 days ago,
    and requests contacted 364 and 366 days ago or never (received 1000 days ago)."""
    tracker_url, clinic_url = f"sqlite:///{tmp_path / 't.db'}", f"sqlite:///{tmp_path / 'c.db'}"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    for sender, days in (("days-179", 179), ("days-181", 181)):
        _save(
            store,
            sender,
            [
                UserUttered(
                    f"my skin is red, this is {sender}", intent={"name": "inform"}, timestamp=_days_ago(days + 1)
                ),
                SlotSet("phone", "+12125550143", timestamp=_days_ago(days + 0.5)),
                ActionExecuted("action_listen", timestamp=_days_ago(days)),
            ],
        )
    _save(
        store,
        "came-back",
        [
            UserUttered("hello in spring", intent={"name": "greet"}, timestamp=_days_ago(400)),
            UserUttered("hello again", intent={"name": "greet"}, timestamp=_days_ago(10)),
        ],
    )
    bookings = BookingStore(clinic_url)
    references = {}
    for label, contacted_days in (("contacted-364", 364), ("contacted-366", 366), ("never-contacted", None)):
        references[label] = backdated_request(bookings, f"Harriet {label}", "+12125550143", NOW, contacted_days)
    index = ConversationIndex(clinic_url, tracker_url, min_interval=0)
    index.refresh(force=True)
    return SimpleNamespace(tracker_url=tracker_url, clinic_url=clinic_url, bookings=bookings, index=index)


def _senders(stores) -> list:
    return sorted(c.sender_id for c in TrackerReader(stores.tracker_url).conversations())


def _indexed(stores) -> list:
    return sorted(s.sender_id for s in stores.index.summaries(ConversationQuery())[1])


def _requests(stores) -> list:
    return sorted(r.name for r in stores.bookings.list_requests())


def test_purge_deletes_what_is_older_than_the_retention_and_nothing_else(stores):
    purged = purge(NOW, Retention(), stores.tracker_url, stores.clinic_url)

    assert (purged.conversations, purged.events, purged.requests) == (1, 3, 1)
    assert _senders(stores) == ["came-back", "days-179"]  # 179 days is inside 180; a visitor who came back stays
    assert _indexed(stores) == ["came-back", "days-179"]
    with create_engine(stores.clinic_url).connect() as connection:
        for table in (ci_messages, ci_reports):
            assert "days-181" not in {row.sender_id for row in connection.execute(select(table))}
    # Contacted 366 days ago goes; 364 stays; never contacted stays however old.
    assert _requests(stores) == ["Harriet contacted-364", "Harriet never-contacted"]
    again = purge(NOW, Retention(), stores.tracker_url, stores.clinic_url)
    assert (again.conversations, again.events, again.requests) == (0, 0, 0)


def test_the_days_come_from_the_settings(stores):
    purged = purge(
        NOW, Retention(conversations_days=5, contacted_requests_days=1), stores.tracker_url, stores.clinic_url
    )
    assert (purged.conversations, purged.requests) == (3, 2)
    assert _senders(stores) == [] and _requests(stores) == ["Harriet never-contacted"]


def test_a_dry_run_counts_the_same_and_deletes_nothing(stores):
    before = (_senders(stores), _indexed(stores), _requests(stores))
    counted = purge(NOW, Retention(), stores.tracker_url, stores.clinic_url, dry_run=True)
    assert counted.dry_run and (counted.conversations, counted.events, counted.requests) == (1, 3, 1)
    assert (_senders(stores), _indexed(stores), _requests(stores)) == before
    assert AccountStore(stores.clinic_url).audit() == []  # nothing changed, nothing to audit
    done = purge(NOW, Retention(), stores.tracker_url, stores.clinic_url)
    assert (done.conversations, done.events, done.requests) == (1, 3, 1)


def test_the_audit_log_gets_counts_never_contents(stores):
    purge(NOW, Retention(), stores.tracker_url, stores.clinic_url, actor="maria")
    [entry] = AccountStore(stores.clinic_url).audit()
    assert (entry.actor, entry.action, entry.target) == ("maria", "personal data purged", "retention")
    assert entry.new_value == "1 conversation(s) (3 events), 1 contacted request(s)"
    assert "180 days" in entry.old_value and "365 days" in entry.old_value
    # Every text field (not the time: its microseconds may well hold "555").
    written = " ".join(str(value) for key, value in entry.__dict__.items() if key != "at")
    for private in ("days-181", "skin", "Harriet", "555", "0143"):
        assert private not in written


def test_the_daily_purge_runs_once_a_day_and_again_after_a_failure(stores, tmp_path):
    assert last_purge(stores.clinic_url) is None
    first = purge_due(NOW, Retention(), stores.tracker_url, stores.clinic_url)
    assert first is not None and first.conversations == 1
    assert last_purge(stores.clinic_url) == NOW
    assert purge_due(NOW + timedelta(hours=23), Retention(), stores.tracker_url, stores.clinic_url) is None
    # A purge that fails (here: the conversation store is unreachable) leaves the day unclaimed.
    broken = f"sqlite:///{tmp_path / 'no such folder' / 't.db'}"
    with pytest.raises(OperationalError):
        purge_due(NOW + timedelta(hours=25), Retention(), broken, stores.clinic_url)
    assert last_purge(stores.clinic_url) == NOW
    assert purge_due(NOW + timedelta(hours=26), Retention(), stores.tracker_url, stores.clinic_url) is not None
    assert last_purge(stores.clinic_url) == NOW + timedelta(hours=26)
    entries = AccountStore(stores.clinic_url).audit()
    assert [e.actor for e in entries] == ["daily purge", "daily purge"]


def _staff(args, stores):
    env = {**os.environ, "TRACKER_DB_URL": stores.tracker_url, "CLINIC_DB_URL": stores.clinic_url}
    return subprocess.run(
        [sys.executable, "-m", "staff", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def test_the_purge_command_shows_what_would_go_then_deletes_it(stores):
    # The command purges at the real time: these conversations are older than 180 days whatever today is.
    for sender in ("days-179", "came-back"):
        erase_visitor(sender, stores.tracker_url, stores.clinic_url)
    shown = _staff(["purge", "--dry-run"], stores)
    assert "Would delete" in shown and "1 conversation(s) (3 events)" in shown and "Nothing was deleted" in shown
    assert _senders(stores) == ["days-181"]
    done = _staff(["purge"], stores)
    assert "Deleted" in done and "1 conversation(s) (3 events)" in done
    assert _senders(stores) == []
    assert "days-181" not in done and "0143" not in done
    assert "Not due" not in _staff(["purge", "--if-due"], stores)
    assert "Not due" in _staff(["purge", "--if-due"], stores)


def test_a_visitor_who_comes_back_while_the_purge_runs_keeps_the_conversation(stores, monkeypatch):
    from storage import retention

    chunks, written = retention.chunks, []

    def visitor_writes_first(ids):
        # Between the purge's query of old conversations and its delete, "days-181" writes again.
        if "days-181" in ids and not written:
            written.append(True)
            store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=stores.tracker_url.split("///", 1)[1])
            tracker = asyncio.run(store.retrieve("days-181"))
            tracker.update(UserUttered("I'm back", intent={"name": "greet"}, timestamp=NOW.timestamp()))
            asyncio.run(store.save(tracker))
        return chunks(ids)

    monkeypatch.setattr(retention, "chunks", visitor_writes_first)
    purged = purge(NOW, Retention(), stores.tracker_url, stores.clinic_url)
    assert (purged.conversations, purged.events) == (0, 0)
    [back] = TrackerReader(stores.tracker_url).conversations("days-181")
    assert [m.text for m in back.messages][-1] == "I'm back" and len(back.messages) == 2
    assert "days-181" in _indexed(stores)
