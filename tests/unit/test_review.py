"""Review and transcripts read what Rasa's own SQL tracker store wrote."""

import asyncio
import io
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.paths import REPO_ROOT
from staff import review, transcripts
from storage.conversations import TrackerReader


def _user(text, intent, confidence, topic=None, topic_confidence=1.0, at=0.0):
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text}
    if topic:
        parse["response_selector"] = {
            "faq": {"response": {"intent_response_key": topic, "confidence": topic_confidence}}
        }
    return UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=at)


def _turn(user, action, bot_text=None):
    events = [user, ActionExecuted(action, timestamp=user.timestamp + 0.1)]
    if bot_text:
        events.append(BotUttered(bot_text, timestamp=user.timestamp + 0.2))
    return events + [ActionExecuted("action_listen", timestamp=user.timestamp + 0.3)]


@pytest.fixture
def store_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    conversations = {
        "older": [
            ActionExecuted("action_session_start", timestamp=100.0),
            *_turn(
                _user("what's the weather in Paris", "out_of_scope", 0.98, at=101.0),
                "utter_out_of_scope",
                "I can't help with that.",
            ),
            *_turn(_user("is it vegan", "nlu_fallback", 0.5, at=102.0), "utter_ask_rephrase", "Could you rephrase?"),
            *_turn(_user("what is micro-needling?", "faq", 0.99, "faq/what_is", at=103.0), "utter_faq", "It is..."),
        ],
        "newer": [
            ActionExecuted("action_session_start", timestamp=200.0),
            *_turn(_user("Is it VEGAN?", "nlu_fallback", 0.41, at=201.0), "utter_ask_rephrase", "Could you rephrase?"),
            *_turn(_user("laser or needling?", "ask_beyond_article", 0.9, at=202.0), "utter_ask_beyond_article"),
            *_turn(
                _user("how long is the downtime", "faq", 0.95, "faq/recovery", 0.55, at=203.0),
                "utter_faq",
                "A few days.",
            ),
            *_turn(
                _user("call me on (212) 555-0199", "request_human", 0.6, at=204.0),
                "action_handoff_to_human",
                "Call us.",
            ),
            *_turn(_user("/book_appointment", "book_appointment", 1.0, at=205.0), "booking_form"),
            ActiveLoop("booking_form", timestamp=205.5),
            SlotSet("requested_slot", "name", timestamp=205.6),
            *_turn(_user("Jane Roe", "inform", 0.3, at=206.0), "booking_form"),
            SlotSet("name", "Jane Roe", timestamp=206.5),
            SlotSet("requested_slot", "phone", timestamp=206.6),
            BotUttered("Thanks Jane Roe, what's your phone?", timestamp=206.7),
            *_turn(_user("2125550123", "inform", 0.2, at=207.0), "booking_form"),
            SlotSet("requested_slot", "screening", timestamp=207.6),
            *_turn(_user("yes I have eczema", "affirm", 0.9, at=208.0), "booking_form"),
            ActiveLoop(None, timestamp=208.5),
            *_turn(_user("yes", "affirm", 0.99, at=209.0), "action_submit_booking", "Booked, reference MN-ABC123."),
        ],
    }
    for sender, events in conversations.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    return url


def test_review_lists_unanswered_grouped_newest_first_and_masked(store_url):
    items = review.collect(TrackerReader(store_url).conversations(), threshold=0.7)
    assert [(i.message, i.times_asked, i.reasons) for i in items] == [
        ("call me on [phone]", 1, [review.REASON_LOW]),
        ("how long is the downtime", 1, [review.REASON_LOW]),  # topic confidence 0.55
        ("laser or needling?", 1, [review.REASON_BEYOND]),
        ("Is it VEGAN?", 2, [review.REASON_FALLBACK]),
        ("what's the weather in Paris", 1, [review.REASON_OUT_OF_SCOPE]),
    ]
    listing = review.format_list(items)
    assert "5552" not in listing and "Jane" not in listing and "eczema" not in listing


