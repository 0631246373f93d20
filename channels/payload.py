"""Checks a REST webhook request body before it reaches the model. No Rasa imports."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Collection, Dict, Optional, Union

from clinic.limits import MAX_MESSAGE_CHARS

MAX_SENDER_CHARS = 128
MAX_METADATA_KEYS = 20
# Sender ids come from the widget (a random id in localStorage); anything else is refused so
# that ids can't smuggle control characters into logs or collide with "default". `\Z`, not `$`:
# `$` also matches before a final newline, and "abc\n" was accepted.
SENDER_PATTERN = re.compile(rf"^[A-Za-z0-9_.:@\-]{{1,{MAX_SENDER_CHARS}}}\Z")
# The widget's id for one message, so that a retried message is answered once (channels.replay).
MESSAGE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{8,64}\Z")
# What the widget's buttons send: "/intent" or "/intent{json entities}".
COMMAND_PATTERN = re.compile(r"^/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?\Z", re.DOTALL)


@dataclass(frozen=True)
class WebhookMessage:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]]
    message_id: Optional[str] = None
    retry: bool = False  # the client sent this message before and got no answer


@dataclass(frozen=True)
class PayloadError:
    """A request the server refuses (HTTP 400) with a message the client can show."""

    error: str


@dataclass(frozen=True)
class TooLong:
    """A well-formed message over the limit: answered in the chat, not refused."""

    sender: str
    length: int
    limit: int


def check_payload(body: Any, max_chars: int = MAX_MESSAGE_CHARS) -> Union[WebhookMessage, PayloadError, TooLong]:
    if not isinstance(body, dict):
        return PayloadError('body must be a JSON object like {"sender": "id", "message": "hi"}')
    sender = body.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        return PayloadError(f"'sender' must be 1-{MAX_SENDER_CHARS} letters, digits or _ . : @ -")
    text = body.get("message")
    if not isinstance(text, str):
        return PayloadError("'message' must be a string")
    if not text.strip():
        return PayloadError("'message' is empty")
    if len(text) > max_chars:
        return TooLong(sender=sender, length=len(text), limit=max_chars)
    metadata = body.get("metadata")
    if metadata is not None and (not isinstance(metadata, dict) or len(metadata) > MAX_METADATA_KEYS):
        return PayloadError(f"'metadata' must be an object with at most {MAX_METADATA_KEYS} keys")
    message_id = body.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not MESSAGE_ID_PATTERN.match(message_id)):
        return PayloadError("'message_id' must be 8-64 letters, digits, _ or -")
    retry = body.get("retry", False)
    if not isinstance(retry, bool):
        return PayloadError("'retry' must be true or false")
    if retry and message_id is None:
        return PayloadError("a retried message needs the 'message_id' it was first sent with")
    return WebhookMessage(sender=sender, text=text, metadata=metadata, message_id=message_id, retry=retry)


def plain_text_unless_command(text: str, intents: Collection[str]) -> str:
    """Rasa reads a message that starts with "/" as an intent (the widget's buttons send
    "/affirm"), and when it can't, its parser writes the visitor's whole text to the log in
    its warning. So only a well-formed command for a known intent goes through as one;
    anything else that starts with "/" reaches the model as plain text, without the slash."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    match = COMMAND_PATTERN.match(stripped)
    if match and match.group("intent") in intents:
        entities = match.group("entities")
        if entities is None or _plain_entities(entities):
            return stripped
    return stripped.lstrip("/").strip()


def _plain_entities(text: str) -> bool:
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    plain = (str, int, float)
    return isinstance(parsed, dict) and all(
        isinstance(value, plain) or (isinstance(value, list) and all(isinstance(v, plain) for v in value))
        for value in parsed.values()
    )
