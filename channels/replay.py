"""A retried message that was already handled gets the same reply again, not a second turn.

The widget retries a message once when the first try got no answer (a Rasa server died
mid-message, the load balancer had no server for a moment), with the same `message_id`.
If the first try did reach the conversation store, the replies it produced are read back
from the tracker's events; no Rasa imports here.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

_OUTPUT_KEYS = ("image", "buttons", "attachment", "custom")


def bot_message(sender: str, event: Dict[str, Any]) -> Dict[str, Any]:
    """A `bot` event as the REST channel sends it (CollectingOutputChannel's shape)."""
    message: Dict[str, Any] = {"recipient_id": sender}
    if event.get("text"):
        message["text"] = event["text"]
    data = event.get("data") or {}
    for key in _OUTPUT_KEYS:
        if data.get(key):
            message[key] = data[key]
    return message


def replies_to(events: Iterable[Dict[str, Any]], sender: str, message_id: str) -> Optional[List[Dict[str, Any]]]:
    """The bot messages that answered the user message `message_id`, or None if it never arrived."""
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if replies is not None:
                break  # the next visitor message: the answer ended before it
            if event.get("message_id") == message_id:
                replies = []
        elif kind == "bot" and replies is not None:
            replies.append(bot_message(sender, event))
    return replies
