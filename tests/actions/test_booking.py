"""Booking actions with rasa-sdk's Tracker and CollectingDispatcher, over a real SQLite store."""

import asyncio
from datetime import datetime, timezone

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import clinic_context
from actions.booking import (
    ActionAskConfirmBooking,
    ActionAskName,
    ActionAskPhone,
    ActionAskPreferredTime,
    ActionAskScreening,
    ActionCancelBooking,
    ActionSubmitBooking,
    ActionSubmitCallback,
    ValidateBookingForm,
    form_run_key,
)
from storage.bookings import BookingStore

# Wednesday 25 Nov 2026, 10:00 in New York.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def pinned_clock_and_store(monkeypatch, tmp_path):
    monkeypatch.setattr(clinic_context, "now", lambda: NOW)
    monkeypatch.setenv("CLINIC_DB_URL", f"sqlite:///{tmp_path / 'clinic.db'}")
    clinic_context.booking_store.cache_clear()
    yield
    clinic_context.booking_store.cache_clear()


def run(action, dispatcher, tracker):
    return asyncio.run(action.run(dispatcher, tracker, {}))


def validate(method, value, dispatcher, tracker):
    result = getattr(ValidateBookingForm(), method)(value, dispatcher, tracker, {})
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


@pytest.mark.parametrize(
    "text, expected",
    [("jane doe", "Jane Doe"), ("my name is Tom Baker", "Tom Baker")],
)
def test_valid_name_is_kept(dispatcher, make_tracker, text, expected):
    assert validate("validate_name", text, dispatcher, make_tracker(text)) == {"name": expected, "form_failures": None}
    assert dispatcher.messages == []


def test_person_name_in_a_sentence_is_found_by_spacy_in_the_action_server(dispatcher, make_tracker):
    tracker = make_tracker("hello, this is Maria Lopez speaking")
    assert tracker.latest_message.get("entities", []) == []
    result = validate("validate_name", tracker.latest_message["text"], dispatcher, tracker)
    assert result == {"name": "Maria Lopez", "form_failures": None}


def test_absurd_name_is_re_asked_with_a_reason(dispatcher, make_tracker):
    result = validate("validate_name", "what is this", dispatcher, make_tracker("what is this"))
    assert result == {"name": None, "form_failures": {"slot": "name", "count": 1}}
    [message] = dispatcher.messages
    assert "doesn't look like a name" in message["text"] and "What name" in message["text"]


def test_phone_is_stored_as_e164(dispatcher, make_tracker):
    result = validate("validate_phone", "(212) 555 0123", dispatcher, make_tracker())
    assert result == {"phone": "+12125550123", "form_failures": None}


def test_bad_phone_is_re_asked_with_an_example(dispatcher, make_tracker):
    result = validate("validate_phone", "555 12", dispatcher, make_tracker())
    assert result == {"phone": None, "form_failures": {"slot": "phone", "count": 1}}
    [message] = dispatcher.messages
    assert "for example (201) 555-0123" in message["text"]


def test_preferred_time_becomes_iso(dispatcher, make_tracker):
    result = validate("validate_preferred_time", "next tuesday afternoon", dispatcher, make_tracker())
    assert result == {"preferred_time": "2026-12-01T14:00:00-05:00", "preferred_day": None, "form_failures": None}


def test_closed_day_is_re_asked_with_why(dispatcher, make_tracker):
    result = validate("validate_preferred_time", "sunday at 11", dispatcher, make_tracker())
    assert result == {"preferred_time": None, "form_failures": {"slot": "preferred_time", "count": 1}}
    [message] = dispatcher.messages
    assert "closed on Sundays" in message["text"]


def test_day_without_time_asks_for_the_time_and_keeps_the_day(dispatcher, make_tracker):
    first = validate("validate_preferred_time", "tuesday", dispatcher, make_tracker())
    assert first == {"preferred_time": None, "preferred_day": "2026-12-01", "form_failures": None}
    assert "What time on Tuesday 1 December suits you?" in dispatcher.messages[0]["text"]
    follow_up = validate(
        "validate_preferred_time", "2pm", dispatcher, make_tracker(slots={"preferred_day": "2026-12-01"})
    )
    assert follow_up == {"preferred_time": "2026-12-01T14:00:00-05:00", "preferred_day": None, "form_failures": None}


