"""A visitor reports a problem after treatment: tell them whom to call, first thing.

Never diagnoses, never says a symptom is fine. A red flag (clinic.triage) gets the
emergency number as the first sentence; any other worry gets the clinic's phone, its hours
and a call-back or a person. The signs found are kept in the `safety_flags` slot, so staff
can list every report with its time (`python -m staff reports`).
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_context import clinic_settings
from actions.messaging import say
from clinic.triage import Urgency, triage


class ActionSymptomAdvice(Action):
    def name(self) -> Text:
        return "action_symptom_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        report = tracker.latest_message.get("text") or ""
        # This action answers messages the assistant took for a report (report_symptom).
        result = triage(report, clinic_settings().red_flags, known_report=True)
        if result.urgency is Urgency.EMERGENCY:
            first = result.red_flags[0]
            say(dispatcher, "symptom_emergency", sign=first.sign.lower(), why=first.why)
            flags = [flag.key for flag in result.red_flags]
        else:
            say(dispatcher, "symptom_call_clinic")
            flags = ["after_treatment_worry"]
        return [SlotSet("safety_flags", flags)]
