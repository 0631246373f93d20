"""List recent conversations and show one transcript, with personal data masked."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Callable, Optional, Sequence

from staff.masking import mask_personal_data
from storage.conversations import PRIVATE_SLOTS, Conversation


def _when(timestamp: Optional[float]) -> str:
    if not timestamp:
        return "                "
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def format_list(conversations: Sequence[Conversation]) -> str:
    if not conversations:
        return "No conversations in the conversation store yet."
    lines = [f"{'conversation':<36}  {'started (UTC)':<16}  {'msgs':>4}  outcome / topics asked"]
    for conversation in conversations:
        topics = ", ".join(t.split("/", 1)[1] for t in conversation.topics) or "-"
        outcome = ", ".join(conversation.outcomes) or "-"
        lines.append(
            f"{conversation.sender_id[:36]:<36}  {_when(conversation.started):<16}  "
            f"{len(conversation.messages):>4}  {outcome} / {topics}"
        )
    return "\n".join(lines)


def format_safety_reports(conversations: Sequence[Conversation], region: str = "US") -> str:
    """Every after-treatment report, newest first: red flags marked, the text masked."""
    reports = sorted(
        ((report, conversation) for conversation in conversations for report in conversation.safety_reports),
        key=lambda pair: pair[0].timestamp,
        reverse=True,
    )
    if not reports:
        return "No after-treatment reports yet."
    red = sum(1 for report, _ in reports if report.is_red_flag)
    lines = [
        f"{len(reports)} after-treatment report(s): {red} with a red flag (sent to the emergency number first), "
        f"{len(reports) - red} other worries (sent to the clinic's phone).",
        f"{'when (UTC)':<16}  {'what':<34}  {'conversation':<28}  message",
    ]
    for report, conversation in reports:
        what = ("RED FLAG: " + ", ".join(report.flags)) if report.is_red_flag else "after-treatment worry"
        lines.append(
            f"{_when(report.timestamp):<16}  {what[:34]:<34}  {conversation.sender_id[:28]:<28}  "
            f"{_mask(report.text, conversation, region)}"
        )
    return "\n".join(lines)


def mask_conversation(conversation: Conversation, region: str = "US") -> Callable[[str], str]:
    """A masker for this conversation's texts: its visitor's name and phone, any number or e-mail."""
    return lambda text: _mask(text, conversation, region)


def _mask(text: str, conversation: Conversation, region: str) -> str:
    for value, placeholder in sorted(conversation.private_values.items(), key=lambda kv: -len(kv[0])):
        if len(value) >= 2:
            text = re.sub(re.escape(value), placeholder, text, flags=re.IGNORECASE)
    return mask_personal_data(text, region)


def format_transcript(conversation: Conversation, region: str = "US") -> str:
    lines = [
        f"Conversation {conversation.sender_id}, started {_when(conversation.started)} UTC",
        f"Outcome: {', '.join(conversation.outcomes) or '-'}",
        "",
    ]
    for line in conversation.lines:
        if line["who"] == "visitor":
            message = line["message"]
            if message.requested_slot in PRIVATE_SLOTS:
                text = PRIVATE_SLOTS[message.requested_slot]
            else:
                text = _mask(message.text, conversation, region)
            lines.append(f"{_when(line['timestamp'])}  visitor:   {text}   ({message.label} {message.confidence:.2f})")
        else:
            # The assistant repeats names and numbers back in its summaries.
            who = f"{line.get('staff') or 'staff'} (staff)" if line["who"] == "staff" else "assistant"
            lines.append(f"{_when(line['timestamp'])}  {who}: {_mask(line['text'], conversation, region)}")
    return "\n".join(lines)