@pytest.mark.parametrize("value", ["yes", "no"])
def test_screening_answers_are_kept(dispatcher, make_tracker, value):
    assert validate("validate_screening", value, dispatcher, make_tracker()) == {"screening": value}


def test_change_a_named_field_clears_just_that_answer(dispatcher, make_tracker):
    tracker = make_tracker("/change_booking")
    tracker.latest_message["entities"] = [{"entity": "booking_field", "value": "phone"}]
    result = validate("validate_confirm_booking", "change", dispatcher, tracker)
    assert result == {"phone": None, "confirm_booking": None, "booking_changing": False}


def test_change_without_a_field_asks_which(dispatcher, make_tracker):
    result = validate("validate_confirm_booking", "change", dispatcher, make_tracker("change something"))
    assert result == {"confirm_booking": None, "booking_changing": True}
    events = run(ActionAskConfirmBooking(), dispatcher, make_tracker(slots={"booking_changing": True}))
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == ["Name", "Phone", "Time", "Health answer"]
    assert events == [{"event": "slot", "timestamp": None, "name": "booking_changing", "value": False}]


def test_summary_shows_the_time_in_words_and_the_screening_outcome(dispatcher, make_tracker):
    slots = {"name": "Jane", "phone": "+12125550123", "preferred_time": "2026-12-01T14:00:00-05:00", "screening": "yes"}
    run(ActionAskConfirmBooking(), dispatcher, make_tracker(slots=slots))
    [message] = dispatcher.messages
    assert "Jane, phone +12125550123, preferred time Tuesday 1 December at 14:00" in message["text"]
    assert "provider will discuss suitability" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/change_booking", "/stop"]


def _booking_tracker(make_tracker, screening="no", started=1000.0):
    tracker = make_tracker(
        "yes",
        "affirm",
        slots={
            "name": "Jane Doe",
            "phone": "+12125550123",
            "preferred_time": "2026-12-01T14:00:00-05:00",
            "screening": screening,
        },
    )
    tracker.events = [{"event": "active_loop", "name": "booking_form", "timestamp": started}]
    return tracker


def test_submit_stores_one_row_and_gives_a_reference(dispatcher, make_tracker):
    events = run(ActionSubmitBooking(), dispatcher, _booking_tracker(make_tracker))
    [row] = BookingStore().list_requests()
    assert (row.name, row.phone, row.preferred_time, row.screening) == (
        "Jane Doe",
        "+12125550123",
        "2026-12-01T14:00:00-05:00",
        "no",
    )
    [message] = dispatcher.messages
    assert f"reference is {row.reference}" in message["text"] and "Tuesday 1 December at 14:00" in message["text"]
    assert {"event": "slot", "timestamp": None, "name": "booking_reference", "value": row.reference} in events
    assert {"event": "slot", "timestamp": None, "name": "name", "value": None} in events


def test_a_retried_submit_for_the_same_form_run_keeps_one_row(dispatcher, make_tracker):
    run(ActionSubmitBooking(), dispatcher, _booking_tracker(make_tracker))
    run(ActionSubmitBooking(), dispatcher, _booking_tracker(make_tracker))
    assert len(BookingStore().list_requests()) == 1
    [reference] = [r.reference for r in BookingStore().list_requests()]
    assert all(reference in m["text"] for m in dispatcher.messages)


def test_a_second_yes_after_storing_repeats_the_reference(dispatcher, make_tracker):
    tracker = make_tracker("yes", "affirm", slots={"booking_reference": "MN-ABC234"})
    assert run(ActionSubmitBooking(), dispatcher, tracker) == []
    [message] = dispatcher.messages
    assert "MN-ABC234 is already with the clinic" in message["text"]
    assert BookingStore().list_requests() == []


def test_screening_yes_is_flagged_and_told(dispatcher, make_tracker):
    run(ActionSubmitBooking(), dispatcher, _booking_tracker(make_tracker, screening="yes"))
    assert BookingStore().list_requests()[0].needs_provider_review is True
    assert "provider will discuss whether micro-needling suits you" in dispatcher.messages[0]["text"]


