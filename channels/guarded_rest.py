"""Rasa's REST channel, guarded: same URL (/webhooks/rest/webhook) and response format.

Differences from rasa.core.channels.rest.RestInput, each for a reason:
- malformed bodies get HTTP 400 with a JSON error instead of a server error;
- a message over `max_message_chars` gets a clear chat reply and never reaches the model;
- a failure while handling a message is logged without the visitor's text (Rasa's own
  channel logs the text), and the visitor is told to call the clinic;
- `sender` is required: Rasa's default would put every anonymous visitor in one shared
  conversation called "default".
"""
from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.payload import DEFAULT_MAX_MESSAGE_CHARS, PayloadError, TooLong, check_payload
from clinic.settings import SettingsError, load_settings

logger = logging.getLogger(__name__)


def _clinic_phone() -> str:
    try:
        return load_settings().phone
    except SettingsError:
        return "the clinic"


class GuardedRestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        limit = int((credentials or {}).get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS))
        return cls(max_message_chars=limit)

    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = max_message_chars
        # Read once: the reply for failures must not depend on a file read while failing.
        self.clinic_phone = _clinic_phone()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises InvalidUsage on a body that is not JSON
                body = None
            checked = check_payload(body, self.max_message_chars)
            if isinstance(checked, PayloadError):
                return response.json({"error": checked.error}, status=400)
            if isinstance(checked, TooLong):
                return response.json(self._too_long_reply(checked))

            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        checked.text,
                        collector,
                        checked.sender,
                        input_channel=self.name(),
                        metadata=checked.metadata,
                    )
                )
            except CancelledError:
                logger.error("Handling a REST message timed out (text not logged).")
                return response.json(self._failure_reply(checked.sender))
            except Exception:
                logger.exception("Handling a REST message failed (text not logged).")
                return response.json(self._failure_reply(checked.sender))
            return response.json(collector.messages)

        return webhook

    def _too_long_reply(self, too_long: TooLong) -> List[Dict[str, Any]]:
        return [
            {
                "recipient_id": too_long.sender,
                "text": (
                    f"Your message is {too_long.length} characters long; I can read up to "
                    f"{too_long.limit}. Could you send it shorter, perhaps as a few separate "
                    "questions?"
                ),
            }
        ]

    def _failure_reply(self, sender: str) -> List[Dict[str, Any]]:
        return [
            {
                "recipient_id": sender,
                "text": (
                    "Sorry, something went wrong on my side. Please try again, or call "
                    f"the clinic on {self.clinic_phone}."
                ),
            }
        ]
