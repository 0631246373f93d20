"""Hand the visitor to a person: the clinic's phone and whether someone is there now."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_context import clinic_settings
from actions.messaging import say
from clinic.hours import closing_time_today


class ActionHandoffToHuman(Action):
    def name(self) -> Text:
        return "action_handoff_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        closes = closing_time_today(clinic_settings())
        if closes:
            say(dispatcher, "handoff_open", closes=closes)
        else:
            say(dispatcher, "handoff_closed")
        return []
