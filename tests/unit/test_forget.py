"""A person's request to be forgotten: by phone number, written any way, or by booking reference,
their booking requests and every conversation in which that phone appeared are deleted."""

import argparse
import asyncio
import io
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.paths import REPO_ROOT
from clinic.settings import load_settings
from staff.data_commands import run_forget
from storage.bookings import KIND_BOOKING, KIND_CALLBACK, BookingStore, NewRequest
from storage.conversation_index import ConversationIndex
from storage.conversations import ConversationQuery, TrackerReader
from storage.erasure import ForgetError, forget_person
from storage.staff_accounts import AccountStore

PHONE = "+12125550177"
# Who wrote what: the same number in four ways, only in the booking form's slot, or not at all.
CONVERSATIONS = {
    "dots": [UserUttered("my number is 212.555.0177 thanks", intent={"name": "inform"})],
    "spaced": [UserUttered("call me on (212) 555 0177 please", intent={"name": "inform"})],
    "international": [UserUttered("+1-212-555-0177", intent={"name": "inform"})],
    "slot-only": [UserUttered("two one two five five five...", intent={"name": "inform"}), SlotSet("phone", PHONE)],
    "neighbour": [UserUttered("my number is 212 555 0178", intent={"name": "inform"})],
    "order-number": [UserUttered("my order is 12125550177999", intent={"name": "inform"})],
    "other": [UserUttered("what is micro-needling?", intent={"name": "faq"})],
}


@pytest.fixture
def stores(tmp_path):
    tracker_url, clinic_url = f"sqlite:///{tmp_path / 't.db'}", f"sqlite:///{tmp_path / 'c.db'}"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    for sender, events in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    bookings = BookingStore(clinic_url)
    references = {
        # Made in "dots"; a call-back from a conversation already deleted; the neighbour's booking.
        "dots": bookings.save(NewRequest(kind=KIND_BOOKING, name="Harriet Vance", phone=PHONE), "dots:booking_form:1"),
        "gone": bookings.save(NewRequest(kind=KIND_CALLBACK, name="Harriet V", phone=PHONE), "gone:callback_form:2"),
        "neighbour": bookings.save(
            NewRequest(kind=KIND_BOOKING, name="Omar Said", phone="+12125550178"), "neighbour:booking_form:3"
        ),
    }
    index = ConversationIndex(clinic_url, tracker_url, min_interval=0)
    index.refresh(force=True)
    return SimpleNamespace(
        tracker_url=tracker_url, clinic_url=clinic_url, bookings=bookings, index=index, references=references
    )


def _left(stores):
    return (
        sorted(c.sender_id for c in TrackerReader(stores.tracker_url).conversations()),
        sorted(s.sender_id for s in stores.index.summaries(ConversationQuery())[1]),
        sorted(r.name for r in stores.bookings.list_requests()),
    )


@pytest.mark.parametrize("written", ["(212) 555-0177", "2125550177", "+1 212 555 0177", "212.555.0177"])
def test_forget_by_phone_finds_the_number_however_it_was_written(stores, written):
    erased = forget_person("US", phone=written, tracker=stores.tracker_url, clinic=stores.clinic_url)
    assert (erased.conversations, erased.events, erased.requests) == (4, 5, 2)
    conversations, indexed, requests = _left(stores)
    assert conversations == indexed == ["neighbour", "order-number", "other"]
    assert requests == ["Omar Said"]


def test_forget_by_reference_takes_the_phone_of_that_request(stores):
    erased = forget_person(
        "US", reference=stores.references["neighbour"].lower(), tracker=stores.tracker_url, clinic=stores.clinic_url
    )
    assert (erased.conversations, erased.requests) == (1, 1)
    conversations, _, requests = _left(stores)
    assert "neighbour" not in conversations and len(conversations) == 6
    assert requests == ["Harriet V", "Harriet Vance"]


def test_a_dry_run_counts_and_deletes_nothing(stores):
    before = _left(stores)
    counted = forget_person(
        "US", phone="212 555 0177", tracker=stores.tracker_url, clinic=stores.clinic_url, dry_run=True
    )
    assert (counted.conversations, counted.events, counted.requests) == (4, 5, 2)
    assert _left(stores) == before and AccountStore(stores.clinic_url).audit() == []


def test_the_audit_log_gets_the_counts_not_the_person(stores):
    forget_person("US", phone="212 555 0177", tracker=stores.tracker_url, clinic=stores.clinic_url, actor="maria")
    [entry] = AccountStore(stores.clinic_url).audit()
    assert (entry.actor, entry.action, entry.target) == ("maria", "a person's data forgotten", "by phone number")
    assert entry.old_value == "4 conversation(s) (5 events), 2 booking request(s)"
    written = " ".join(str(value) for key, value in entry.__dict__.items() if key != "at")  # not the time's digits
    assert "0177" not in written and "Harriet" not in written and "dots" not in written


@pytest.mark.parametrize(
    "asked, message",
    [
        ({"phone": "call me maybe"}, "can't be read as a phone number"),
        ({"phone": "12"}, "can't be read as a phone number"),
        ({"reference": "MN-NOSUCH"}, "no booking request with reference 'MN-NOSUCH'"),
        ({}, "either a phone number or a booking reference"),
    ],
)
def test_what_cannot_be_used_is_refused_and_nothing_is_deleted(stores, asked, message):
    before = _left(stores)
    with pytest.raises(ForgetError, match=message):
        forget_person("US", tracker=stores.tracker_url, clinic=stores.clinic_url, **asked)
    assert _left(stores) == before


def test_the_forget_command_reports_counts_and_never_the_number(stores, monkeypatch):
    monkeypatch.setenv("TRACKER_DB_URL", stores.tracker_url)
    monkeypatch.setenv("CLINIC_DB_URL", stores.clinic_url)
    out = io.StringIO()
    args = argparse.Namespace(phone="(212) 555-0177", reference=None, dry_run=False)
    assert run_forget(args, load_settings(), out) == 0
    assert out.getvalue().startswith(
        "Deleted for that phone number: 4 conversation(s) (5 events), 2 booking request(s)"
    )
    assert "0177" not in out.getvalue()
    # The command line, as staff type it.
    env = {**os.environ, "TRACKER_DB_URL": stores.tracker_url, "CLINIC_DB_URL": stores.clinic_url}
    result = subprocess.run(
        [sys.executable, "-m", "staff", "forget", "--reference", stores.references["neighbour"]],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "1 conversation(s) (1 events), 1 booking request(s)" in result.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "staff", "forget", "--phone", "nobody"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1 and "can't be read as a phone number" in refused.stderr
