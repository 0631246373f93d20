"""Session start: copy the clinic's contact details from the settings into slots.

Responses then say `{clinic_phone}` etc., so no answer hard-codes a contact detail.
"""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_context import clinic_settings
from clinic.hours import describe_week
from clinic.prices import describe_prices
from clinic.settings import ClinicSettings


def clinic_slot_events(settings: ClinicSettings) -> List[EventType]:
    prices = describe_prices(settings)
    values: Dict[Text, Any] = {
        "clinic_name": settings.name,
        "clinic_phone": settings.phone,
        "clinic_address": settings.address,
        "clinic_hours": describe_week(settings),
        "clinic_booking_url": settings.booking_url,
        "clinic_emergency_number": settings.emergency_number,
        "clinic_prices": prices,
        "clinic_has_prices": prices is not None,
    }
    return [SlotSet(name, value) for name, value in values.items()]


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        # SessionStarted first, then slots, then action_listen: Rasa's documented order.
        return [
            SessionStarted(),
            *clinic_slot_events(clinic_settings()),
            ActionExecuted("action_listen"),
        ]
