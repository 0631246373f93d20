"""Send a message from messages.yml, filled in from the clinic settings."""

from typing import Any, Dict, List

from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_context import clinic_settings
from clinic.reasons import Reason
from clinic.texts import render, render_reason


def say(dispatcher: CollectingDispatcher, message_name: str, /, **values: Any) -> None:
    message = render(message_name, clinic_settings(), **values)
    dispatcher.utter_message(text=message.text, buttons=message.buttons)


def say_with_buttons(dispatcher: CollectingDispatcher, message_name: str, buttons: List[Dict[str, str]], /) -> None:
    """A message's text with buttons made at run time (the message's own are replaced)."""
    dispatcher.utter_message(text=words(message_name), buttons=buttons)


def words(message_name: str, /, **values: Any) -> str:
    """A message's text alone, to put inside another message."""
    return render(message_name, clinic_settings(), **values).text


def why(reason: Reason) -> str:
    """The sentence that tells the visitor why their answer can't be used."""
    return render_reason(reason, clinic_settings())
