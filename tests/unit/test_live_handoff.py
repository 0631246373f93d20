"""The hand-off's plain logic: what each staff action adds to the conversation (Rasa events), the
widget's updates (modes, cursor, the call-back offer), leaving the queue for a call-back, idle staff."""

import pytest

from channels import live as visitor_side
from clinic.settings import load_settings
from staff import live
from storage.handoffs import HandoffStore

SETTINGS = load_settings()


@pytest.fixture
def sent(monkeypatch):
    """The events the console would POST to Rasa's /conversations/{id}/tracker/events."""
    calls = []
    monkeypatch.setattr(live.rasa_api, "append_events", lambda sender, events: calls.append((sender, events)))
    return calls


@pytest.fixture
def store(tmp_path):
    return HandoffStore(f"sqlite:///{tmp_path / 'c.db'}")


def test_take_over_pauses_and_says_who_joined_once(store, sent):
    handoff, _ = store.request("visitor-a")
    live.take_over(store, handoff, "maria", SETTINGS)
    [(sender, events)] = sent
    assert sender == "visitor-a" and [e["event"] for e in events] == ["pause", "bot"]
    assert events[1]["text"] == "Maria from Clearview Skin Clinic has joined the chat."
    assert events[1]["metadata"] == {"handoff": "joined", "staff": "maria", "staff_name": "Maria"}
    with pytest.raises(live.LiveError, match="Already taken by Maria"):
        live.take_over(store, handoff, "omar", SETTINGS)
    assert len(sent) == 1


def test_replies_hand_back_and_close(store, sent):
    handoff, _ = store.request("visitor-a")
    live.take_over(store, handoff, "maria", SETTINGS)
    live.reply(handoff, "maria", "  Hello!  ")
    assert sent[-1][1][0]["text"] == "Hello!" and sent[-1][1][0]["metadata"]["staff"] == "maria"
    for empty in ("", "   "):
        with pytest.raises(live.LiveError, match="Write something"):
            live.reply(handoff, "maria", empty)
    with pytest.raises(live.LiveError, match="under 1000"):
        live.reply(handoff, "maria", "x" * 1001)
    live.hand_back(store, handoff, SETTINGS, "closed")
    events = sent[-1][1]
    assert [e["event"] for e in events] == ["bot", "resume"] and events[0]["text"].startswith("Thank you for chatting")
    assert store.get(handoff.id).outcome == "closed"


def test_idle_or_signed_out_staff_give_their_conversations_back(store, sent):
    handoff, _ = store.request("visitor-a")
    store.seen("maria", now=1000.0)
    live.take_over(store, handoff, "maria", SETTINGS)
    assert store.idle_holders(now=1030.0) == [] and store.idle_holders(now=2000.0) == ["maria"]
    assert live.release_idle(store, "maria", SETTINGS) == 1
    events = sent[-1][1]
    assert [e["event"] for e in events] == ["bot", "resume"] and "step away" in events[0]["text"]
    back = store.get(handoff.id)
    assert back.state == "waiting" and back.outcome is None  # still in the queue, not ended


class FakeReader:
    def __init__(self, lines):
        self.lines = lines
        self.asked = []

    def live_lines(self, sender, since):
        self.asked.append(since)
        return [line for line in self.lines if line["timestamp"] > since]


def test_the_widgets_updates_modes_cursor_and_the_call_back_offer(store):
    reader = FakeReader([{"text": "Maria joined", "staff": "Maria", "kind": "joined", "timestamp": 130.0}])
    assert visitor_side.updates("visitor-a", 0.0, reader, store, SETTINGS, now=100.0)["mode"] == "bot"
    handoff, _ = store.request("visitor-a", now=100.0)
    waiting = visitor_side.updates("visitor-a", 0.0, reader, store, SETTINGS, now=110.0)
    assert waiting["mode"] == "waiting" and waiting["waited_seconds"] == 10 and "offer" not in waiting
    assert reader.asked[-1] == 100.0  # a first look starts at the request: nothing older
    late = visitor_side.updates("visitor-a", 0.0, reader, store, SETTINGS, now=100.0 + 3 * 60)
    assert late["offer"]["buttons"] == [{"title": "Call me back instead", "payload": "/request_callback"}]
    store.take(handoff.id, "maria")
    taken = visitor_side.updates("visitor-a", 100.0, reader, store, SETTINGS, now=140.0)
    assert taken["mode"] == "staff" and taken["cursor"] == 130.0 and taken["messages"][0]["kind"] == "joined"
    assert visitor_side.parse_since("nan") == 0.0 and visitor_side.parse_since("1e400") == 0.0
    assert visitor_side.parse_since("x") == 0.0 and visitor_side.parse_since("-5") == 0.0


def test_accepting_the_call_back_leaves_the_queue_but_only_while_waiting(store):
    handoff, _ = store.request("visitor-a")
    visitor_side.before_message("visitor-a", "hello?", store)
    assert store.get(handoff.id).ended_at is None
    visitor_side.before_message("visitor-a", "/request_callback", store)
    assert store.get(handoff.id).outcome == "callback"


def test_red_flags_in_the_queue_are_flagged_with_the_advice(store):
    assert visitor_side.red_flag_advice("visitor-a", "my lips are swelling", store, SETTINGS) is None  # not queued
    handoff, _ = store.request("visitor-a")
    assert visitor_side.red_flag_advice("visitor-a", "is it painful?", store, SETTINGS) is None
    advice = visitor_side.red_flag_advice("visitor-a", "my lips are swelling up badly", store, SETTINGS)
    assert advice.text.startswith("Please call 911 now.") and "face_swelling" in advice.flags
    assert store.get(handoff.id).red_flag
