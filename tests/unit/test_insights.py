"""The Insights page's figures, counted from the stores over a period in the clinic's time zone."""

import asyncio
from datetime import datetime

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.settings import load_settings
from staff import insights
from storage.bookings import KIND_BOOKING, BookingStore, NewRequest
from storage.conversation_index import ConversationIndex

SETTINGS = load_settings()
NY = SETTINGS.zone
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=NY)


def _at(day, hour):
    return datetime(2026, 11, day, hour, tzinfo=NY).timestamp()


def _faq(topic, at):
    return UserUttered(
        "q",
        intent={"name": "faq", "confidence": 0.9},
        parse_data={
            "intent": {"name": "faq", "confidence": 0.9},
            "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{topic}", "confidence": 0.9}}},
        },
        timestamp=at,
    )


def test_figures_over_a_week(tmp_path):
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    conversations = {
        "old": [_faq("cost", _at(1, 10))],  # outside the 7 days
        "a": [_faq("cost", _at(24, 10)), _faq("cost", _at(24, 10) + 5), _faq("recovery", _at(24, 10) + 9)],
        "b": [_faq("cost", _at(25, 23)), UserUttered("??", intent={"name": "nlu_fallback"}, timestamp=_at(25, 23) + 1)],
        "c": [
            UserUttered("a person", intent={"name": "request_human"}, timestamp=_at(26, 9)),
            ActionExecuted("action_handoff_to_human", timestamp=_at(26, 9) + 1),
        ],
        "d": [
            UserUttered("lips swelling", intent={"name": "report_symptom"}, timestamp=_at(26, 10)),
            ActionExecuted("action_symptom_advice", timestamp=_at(26, 10) + 1),
            SlotSet("safety_flags", ["face_swelling"], timestamp=_at(26, 10) + 2),
            UserUttered("also peeling", intent={"name": "report_symptom"}, timestamp=_at(26, 10) + 3),
            SlotSet("safety_flags", ["after_treatment_worry"], timestamp=_at(26, 10) + 4),
        ],
    }
    for sender, events in conversations.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    bookings = BookingStore(f"sqlite:///{tmp_path / 'c.db'}")
    bookings.save(NewRequest(kind=KIND_BOOKING, name="A", phone="+12125550143"), "k1")

    report = insights.build(
        ConversationIndex(f"sqlite:///{tmp_path / 'c.db'}", f"sqlite:///{tmp_path / 't.db'}"),
        bookings,
        SETTINGS,
        "7",
        now=NOW,
    )
    assert [d.day for d in report.days] == [20, 21, 22, 23, 24, 25, 26]
    assert report.conversations == 4 and [b.value for b in report.conversations_per_day] == [0, 0, 0, 0, 1, 1, 2]
    assert report.conversations_per_day[-1].height == insights.CHART_HEIGHT  # the busiest day is the tallest bar
    assert report.conversations_per_day[4].height == insights.CHART_HEIGHT / 2
    assert report.conversations_per_day[0].label == "Fri 20 Nov"
    assert report.outcome_shares == [
        ("Answered by the assistant", 2, 50.0),
        ("Something not answered", 1, 25.0),
        ("Asked for a person", 1, 25.0),
    ]
    assert report.topics == [("Prices and payment", 3, 100.0), ("Recovery and aftercare", 1, 33.3)]
    assert (report.handed_off, report.red_flags, report.other_worries) == (1, 1, 1)
    # the booking was received just now: it counts on today's bar, in the clinic's zone
    today = insights.build(
        ConversationIndex(f"sqlite:///{tmp_path / 'c.db'}", f"sqlite:///{tmp_path / 't.db'}"), bookings, SETTINGS, "7"
    )
    assert today.bookings == 1 and [b.value for b in today.bookings_per_day][-1] == 1


def test_an_unknown_period_is_thirty_days():
    assert len(insights.period_days("nonsense", NOW.date())) == 30
