"""A visitor reports a problem after treatment: tell them whom to call now.

Never diagnoses, never says a symptom is fine; `clinic.triage` only picks between the
emergency number and the doctor/clinic.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.messaging import say
from clinic.triage import Urgency, assess_urgency


class ActionSymptomAdvice(Action):
    def name(self) -> Text:
        return "action_symptom_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        report = tracker.latest_message.get("text") or ""
        if assess_urgency(report) is Urgency.EMERGENCY:
            say(dispatcher, "symptom_emergency")
        else:
            say(dispatcher, "symptom_call_doctor")
        return []
