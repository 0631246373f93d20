"""Deleting one visitor's data: their events, their booking requests and the console's index of
them go; everyone else's stay."""

import asyncio

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storage.bookings import KIND_BOOKING, BookingStore, NewRequest
from storage.conversation_index import ConversationIndex
from storage.conversations import ConversationQuery, TrackerReader
from storage.erasure import erase_visitor


def test_one_visitor_is_erased_and_nobody_else(tmp_path):
    tracker_url, clinic_url = f"sqlite:///{tmp_path / 't.db'}", f"sqlite:///{tmp_path / 'c.db'}"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    for sender in ("visitor_1", "visitor%1", "visitor-2"):
        events = [UserUttered(f"hello from {sender}", intent={"name": "greet"}, timestamp=1.0)]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    bookings = BookingStore(clinic_url)
    for sender in ("visitor_1", "visitor%1", "visitor-2"):
        bookings.save(NewRequest(kind=KIND_BOOKING, name=sender, phone="+12125550143"), f"{sender}:booking_form:1.0")
    index = ConversationIndex(clinic_url, tracker_url, min_interval=0)
    assert index.summaries(ConversationQuery())[0] == 3

    erased = erase_visitor("visitor_1", tracker_url, clinic_url)
    assert (erased.events, erased.requests) == (1, 1) and "1 booking request" in erased.describe()
    assert TrackerReader(tracker_url).conversations("visitor_1") == []
    assert sorted(c.sender_id for c in TrackerReader(tracker_url).conversations()) == ["visitor%1", "visitor-2"]
    # LIKE's wildcards in an id are plain characters: "visitor_1" does not take "visitor%1" with it
    assert sorted(r.name for r in bookings.list_requests()) == ["visitor%1", "visitor-2"]
    assert sorted(s.sender_id for s in index.summaries(ConversationQuery())[1]) == ["visitor%1", "visitor-2"]
    assert erase_visitor("nobody", tracker_url, clinic_url).events == 0
