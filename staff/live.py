"""The console's side of a live hand-off: the Rasa events each staff action adds to a conversation.

Staff lines are bot utterances marked `metadata.staff`, so the transcript is one conversation
in order and the widget can tell a person's words from the assistant's. Taking over pauses
the assistant (ConversationPaused); handing back or closing resumes it (ConversationResumed).
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from clinic.settings import ClinicSettings
from clinic.texts import render
from staff import rasa_api
from storage.handoffs import Handoff, HandoffStore

MAX_REPLY_CHARS = 1000


class LiveError(RuntimeError):
    """A live hand-off action could not be done; the message is for staff."""


def _bot(text: str, kind: str, staff: str = "", staff_name: str = "") -> Dict[str, Any]:
    metadata: Dict[str, Any] = {"handoff": kind}
    if staff:
        metadata.update(staff=staff, staff_name=staff_name)
    return {"event": "bot", "text": text, "metadata": metadata, "timestamp": time.time()}


def display_name(user: str) -> str:
    return user[:1].upper() + user[1:]


def take_over(store: HandoffStore, handoff: Handoff, user: str, settings: ClinicSettings) -> None:
    """Raises LiveError("already taken by ...") when someone else was quicker."""
    other = store.take(handoff.id, user)
    if other == "ended":
        raise LiveError("This visitor is no longer waiting.")
    if other is not None:
        raise LiveError(f"Already taken by {display_name(other)}.")
    joined = render("staff_joined", settings, staff=display_name(user)).text
    try:
        rasa_api.append_events(
            handoff.sender_id,
            [{"event": "pause", "timestamp": time.time()}, _bot(joined, "joined", user, display_name(user))],
        )
    except rasa_api.RasaApiError:
        store.release(user)  # the visitor must not wait for someone who never joined
        raise


def reply(handoff: Handoff, user: str, text: str) -> None:
    text = text.strip()
    if not text:
        raise LiveError("Write something to send.")
    if len(text) > MAX_REPLY_CHARS:
        raise LiveError(f"Keep a message under {MAX_REPLY_CHARS} characters.")
    rasa_api.append_events(handoff.sender_id, [_bot(text, "staff", user, display_name(user))])


def hand_back(store: HandoffStore, handoff: Handoff, settings: ClinicSettings, outcome: str = "handed_back") -> None:
    """The assistant answers again: handed back, closed with a goodbye, or released to the queue."""
    message = {"handed_back": "staff_handed_back", "closed": "staff_closed", "released": "staff_released"}[outcome]
    rasa_api.append_events(
        handoff.sender_id,
        [_bot(render(message, settings).text, outcome), {"event": "resume", "timestamp": time.time()}],
    )
    if outcome != "released":
        store.end(handoff.id, outcome)


def release_idle(store: HandoffStore, user: str, settings: ClinicSettings) -> int:
    """`user` signed out or went idle: their conversations go back to the queue, the assistant resumes."""
    released = store.release(user)
    for handoff in released:
        try:
            hand_back(store, handoff, settings, "released")
        except rasa_api.RasaApiError:
            pass  # the queue is right; the visitor sees the assistant answer again later
    return len(released)


def waited(handoff: Handoff, now: Optional[float] = None) -> str:
    seconds = int((handoff.taken_at or now or time.time()) - handoff.requested_at)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def describe(handoffs: List[Handoff], now: Optional[float] = None) -> List[Dict[str, Any]]:
    return [
        {
            "id": h.id,
            "sender_id": h.sender_id,
            "waited": waited(h, now),
            "taken_by": display_name(h.taken_by) if h.taken_by else "",
            "red_flag": h.red_flag,
        }
        for h in handoffs
    ]
