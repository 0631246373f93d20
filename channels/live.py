"""The visitor's side of a live hand-off, for the REST channel: what the widget polls, and
safety while a person has the conversation.

While staff have a conversation, Rasa is paused: it records the visitor's messages and runs
no action. Safety does not wait for a person, so the channel itself answers a red-flag
report with the emergency advice at once (the same triage and message as the assistant),
records it in the conversation and flags it to the staff member.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from clinic.settings import ClinicSettings
from clinic.texts import render
from clinic.triage import Urgency, is_after_treatment_report, triage
from storage.conversations import TrackerReader
from storage.handoffs import TAKEN, WAITING, HandoffStore

logger = logging.getLogger(__name__)
CALLBACK_PAYLOAD = "/request_callback"
MAX_SINCE = 1e11


@dataclass(frozen=True)
class SafetyAdvice:
    text: str
    flags: Sequence[str]


def updates(
    sender_id: str,
    since: float,
    reader: TrackerReader,
    store: HandoffStore,
    settings: ClinicSettings,
    now: Optional[float] = None,
) -> Dict[str, Any]:
    """What the widget shows next: who has the conversation, and staff lines after `since`."""
    now = now or time.time()
    handoff = store.open_for(sender_id)
    mode = "bot" if handoff is None else ("staff" if handoff.state == TAKEN else WAITING)
    if since <= 0:  # the widget's first look: everything of this hand-off, nothing older
        since = handoff.requested_at if handoff is not None else now
    lines = reader.live_lines(sender_id, since)
    # The widget sends back `cursor` next time: the newest line it was given.
    cursor = max([since, *(line["timestamp"] for line in lines)])
    reply: Dict[str, Any] = {"mode": mode, "messages": lines, "cursor": cursor}
    if handoff is not None and handoff.state == WAITING:
        waited = now - handoff.requested_at
        reply["waited_seconds"] = round(waited)
        if waited >= settings.handoff_wait_minutes * 60:
            offer = render("handoff_waiting_long", settings)
            reply["offer"] = {"text": offer.text, "buttons": offer.buttons}
    return reply


def parse_since(raw: Optional[str]) -> float:
    try:
        value = float(raw or 0)
    except ValueError:
        return 0.0
    return value if 0 <= value < MAX_SINCE else 0.0


def before_message(sender_id: str, text: str, store: HandoffStore) -> None:
    """A visitor who accepts the call-back while waiting leaves the queue (their choice)."""
    if text.strip() != CALLBACK_PAYLOAD:
        return
    handoff = store.open_for(sender_id)
    if handoff is not None and handoff.state == WAITING:
        store.end(handoff.id, "callback")


def red_flag_advice(sender_id: str, text: str, store: HandoffStore, settings: ClinicSettings) -> Optional[SafetyAdvice]:
    """For a conversation in the hand-off queue or with staff: the red-flag advice, flagged to staff."""
    handoff = store.open_for(sender_id)
    if handoff is None:
        return None
    found = triage(text, settings.red_flags, known_report=is_after_treatment_report(text, settings.red_flags))
    if found.urgency != Urgency.EMERGENCY or not found.red_flags:
        return None
    store.flag_red(sender_id)
    first = found.red_flags[0]
    message = render("symptom_emergency", settings, sign=first.sign.lower(), why=first.why)
    return SafetyAdvice(message.text, [flag.key for flag in found.red_flags])


def as_chat(messages: List[str], sender_id: str) -> List[Dict[str, Any]]:
    return [{"recipient_id": sender_id, "text": text} for text in messages]
