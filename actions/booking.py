"""Booking and call-back forms: validation, confirmation summary, submit and cancel.

Each validator is glue: read the value, call a plain function in `clinic/`, and either
keep the value or say why and ask again. The rules live (and are tested) in `clinic/`.
"""

from __future__ import annotations

import abc
import logging
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clinic_context
from actions.messaging import say, why, words
from actions.person_names import person_names
from clinic.dates import DayOnly, PreferredTime, day_parts, parse_preferred_time
from clinic.names import ValidName, parse_name
from clinic.phones import ValidPhone, example_number, parse_phone
from storage.bookings import KIND_BOOKING, KIND_CALLBACK, NewRequest, StoreError

logger = logging.getLogger(__name__)

BOOKING_SLOTS = (
    "name",
    "phone",
    "preferred_time",
    "preferred_day",
    "screening",
    "confirm_booking",
    "form_failures",
)
CHANGEABLE = {"name": "name", "phone": "phone", "time": "preferred_time", "screening": "screening"}
# After this many unusable answers in a row to one question, offer the phone and a
# call-back instead of asking the same thing again (financial-demo's MAX_VALIDATION_FAILURES).
MAX_VALIDATION_FAILURES = 2


def describe_moment(iso: str) -> str:
    return words("moment_format", **PreferredTime.from_iso(iso).parts())


def failures_for(tracker: Tracker, slot: str) -> int:
    """How many unusable answers in a row the visitor gave to the question for `slot`."""
    record = tracker.get_slot("form_failures")
    if isinstance(record, dict) and record.get("slot") == slot:
        return int(record.get("count") or 0)
    return 0


def rejected(
    slot: str, tracker: Tracker, dispatcher: CollectingDispatcher, message: str, **values: Any
) -> Dict[Text, Any]:
    """Say why the answer can't be used; count the failure so the ask action can offer help."""
    say(dispatcher, message, **values)
    return {slot: None, "form_failures": {"slot": slot, "count": failures_for(tracker, slot) + 1}}


def accepted(values: Dict[Text, Any]) -> Dict[Text, Any]:
    return {**values, "form_failures": None}


def form_run_key(tracker: Tracker, form_name: str) -> str:
    """Conversation + the moment this run of the form started: one stored row per run."""
    started = next(
        (
            event.get("timestamp")
            for event in reversed(tracker.events)
            if event.get("event") == "active_loop" and event.get("name") == form_name
        ),
        None,
    )
    return f"{tracker.sender_id}:{form_name}:{started}"


class ContactDetailsValidation:
    """Name and phone validation, shared by the booking and the call-back form."""

    def validate_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        result = parse_name(text, person_names(text))
        if isinstance(result, ValidName):
            return accepted({"name": result.name})
        return rejected("name", tracker, dispatcher, "invalid_name", reason=why(result))

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        region = clinic_context.clinic_settings().phone_region
        result = parse_phone(str(value or ""), region)
        if isinstance(result, ValidPhone):
            return accepted({"phone": result.e164})
        return rejected(
            "phone", tracker, dispatcher, "invalid_phone", reason=why(result), example=example_number(region)
        )


