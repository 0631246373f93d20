"""Session start: copy the clinic's details from the settings into slots.

Responses then say `{clinic_phone}` etc., so no answer hard-codes a contact detail. The
values come from `clinic.texts.clinic_placeholders`, the same function that fills
messages.yml, so every text gets the same details.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_context import clinic_settings
from clinic.settings import ClinicSettings
from clinic.texts import clinic_placeholders


def clinic_slot_events(settings: ClinicSettings) -> List[EventType]:
    values: Dict[Text, Any] = {
        **clinic_placeholders(settings),
        # The cost answer has a variation for listed prices (data/responses/faq.yml).
        "clinic_has_prices": bool(settings.prices),
    }
    return [SlotSet(name, value) for name, value in values.items()]


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        # SessionStarted first, then slots, then action_listen: Rasa's documented order.
        return [
            SessionStarted(),
            *clinic_slot_events(clinic_settings()),
            ActionExecuted("action_listen"),
        ]
