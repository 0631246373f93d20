"""The not-understood reply: with the model's best guesses as buttons when it has them.

components/fallback_suggestions.py names two guesses (FAQ topics, booking, a person) as
the entities `faq_choice_1` and `faq_choice_2` of the message, each holding the question
its button sends. With them: `rephrase_with_choices` (messages.yml) and those buttons;
without: the plain `utter_ask_rephrase` (domain.yml).
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.messaging import say_with_buttons
from clinic.topics import CHOICE_SLOTS

SUGGESTIONS_EXTRACTOR = "FallbackSuggestions"


def suggested_questions(latest_message: Dict[str, Any]) -> List[str]:
    """The questions suggested for this very message, in order, or [] (slots keep older values)."""
    found = {
        entity.get("entity"): entity.get("value")
        for entity in latest_message.get("entities") or []
        if entity.get("extractor") == SUGGESTIONS_EXTRACTOR and entity.get("value")
    }
    return [str(found[slot]) for slot in CHOICE_SLOTS] if all(slot in found for slot in CHOICE_SLOTS) else []


class ActionAskRephrase(Action):
    def name(self) -> Text:
        return "action_ask_rephrase"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        questions = suggested_questions(tracker.latest_message or {})
        if questions:
            buttons = [{"title": question, "payload": question} for question in questions]
            say_with_buttons(dispatcher, "rephrase_with_choices", buttons)
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