def test_a_store_failure_tells_the_visitor_to_call_and_logs_no_personal_data(
    dispatcher, make_tracker, monkeypatch, caplog
):
    monkeypatch.setenv("CLINIC_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    clinic_context.booking_store.cache_clear()
    tracker = _booking_tracker(make_tracker)
    events = run(ActionSubmitBooking(), dispatcher, tracker)
    [message] = dispatcher.messages
    assert "couldn't save your booking request" in message["text"] and "(212) 555-0100" in message["text"]
    assert "Could not store a booking request" in caplog.text
    assert "Jane" not in caplog.text and "5550123" not in caplog.text
    # Back at the confirm question with the answers kept, and the first try's key.
    key = form_run_key(tracker, "booking_form")
    assert events == [
        SlotSet("request_key", key),
        ActiveLoop("booking_form"),
        SlotSet("confirm_booking", None),
        SlotSet("requested_slot", "confirm_booking"),
    ]


def test_a_confirmation_tried_again_after_a_failure_is_stored_once_under_the_first_key(dispatcher, make_tracker):
    tracker = _booking_tracker(make_tracker)
    tracker.slots["request_key"] = "test-visitor:booking_form:1.0"
    run(ActionSubmitBooking(), dispatcher, tracker)
    run(ActionSubmitBooking(), CollectingDispatcher(), tracker)  # a doubled confirmation
    [row] = BookingStore().list_requests()
    assert BookingStore()._reference_for("test-visitor:booking_form:1.0") == row.reference


def test_callback_is_stored_as_a_request(dispatcher, make_tracker):
    tracker = make_tracker("Jane", slots={"name": "Jane", "phone": "+12125550123"})
    tracker.events = [{"event": "active_loop", "name": "callback_form", "timestamp": 5.0}]
    run(ActionSubmitCallback(), dispatcher, tracker)
    [row] = BookingStore().list_requests()
    assert (row.kind, row.name, row.preferred_time) == ("callback", "Jane", None)
    assert f"call-back request is {row.reference}" in dispatcher.messages[0]["text"]


def test_cancel_stores_nothing_and_clears_the_answers(dispatcher, make_tracker):
    events = run(ActionCancelBooking(), dispatcher, _booking_tracker(make_tracker))
    assert BookingStore().list_requests() == []
    assert events[0] == {"event": "active_loop", "timestamp": None, "name": None}
    assert {"event": "slot", "timestamp": None, "name": "phone", "value": None} in events
    [message] = dispatcher.messages
    assert "saved nothing" in message["text"] and "https://clearview-skin.example/book" in message["text"]


def test_form_run_key_changes_with_each_run(make_tracker):
    tracker = make_tracker()
    tracker.events = [
        {"event": "active_loop", "name": "booking_form", "timestamp": 1.0},
        {"event": "active_loop", "name": None, "timestamp": 2.0},
        {"event": "active_loop", "name": "booking_form", "timestamp": 3.0},
    ]
    assert form_run_key(tracker, "booking_form") == "test-visitor:booking_form:3.0"


@pytest.mark.parametrize(
    "action_class, slots, must_say",
    [
        (ActionAskName, {}, "What's your name?"),
        (ActionAskPhone, {"name": "Jane"}, "Thanks, Jane. What phone number"),
        (ActionAskPreferredTime, {}, "Our hours: Mon–Wed 09:00–18:00"),
        (ActionAskScreening, {}, "psoriasis or eczema"),
    ],
)
def test_form_questions(dispatcher, make_tracker, action_class, slots, must_say):
    run(action_class(), dispatcher, make_tracker(slots=slots))
    assert must_say in dispatcher.messages[0]["text"]


def _in_form(make_tracker, form_name, slots=None, text=""):
    tracker = make_tracker(text, slots=slots or {})
    tracker.active_loop = {"name": form_name}
    return tracker


@pytest.mark.parametrize(
    "form, welcome, not_said",
    [("booking_form", "help you book a visit", "call you back"), ("callback_form", "can call you back", "book")],
)
def test_the_first_question_welcomes_the_request_the_visitor_made(dispatcher, make_tracker, form, welcome, not_said):
    run(ActionAskName(), dispatcher, _in_form(make_tracker, form))
    [message] = dispatcher.messages
    assert welcome in message["text"] and "What's your name?" in message["text"]
    assert not_said not in message["text"]


def test_stop_in_the_call_back_form_gets_its_own_words(dispatcher, make_tracker):
    run(ActionCancelBooking(), dispatcher, _in_form(make_tracker, "callback_form", {"name": "Jane"}))
    [message] = dispatcher.messages
    assert "saved nothing" in message["text"] and "(212) 555-0100" in message["text"]
    assert "book any time" not in message["text"]


@pytest.mark.parametrize(
    "method, slot, bad, ask_action",
    [
        ("validate_name", "name", "12345", ActionAskName),
        ("validate_phone", "phone", "555 12", ActionAskPhone),
        ("validate_preferred_time", "preferred_time", "asdf qwerty", ActionAskPreferredTime),
    ],
)
def test_two_unusable_answers_to_one_question_offer_the_phone_and_a_call_back(
    dispatcher, make_tracker, method, slot, bad, ask_action
):
    first = validate(method, bad, dispatcher, _in_form(make_tracker, "booking_form"))
    assert first["form_failures"] == {"slot": slot, "count": 1}
    # After one failure the form asks its usual question again.
    run(
        ask_action(),
        dispatcher,
        _in_form(make_tracker, "booking_form", {"name": "Jane", "form_failures": first["form_failures"]}),
    )
    assert "call-back" not in dispatcher.messages[-1]["text"]
    second = validate(
        method, bad, dispatcher, _in_form(make_tracker, "booking_form", {"form_failures": first["form_failures"]})
    )
    assert second["form_failures"] == {"slot": slot, "count": 2}
    run(ask_action(), dispatcher, _in_form(make_tracker, "booking_form", {"form_failures": second["form_failures"]}))
    offer = dispatcher.messages[-1]
    assert "(212) 555-0100" in offer["text"] and "call-back" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == ["/request_callback", "/stop"]
    # ...and a good answer still goes on, clearing the count.
    good = {"name": "Jane Doe", "phone": "(212) 555 0123", "preferred_time": "next tuesday afternoon"}[slot]
    result = validate(
        method, good, dispatcher, _in_form(make_tracker, "booking_form", {"form_failures": second["form_failures"]})
    )
    assert result[slot] and result["form_failures"] is None


def test_failures_on_another_question_start_a_new_count(dispatcher, make_tracker):
    tracker = _in_form(make_tracker, "booking_form", {"form_failures": {"slot": "name", "count": 1}})
    assert validate("validate_phone", "555 12", dispatcher, tracker)["form_failures"] == {"slot": "phone", "count": 1}


def test_the_call_back_form_offers_only_the_phone_when_stuck(dispatcher, make_tracker):
    tracker = _in_form(make_tracker, "callback_form", {"form_failures": {"slot": "phone", "count": 2}})
    run(ActionAskPhone(), dispatcher, tracker)
    [offer] = dispatcher.messages
    assert "(212) 555-0100" in offer["text"] and [b["payload"] for b in offer["buttons"]] == ["/stop"]


@pytest.mark.parametrize("form", ["booking_form", "callback_form"])
def test_when_requests_cant_be_stored_the_first_question_says_so_and_stops_the_form(
    dispatcher, make_tracker, tmp_path, monkeypatch, form
):
    """A read-only disk (as root, chmod is no barrier: SQLite's own read-only mode stands in)."""
    database = tmp_path / "clinic.db"
    BookingStore(f"sqlite:///{database}")  # the tables exist, as on a running clinic
    monkeypatch.setenv("CLINIC_DB_URL", f"sqlite:///file:{database}?mode=ro&uri=true")
    clinic_context.booking_store.cache_clear()
    events = run(ActionAskName(), dispatcher, _in_form(make_tracker, form))
    [message] = dispatcher.messages
    assert "can't take a booking or call-back request here right now" in message["text"]
    assert "(212) 555-0100" in message["text"]
    assert SlotSet("requested_slot", None) in events  # the form ends here: no questions for nothing
    # Once the store takes writes again, the same question is asked as usual.
    monkeypatch.setenv("CLINIC_DB_URL", f"sqlite:///{database}")
    clinic_context.booking_store.cache_clear()
    again = CollectingDispatcher()
    assert run(ActionAskName(), again, _in_form(make_tracker, form)) == []
    assert "What's your name?" in again.messages[0]["text"]


def test_a_call_back_form_stopped_before_its_first_answer_stores_nothing(dispatcher, make_tracker):
    assert run(ActionSubmitCallback(), dispatcher, make_tracker()) == []
    assert dispatcher.messages == [] and BookingStore().list_requests() == []
