"""`python -m staff.seed`: fake conversations in Rasa's own event format, and booking requests."""

import json
import re
import sqlite3
from datetime import datetime, timezone

import pytest
from rasa.shared.core.events import Event

from clinic.paths import CLINIC_DB_ENV_VAR, TRACKER_DB_ENV_VAR, VAR_DIR
from clinic.topics import FAQ_TOPICS
from staff import seed
from storage.bookings import KIND_CALLBACK, STATUS_CONTACTED, BookingStore
from storage.conversations import AFTER_TREATMENT_WORRY, TrackerReader

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=timezone.utc)
FAKE_PHONE = re.compile(r"^\+1\d{3}55501\d{2}$")


@pytest.fixture
def seeded(tmp_path):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    clinic_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    summary = seed.seed(tracker_url, clinic_url, conversations=50, bookings=20, seed_value=1, now=NOW)
    return tmp_path, tracker_url, clinic_url, summary


def test_conversations_read_back_as_the_console_reads_them(seeded):
    _, tracker_url, _, summary = seeded
    conversations = TrackerReader(tracker_url).conversations()
    assert len(conversations) == summary.conversations == 50
    assert all(1 <= len(c.messages) <= 6 for c in conversations)
    oldest = NOW.timestamp() - seed.DAYS * 86400
    assert all(oldest <= c.started <= NOW.timestamp() for c in conversations)
    topics = {topic for c in conversations for topic in c.topics}
    assert topics and topics <= {f"faq/{t}" for t in FAQ_TOPICS}
    assert len(topics) >= 5
    outcomes = {outcome for c in conversations for outcome in c.outcomes}
    assert {"booked", "handed off", "symptom advice"} <= outcomes
    intents = {m.intent for c in conversations for m in c.messages}
    assert {"faq", "book_appointment", "report_symptom"} <= intents
    assert intents & {"nlu_fallback", "out_of_scope", "ask_beyond_article"}
    unsure = [m for c in conversations for m in c.messages if m.topic and min(m.confidence, m.topic_confidence) < 0.7]
    assert unsure, "some FAQ questions are below the review threshold"
    reports = [r for c in conversations for r in c.safety_reports]
    assert len(reports) == summary.safety_reports > 0
    assert all(r.text and r.flags for r in reports)
    assert any(r.flags == [AFTER_TREATMENT_WORRY] for r in reports) or any(r.is_red_flag for r in reports)
    booked = [c for c in conversations if "booked" in c.outcomes]
    assert all(any(FAKE_PHONE.match(value) for value in c.private_values) for c in booked)


def test_every_event_is_rasas_own_json(seeded):
    tmp_path, _, _, summary = seeded
    rows = sqlite3.connect(tmp_path / "tracker.db").execute(
        "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
    )
    count = 0
    for sender_id, type_name, timestamp, intent_name, action_name, data in rows:
        event = json.loads(data)
        assert Event.from_parameters(event).as_dict() == event  # what SQLTrackerStore.save would write
        assert (type_name, timestamp) == (event["event"], event["timestamp"])
        assert intent_name == event.get("parse_data", {}).get("intent", {}).get("name")
        assert action_name == event.get("name")
        assert sender_id.startswith("web-")
        count += 1
    assert count == summary.events
    first = sqlite3.connect(tmp_path / "tracker.db").execute(
        "SELECT type_name, action_name FROM events WHERE sender_id = (SELECT MIN(sender_id) FROM events) ORDER BY id"
    )
    opening = [tuple(row) for row in first][:2]
    assert opening == [("action", "action_session_start"), ("session_started", None)]


def test_bookings_have_the_asked_mix(seeded):
    _, _, clinic_url, summary = seeded
    requests = BookingStore(clinic_url).list_requests(None)
    assert len(requests) == summary.requests == 20
    assert sum(r.kind == KIND_CALLBACK for r in requests) == 4
    assert sum(r.needs_provider_review for r in requests) == 3
    assert sum(r.status == STATUS_CONTACTED for r in requests) == 6
    assert all(FAKE_PHONE.match(r.phone) for r in requests)
    assert len({r.reference for r in requests}) == 20
    assert all((r.contacted_at is not None) == (r.status == STATUS_CONTACTED) for r in requests)
    assert BookingStore(clinic_url).list_requests("new")  # the console's default list is not empty


def test_a_booking_conversation_and_its_request_match(seeded):
    _, tracker_url, clinic_url, summary = seeded
    assert summary.linked_requests > 0
    requests = {r.phone: r for r in BookingStore(clinic_url).list_requests(None)}
    booked = [c for c in TrackerReader(tracker_url).conversations() if "booked" in c.outcomes]
    matched = [c for c in booked if any(value in requests for value in c.private_values)]
    assert matched


def test_seeding_the_same_seed_twice_is_refused(seeded, capsys):
    tmp_path, tracker_url, clinic_url, _ = seeded
    code = seed.main(
        ["--conversations", "5", "--bookings", "2", "--tracker-url", tracker_url, "--clinic-db-url", clinic_url]
    )
    assert code == 2
    assert "already holds" in capsys.readouterr().err


def test_the_command_line_seeds_and_summarises(tmp_path, capsys):
    code = seed.main(
        [
            "--conversations",
            "12",
            "--bookings",
            "5",
            "--tracker-url",
            f"sqlite:///{tmp_path / 't.db'}",
            "--clinic-db-url",
            f"sqlite:///{tmp_path / 'c.db'}",
            "--seed",
            "7",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Seeded 12 conversations" in out and "Seeded 5 booking requests" in out
    assert len(TrackerReader(f"sqlite:///{tmp_path / 't.db'}").conversations()) == 12


def _mtimes():
    return {path: path.stat().st_mtime_ns for path in VAR_DIR.glob("*.db")}


def test_refuses_the_repositorys_own_databases_without_yes(monkeypatch, capsys):
    monkeypatch.delenv(TRACKER_DB_ENV_VAR, raising=False)
    monkeypatch.delenv(CLINIC_DB_ENV_VAR, raising=False)
    before = _mtimes()
    assert seed.main(["--conversations", "3", "--bookings", "1"]) == 2
    err = capsys.readouterr().err
    assert "refusing" in err and "var/" in err and "--yes" in err
    assert _mtimes() == before


def test_refuses_a_database_under_var_even_when_named(tmp_path, capsys):
    args = ["--tracker-url", f"sqlite:///{VAR_DIR / 'tracker.db'}", "--clinic-db-url", f"sqlite:///{tmp_path / 'c.db'}"]
    assert seed.main(["--conversations", "3", *args]) == 2
    assert "--tracker-url" in capsys.readouterr().err
    assert not (tmp_path / "c.db").exists()


def test_refuses_the_configured_databases_from_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(TRACKER_DB_ENV_VAR, f"sqlite:///{tmp_path / 'live-tracker.db'}")
    monkeypatch.setenv(CLINIC_DB_ENV_VAR, f"sqlite:///{tmp_path / 'live-clinic.db'}")
    assert seed.main(["--conversations", "3"]) == 2
    assert "configured database" in capsys.readouterr().err
    assert not (tmp_path / "live-tracker.db").exists()
    # With --yes it is the caller's choice.
    assert seed.main(["--conversations", "3", "--bookings", "1", "--yes"]) == 0
    assert len(TrackerReader(f"sqlite:///{tmp_path / 'live-tracker.db'}").conversations()) == 3