def test_threshold_decides_what_counts_as_unsure(store_url):
    items = review.collect(TrackerReader(store_url).conversations(), threshold=0.5)
    assert "how long is the downtime" not in [i.message for i in items]


def test_export_has_an_empty_topic_column_to_fill(store_url):
    out = io.StringIO()
    count = review.export(review.collect(TrackerReader(store_url).conversations()), out)
    lines = out.getvalue().splitlines()
    assert count == 5 and lines[0] == ",".join(review.EXPORT_FIELDS)
    assert all(line.startswith(",") for line in lines[1:])


def test_transcripts_list_outcomes_and_mask_personal_data(store_url):
    conversations = TrackerReader(store_url).conversations()
    listing = transcripts.format_list(conversations)
    assert listing.index("newer") < listing.index("older")
    assert "handed off, booked / recovery" in listing and "- / what_is" in listing
    shown = transcripts.format_transcript(TrackerReader(store_url).conversations("newer")[0])
    for private in ("Jane", "Roe", "2125550123", "555-0199", "eczema"):
        assert private not in shown
    assert "visitor:   [name]" in shown and "[health answer]" in shown and "Thanks [name]" in shown


def test_a_missing_store_is_empty_not_an_error(tmp_path):
    assert TrackerReader(f"sqlite:///{tmp_path / 'none.db'}").conversations() == []


LABELS = """topic,message,times_asked,last_asked,why_listed,assistant_guess
cost,is it covered by my insurance plan,1,,,
,what's the weather in Paris,1,,,
faq/what_is,what is micro-needling,1,,,
out_of_scope,which bus goes to the zoo,1,,,
"""


def _data_copy(tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def test_apply_adds_labelled_rows_to_the_right_blocks_and_skips_duplicates(tmp_path):
    data = _data_copy(tmp_path)
    result = review.apply_labels(io.StringIO(LABELS), data)
    assert result.added == {
        "faq/cost": ["is it covered by my insurance plan"],
        "out_of_scope": ["which bus goes to the zoo"],
    }
    assert [m for m, _ in result.duplicates] == ["what is micro-needling"]
    assert result.skipped_unlabelled == 1
    from training_data.nlu_files import nlu_files, read_all

    blocks = read_all(nlu_files(data))
    assert blocks["faq/cost"].examples[-1].text == "is it covered by my insurance plan"
    assert blocks["out_of_scope"].examples[-1].text == "which bus goes to the zoo"
    # Everything else in the files is unchanged.
    for path in (REPO_ROOT / "data/nlu").glob("*.yml"):
        old, new = path.read_text().splitlines(), (data / "nlu" / path.name).read_text().splitlines()
        assert [line for line in new if line not in old] in (
            [],
            ["    - is it covered by my insurance plan"],
            ["    - which bus goes to the zoo"],
        )


@pytest.mark.parametrize(
    "labels, error",
    [
        ("topic,message\ncosts,how much\n", "unknown topic 'costs'"),
        ("topic,message\ncost,\n", "a topic but no message"),
        ("topic,message\nrequest_human,call me on [phone]\n", "masked personal data"),
        ("message\nhow much\n", "no topic column"),
    ],
)
def test_apply_with_a_bad_row_writes_nothing(tmp_path, labels, error):
    data = _data_copy(tmp_path)
    before = {p.name: p.read_text() for p in (data / "nlu").glob("*.yml")}
    good_row = "\ncost,is it covered by my insurance plan\n" if labels.startswith("topic") else ""
    with pytest.raises(review.LabelError, match=error.replace("[", r"\[").replace("]", r"\]")):
        review.apply_labels(io.StringIO(labels.rstrip("\n") + good_row), data)
    assert {p.name: p.read_text() for p in (data / "nlu").glob("*.yml")} == before
