"""Hand the visitor to a person: live in this chat when staff are available, else the phone.

A staff member signed in to the console and marked available, during opening hours: the
visitor joins the queue (storage.handoffs), is told their place, and keeps chatting with
the assistant until staff take over (the console pauses the assistant then). Otherwise:
the clinic's phone, whether it is open now, and a call-back offer.
"""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_context import clinic_settings, handoff_store
from actions.messaging import say
from clinic.hours import closing_time_today

logger = logging.getLogger(__name__)
WAITING_SIGNAL = {"handoff": "waiting"}  # tells the widget to look for staff messages


class ActionHandoffToHuman(Action):
    def name(self) -> Text:
        return "action_handoff_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        closes = closing_time_today(clinic_settings())
        if closes and self._join_queue(dispatcher, tracker.sender_id):
            return []
        if closes:
            say(dispatcher, "handoff_open", closes=closes)
        else:
            say(dispatcher, "handoff_closed")
        return []

    @staticmethod
    def _join_queue(dispatcher: CollectingDispatcher, sender_id: str) -> bool:
        try:
            store = handoff_store()
            if not store.available_staff():
                return False
            _, ahead = store.request(sender_id)
        except Exception:  # the queue's database is down: the phone path still works
            logger.exception("live hand-off queue unavailable; giving the phone instead")
            return False
        if ahead:
            say(dispatcher, "handoff_joining_queue", position=ahead + 1)
        else:
            say(dispatcher, "handoff_joining_first")
        dispatcher.utter_message(json_message=WAITING_SIGNAL)
        return True
