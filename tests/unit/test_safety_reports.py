"""`python -m staff reports`: every after-treatment report with its time, red flags marked."""

import asyncio

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from staff import transcripts
from storage.conversations import TrackerReader


def _report(text, flags, at):
    return [
        UserUttered(text, intent={"name": "report_symptom", "confidence": 1.0}, timestamp=at),
        ActionExecuted("action_symptom_advice", timestamp=at + 0.1),
        BotUttered("Please call ...", timestamp=at + 0.2),
        SlotSet("safety_flags", flags, timestamp=at + 0.3),
        ActionExecuted("action_listen", timestamp=at + 0.4),
    ]


def test_reports_are_listed_newest_first_with_red_flags_marked_and_phones_masked(tmp_path):
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    trackers = {
        "visitor-a": _report("my lips are swelling, call me on (212) 555-0177", ["face_swelling"], 1_700_000_000.0),
        "visitor-b": [
            UserUttered(
                "what is micro-needling?", intent={"name": "faq", "confidence": 1.0}, timestamp=1_700_000_100.0
            ),
            *_report("bit of peeling on my nose", ["after_treatment_worry"], 1_700_000_200.0),
        ],
    }
    for sender, events in trackers.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))

    conversations = TrackerReader(f"sqlite:///{tmp_path / 'tracker.db'}").conversations()
    listing = transcripts.format_safety_reports(conversations)
    lines = listing.splitlines()
    assert lines[0].startswith("2 after-treatment report(s): 1 with a red flag")
    assert "after-treatment worry" in lines[2] and "bit of peeling on my nose" in lines[2]  # newest first
    assert "RED FLAG: face_swelling" in lines[3] and "2023-11-14 22:13" in lines[3]
    assert "555-0177" not in listing and "[phone]" in listing


def test_no_reports_says_so(tmp_path):
    assert transcripts.format_safety_reports([]) == "No after-treatment reports yet."