class ValidateBookingForm(ContactDetailsValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_booking_form"

    def validate_preferred_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        pending = tracker.get_slot("preferred_day")
        result = parse_preferred_time(
            str(value or ""),
            clinic_context.clinic_settings(),
            clinic_context.now(),
            pending_day=date.fromisoformat(pending) if pending else None,
        )
        if isinstance(result, PreferredTime):
            return accepted({"preferred_time": result.iso, "preferred_day": None})
        if isinstance(result, DayOnly):
            say(dispatcher, "ask_time_of_day", day=words("day_format", **day_parts(result.day)))
            return accepted({"preferred_time": None, "preferred_day": result.day.isoformat()})
        return rejected("preferred_time", tracker, dispatcher, "invalid_preferred_time", reason=why(result))

    def validate_screening(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value in ("yes", "no"):
            return {"screening": value}
        return {"screening": None}

    def validate_confirm_booking(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value == "yes":
            return {"confirm_booking": "yes"}
        field = next(tracker.get_latest_entity_values("booking_field"), None)
        if value == "change" and field in CHANGEABLE:
            # Clear just that answer: the form asks for it again, then shows the summary.
            return {CHANGEABLE[field]: None, "confirm_booking": None, "booking_changing": False}
        if value == "change":
            return {"confirm_booking": None, "booking_changing": True}
        return {"confirm_booking": None}


class ValidateCallbackForm(ContactDetailsValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_form"


class ActionAskConfirmBooking(Action):
    """The summary with confirm / change / cancel buttons, or which field to change."""

    def name(self) -> Text:
        return "action_ask_confirm_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("booking_changing"):
            say(dispatcher, "what_to_change")
            return [SlotSet("booking_changing", False)]
        say(
            dispatcher,
            "confirm_booking",
            name=tracker.get_slot("name"),
            phone=tracker.get_slot("phone"),
            when=describe_moment(str(tracker.get_slot("preferred_time"))),
            screening_summary=words(
                "screening_summary_yes" if tracker.get_slot("screening") == "yes" else "screening_summary_no"
            ),
        )
        return []


def _store_request(
    dispatcher: CollectingDispatcher, request: NewRequest, key: str, failure: str = "request_not_stored"
) -> Optional[str]:
    try:
        return clinic_context.booking_store().save(request, key)
    except StoreError as error:
        # Only the error class and kind of request: never the visitor's details.
        logger.error("Could not store a %s request: %s", request.kind, error)
        say(dispatcher, failure)
        return None


class ActionSubmitBooking(Action):
    def name(self) -> Text:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not tracker.get_slot("name"):
            # A repeated "yes" after the booking was stored: no second row, same reference.
            reference = tracker.get_slot("booking_reference")
            if reference:
                say(dispatcher, "booking_already_stored", reference=reference)
            return []
        request = NewRequest(
            kind=KIND_BOOKING,
            name=tracker.get_slot("name"),
            phone=tracker.get_slot("phone"),
            preferred_time=tracker.get_slot("preferred_time"),
            screening=tracker.get_slot("screening"),
        )
        # The key of the first try when this is a confirmation tried again after a failure.
        key = tracker.get_slot("request_key") or form_run_key(tracker, "booking_form")
        reference = _store_request(dispatcher, request, key, failure="booking_not_stored_retry")
        if reference is None:
            # Back to the confirm question, answers kept: the visitor can confirm again in a
            # moment (same key: one row however often) or call. The form asks it next.
            return [
                SlotSet("request_key", key),
                ActiveLoop("booking_form"),
                SlotSet("confirm_booking", None),
                SlotSet("requested_slot", "confirm_booking"),
            ]
        say(
            dispatcher,
            "booking_stored_review" if request.needs_provider_review else "booking_stored",
            reference=reference,
            when=describe_moment(str(request.preferred_time)),
        )
        return [
            SlotSet("booking_reference", reference),
            SlotSet("request_key", None),
            *[SlotSet(slot, None) for slot in BOOKING_SLOTS],
        ]


class ActionSubmitCallback(Action):
    def name(self) -> Text:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not tracker.get_slot("name"):  # the form stopped before its first answer (nothing to store)
            return []
        request = NewRequest(kind=KIND_CALLBACK, name=tracker.get_slot("name"), phone=tracker.get_slot("phone"))
        reference = _store_request(dispatcher, request, form_run_key(tracker, "callback_form"))
        if reference is not None:
            say(dispatcher, "callback_stored", name=request.name, reference=reference)
        return []


class ActionCancelBooking(Action):
    """Stop the booking or call-back form, forget its answers, say how to reach us. Stores nothing."""

    def name(self) -> Text:
        return "action_cancel_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        is_callback = tracker.active_loop_name == "callback_form"
        say(dispatcher, "callback_cancelled" if is_callback else "booking_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("request_key", None),
            *[SlotSet(s, None) for s in BOOKING_SLOTS],
        ]


class AskAction(Action, abc.ABC):
    """The form's question for one slot, from messages.yml (action_ask_<slot>)."""

    @property
    @abc.abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if failures_for(tracker, self.slot) >= MAX_VALIDATION_FAILURES:
            in_callback = tracker.active_loop_name == "callback_form"
            say(
                dispatcher,
                "form_stuck_callback" if in_callback else "form_stuck",
                question=words(f"question_{self.slot}"),
            )
            return []
        say(dispatcher, self.question_key(tracker), name=tracker.get_slot("name"))
        return []

    def question_key(self, tracker: Tracker) -> str:
        """The messages.yml key of this slot's question."""
        return f"ask_{self.slot}"


class ActionAskName(AskAction):
    """The first question of both forms: before it, check that a request can be stored now
    (a full or read-only disk, a database that is down); if not, say so plainly with the
    phone and stop the form, instead of asking four questions for nothing."""

    slot = "name"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not tracker.get_slot("name") and not requests_can_be_stored():
            say(dispatcher, "requests_unavailable")
            return [SlotSet("requested_slot", None), *[SlotSet(s, None) for s in BOOKING_SLOTS]]
        return await super().run(dispatcher, tracker, domain)

    def question_key(self, tracker: Tracker) -> str:
        # "Happy to help you book a visit" is the wrong welcome for a call-back request.
        return "ask_name_callback" if tracker.active_loop_name == "callback_form" else "ask_name"


def requests_can_be_stored() -> bool:
    try:
        return clinic_context.booking_store().accepts_writes()
    except StoreError:
        return False


class ActionAskPhone(AskAction):
    slot = "phone"


class ActionAskPreferredTime(AskAction):
    slot = "preferred_time"


class ActionAskScreening(AskAction):
    slot = "screening"
