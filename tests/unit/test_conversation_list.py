"""The console's conversation list: filters done in SQL, labels staff can read, masked exports."""

import asyncio
import csv
import io
from datetime import datetime

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.settings import load_settings
from staff import conversation_views as views
from storage.conversation_index import ConversationIndex
from storage.conversations import ConversationQuery, TrackerReader

NY = load_settings().zone


def _at(day: int, hour: int) -> float:
    return datetime(2026, 11, day, hour, tzinfo=NY).timestamp()


def _faq(text, topic, confidence, at):
    return UserUttered(
        text,
        intent={"name": "faq", "confidence": 0.99},
        parse_data={
            "intent": {"name": "faq", "confidence": 0.99},
            "response_selector": {
                "faq": {"response": {"intent_response_key": f"faq/{topic}", "confidence": confidence}}
            },
        },
        timestamp=at,
    )


CONVERSATIONS = {
    "answered": [
        _faq("how long is the downtime?", "recovery", 0.93, _at(20, 10)),
        BotUttered("Redness for a few days ...", timestamp=_at(20, 10) + 1),
    ],
    "missed": [
        UserUttered(
            "do you do laser_hair 100% off?", intent={"name": "nlu_fallback", "confidence": 0.3}, timestamp=_at(22, 9)
        ),
        ActionExecuted("action_default_fallback", timestamp=_at(22, 9) + 1),
    ],
    "booked": [
        _faq("what does it cost", "cost", 0.88, _at(24, 15)),
        ActionExecuted("booking_form", timestamp=_at(24, 15) + 1),
        SlotSet("requested_slot", "name", timestamp=_at(24, 15) + 2),
        UserUttered("Harriet Vance", intent={"name": "inform", "confidence": 0.9}, timestamp=_at(24, 15) + 3),
        SlotSet("name", "Harriet Vance", timestamp=_at(24, 15) + 4),
        SlotSet("requested_slot", "phone", timestamp=_at(24, 15) + 5),
        UserUttered("212 555 0143", intent={"name": "inform", "confidence": 0.9}, timestamp=_at(24, 15) + 6),
        SlotSet("phone", "+12125550143", timestamp=_at(24, 15) + 7),
        BotUttered("Thanks Harriet Vance, we'll call you on (212) 555-0143.", timestamp=_at(24, 15) + 8),
        ActionExecuted("action_submit_booking", timestamp=_at(24, 15) + 9),
    ],
}


@pytest.fixture(scope="module")
def tracker_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("tracker") / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    for sender, events in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def index(tracker_url, tmp_path_factory):
    """The console's index of the conversations, kept in the clinic's database."""
    return ConversationIndex(f"sqlite:///{tmp_path_factory.mktemp('clinic') / 'clinic.db'}", tracker_url)


@pytest.fixture(scope="module")
def reader(tracker_url):
    return TrackerReader(tracker_url)


def _ids(index, **query):
    return [s.sender_id for s in index.summaries(ConversationQuery(**query))[1]]


def test_the_list_is_newest_first_with_counts_and_outcomes(index):
    total, found = index.summaries(ConversationQuery())
    assert total == 3 and [s.sender_id for s in found] == ["booked", "missed", "answered"]
    booked = found[0]
    assert booked.messages == 3 and booked.outcomes == ("booked",)
    assert booked.first_message == "what does it cost"
    assert found[1].outcomes == ("unanswered",) and found[2].outcomes == ()


def test_filters_by_outcome_topic_words_and_dates(index):
    assert _ids(index, outcome="booked") == ["booked"]
    assert _ids(index, outcome="unanswered") == ["missed"]
    assert _ids(index, topic="recovery") == ["answered"]
    assert _ids(index, topic="what_is") == []
    assert _ids(index, text="DOWNTIME") == ["answered"]
    # LIKE's wildcards in what staff type are literal characters
    assert _ids(index, text="laser_hair 100%") == ["missed"] and _ids(index, text="laser%hair") == []
    settings = load_settings()
    since = views.Filters(since="2026-11-21", until="2026-11-22").query(settings)
    assert _ids(index, since=since.since, until=since.until) == ["missed"]  # "To" includes its whole day


def test_paging(index):
    assert _ids(index, limit=2) == ["booked", "missed"]
    assert _ids(index, limit=2, offset=2) == ["answered"]
    assert index.summaries(ConversationQuery(limit=2, offset=2))[0] == 3


def test_bad_filters_are_refused_with_the_reason():
    settings = load_settings()
    with pytest.raises(views.QueryError, match="not a date"):
        views.Filters(since="26/11/2026").query(settings)
    with pytest.raises(views.QueryError, match="before"):
        views.Filters(since="2026-11-26", until="2026-11-01").query(settings)
    with pytest.raises(views.QueryError, match="topics"):
        views.Filters(topic="price'; drop table events").query(settings)
    with pytest.raises(views.QueryError, match="outcomes"):
        views.Filters(outcome="everything").query(settings)


