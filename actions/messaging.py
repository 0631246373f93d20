"""Send a message from messages.yml, filled in from the clinic settings."""
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_context import clinic_settings
from clinic.messages import render


def say(dispatcher: CollectingDispatcher, message_name: str, /, **values: Any) -> None:
    message = render(message_name, clinic_settings(), **values)
    dispatcher.utter_message(text=message.text, buttons=message.buttons)
