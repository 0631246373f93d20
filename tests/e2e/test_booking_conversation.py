"""A full booking over the REST webhook, as a new visitor would do it, and the staff view."""

import os
import subprocess
import sys
import uuid

from clinic.paths import REPO_ROOT
from storage.bookings import BookingStore


def _texts(messages) -> str:
    return " ".join(m.get("text", "") for m in messages)


def _rows_for(bot, name):
    return [r for r in BookingStore(bot.db_url).list_requests() if r.name == name]


def test_full_booking_leaves_exactly_one_row_that_staff_see(bot):
    sender = f"book-{uuid.uuid4().hex[:8]}"
    name = "Harriet Vance"
    assert "Clearview" in _texts(bot.say(sender, "hi"))
    assert "30 minutes" in _texts(bot.say(sender, "how long is the appointment going to take"))
    assert "What's your name?" in _texts(bot.say(sender, "I'd like to book"))
    assert bot.tracker(sender)["slots"]["requested_slot"] == "name"
    assert "phone number" in _texts(bot.say(sender, name))
    assert "When would you like to come in?" in _texts(bot.say(sender, "(212) 555 0123"))
    screening = bot.say(sender, "next tuesday afternoon")
    assert "pregnant" in _texts(screening)
    summary = _texts(bot.say(sender, "/deny"))
    assert "+12125550123" in summary and "Tuesday" in summary and "14:00" in summary
    slots = bot.tracker(sender)["slots"]
    assert slots["requested_slot"].startswith("confirm")
    assert slots["preferred_time"].endswith(("-05:00", "-04:00")) and "T14:00:00" in slots["preferred_time"]
    assert slots["screening"] == "no" and slots["phone"] == "+12125550123"

    done = _texts(bot.say(sender, "yes"))
    [row] = _rows_for(bot, name)
    assert row.reference in done
    assert (row.phone, row.screening, row.status) == ("+12125550123", "no", "new")
    actions = [e.get("name") for e in bot.tracker(sender)["events"] if e["event"] == "action"]
    assert "action_submit_booking" in actions

    again = _texts(bot.say(sender, "yes"))  # a doubled confirmation
    assert len(_rows_for(bot, name)) == 1
    assert row.reference in again

    listing = subprocess.run(
        [sys.executable, "-m", "staff", "bookings", "list"],
        cwd=REPO_ROOT,
        env={**os.environ, "CLINIC_DB_URL": bot.db_url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert row.reference in listing and name in listing
    # Nothing the visitor gave (name, phone, screening answer) is in the server logs.
    logs = bot.log_text()
    assert name not in logs and "5550123" not in logs and "555 0123" not in logs


def test_never_mind_halfway_leaves_no_row(bot):
    sender = f"cancel-{uuid.uuid4().hex[:8]}"
    name = "Olu Adeyemi"
    bot.say(sender, "hi")
    bot.say(sender, "can I book an appointment")
    bot.say(sender, name)
    bot.say(sender, "646 555 0177")
    cancelled = _texts(bot.say(sender, "never mind"))
    assert "saved nothing" in cancelled
    assert bot.tracker(sender)["active_loop"] in ({}, None) or not bot.tracker(sender)["active_loop"].get("name")
    assert _rows_for(bot, name) == []


def test_faq_mid_form_is_answered_and_the_form_resumes(bot):
    sender = f"digress-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "I want to make an appointment")
    bot.say(sender, "Mei Tanaka")
    reply = _texts(bot.say(sender, "sorry, first: does micro-needling hurt?"))
    assert "topical anesthetic" in reply and "phone number" in reply
    assert bot.tracker(sender)["slots"]["requested_slot"] == "phone"


def test_bad_answers_are_asked_again_with_the_reason(bot):
    sender = f"reask-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "book me in please")
    bot.say(sender, "Sam Lee")
    assert "for example" in _texts(bot.say(sender, "555 12"))
    assert bot.tracker(sender)["slots"]["requested_slot"] == "phone"
    bot.say(sender, "212 555 0188")
    assert "closed on Sundays" in _texts(bot.say(sender, "sunday at 11am"))
    assert bot.tracker(sender)["slots"]["requested_slot"] == "preferred_time"


def test_person_mid_form_hands_off_and_a_call_back_is_stored(bot):
    sender = f"handoff-{uuid.uuid4().hex[:8]}"
    name = "Nadia Haddad"
    bot.say(sender, "I'd like to schedule a visit")
    bot.say(sender, name)
    bot.say(sender, "917 555 0166")
    handoff = bot.say(sender, "can I talk to a real person instead")
    assert any(b["payload"] == "/request_callback" for m in handoff for b in m.get("buttons", []))
    callback = _texts(bot.say(sender, "/request_callback"))
    [row] = _rows_for(bot, name)
    assert row.kind == "callback" and row.reference in callback