def test_filters_from_the_query_string_survive_junk():
    filters = views.Filters.from_args({"page": ["-4"], "text": ["x" * 500], "topic": ["cost"]})
    assert filters.page == 1 and len(filters.text) == 200 and filters.topic == "cost"
    assert views.Filters.from_args({"page": ["two"]}).page == 1
    assert views.Filters(topic="cost", page=2).link(page=3) == "topic=cost&page=3"


def test_transcript_shows_plain_topics_confidence_and_personal_data_to_staff(reader):
    conversation = reader.conversations("booked")[0]
    lines = views.describe_transcript(conversation, load_settings())
    first = lines[0]
    assert (first["label"], first["confidence"], first["when"]) == ("Prices and payment", 88, "15:00:00")
    assert any(line["text"] == "Harriet Vance" and line["form_answer"] for line in lines)
    assert "Harriet Vance" in lines[-1]["text"]


def test_export_masks_names_phones_and_health_answers_unless_asked(reader):
    conversations = reader.conversations()
    out = io.StringIO()
    assert views.export_csv(conversations, out, load_settings()) == 3
    text = out.getvalue()
    assert "Harriet" not in text and "555" not in text and "[name]" in text and "[phone]" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0].keys() == set(views.CSV_FIELDS)
    assert {row["understood_as"] for row in rows} >= {"Prices and payment", "Not understood", "Recovery and aftercare"}
    unmasked = io.StringIO()
    views.export_csv(conversations, unmasked, load_settings(), masked=False)
    assert "Harriet Vance" in unmasked.getvalue()


def test_export_defuses_spreadsheet_formulas():
    assert views._csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert views._csv_safe("hello") == "hello"


def test_only_conversations_with_reports_are_read_for_the_reports_page(tmp_path):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    report = [
        UserUttered("pus on my cheek", intent={"name": "report_symptom"}, timestamp=_at(25, 9)),
        ActionExecuted("action_symptom_advice", timestamp=_at(25, 9) + 1),
        SlotSet("safety_flags", ["infection"], timestamp=_at(25, 9) + 2),
    ]
    for sender, events in {**CONVERSATIONS, "reported": report}.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    total, found = ConversationIndex(f"sqlite:///{tmp_path / 'clinic.db'}", f"sqlite:///{path}").latest_safety_reports(
        limit=10
    )
    assert total == 1 and [(report.flags, report.text, sender) for report, sender in found] == [
        (["infection"], "pus on my cheek", "reported")
    ]


def test_the_index_follows_new_events_and_can_be_rebuilt(tracker_url, tmp_path):
    index = ConversationIndex(f"sqlite:///{tmp_path / 'clinic.db'}", tracker_url, min_interval=0)
    assert index.summaries(ConversationQuery())[0] == 3
    path = tracker_url.removeprefix("sqlite:///")
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=path)
    # a turn appended to a known conversation, and a new conversation
    tracker = asyncio.run(store.retrieve("answered"))
    tracker.update(
        UserUttered("do you do laser?", intent={"name": "ask_beyond_article", "confidence": 0.9}, timestamp=_at(20, 11))
    )
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(DialogueStateTracker.from_events("later", [_faq("price?", "cost", 0.9, _at(25, 8))])))
    total, found = index.summaries(ConversationQuery())
    answered = next(s for s in found if s.sender_id == "answered")
    assert total == 4 and answered.messages == 2 and answered.outcomes == ("unanswered",)
    assert index.rebuild() > 0 and index.summaries(ConversationQuery())[0] == 4


def test_teach_reads_only_missed_or_unsure_messages_and_never_form_answers(index):
    conversations = index.messages_since(0.0, 0.7)
    texts = sorted(m.text for c in conversations for m in c.messages)
    assert texts == ["do you do laser_hair 100% off?"]  # not the names and numbers typed into the form
    [message] = [m for c in conversations for m in c.messages]
    assert message.next_action == "action_default_fallback" and message.intent == "nlu_fallback"


def test_the_index_is_rebuilt_from_the_command_line(tracker_url, tmp_path):
    import subprocess
    import sys

    from clinic.paths import REPO_ROOT

    env = {"CLINIC_DB_URL": f"sqlite:///{tmp_path / 'clinic.db'}", "TRACKER_DB_URL": tracker_url, "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "staff", "rebuild-index"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Rebuilt the console's index from" in result.stdout
    rebuilt = ConversationIndex(env["CLINIC_DB_URL"], tracker_url).summaries(ConversationQuery())[0]
    assert rebuilt == len(TrackerReader(tracker_url).conversations())  # every conversation, once
