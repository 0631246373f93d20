"""List recent conversations and show one transcript, with personal data masked."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Optional, Sequence

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
            lines.append(f"{_when(line['timestamp'])}  assistant: {_mask(line['text'], conversation, region)}")
    return "\n".join(lines)
