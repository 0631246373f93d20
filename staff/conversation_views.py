"""What the console's Conversations pages show: plain labels, the clinic's time zone, masking.

Plain functions over storage.conversations, so the pages and the CSV export share them and
unit tests need no web server.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional, TextIO
from urllib.parse import urlencode

from clinic.settings import ClinicSettings
from clinic.topics import FAQ_TOPICS, topic_name
from staff.transcripts import mask_conversation
from storage.conversation_index import OUTCOMES
from storage.conversations import (
    PRIVATE_SLOTS,
    Conversation,
    ConversationQuery,
    ConversationSummary,
    VisitorMessage,
)

PAGE_SIZE = 50
OUTCOME_NAMES = {
    "booked": "Booked or call-back",
    "handed_off": "Asked for a person",
    "unanswered": "Something unanswered",
    "symptom": "After-treatment report",
}
# Intents staff see by a plain name; FAQ topics are named by clinic.topics.
INTENT_NAMES = {
    "greet": "Greeting",
    "goodbye": "Goodbye",
    "thanks": "Thanks",
    "affirm": "Yes",
    "deny": "No",
    "bot_challenge": "Asked if it's a bot",
    "book_appointment": "Wants to book",
    "request_human": "Asked for a person",
    "report_symptom": "After-treatment report",
    "ask_beyond_article": "Not in the article",
    "ask_clinic_details": "Asked for hours, address or phone",
    "out_of_scope": "Off-topic",
    "nlu_fallback": "Not understood",
    "inform": "Booking details",
    "stop": "Stop",
    "change_booking": "Change a booking",
    "request_callback": "Asked for a call-back",
}


class QueryError(ValueError):
    """A filter value the list cannot use; the message says which and why."""


@dataclass(frozen=True)
class Filters:
    """The list's filters as the form sent them (kept as text to refill the form)."""

    since: str = ""
    until: str = ""
    outcome: str = ""
    topic: str = ""
    text: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Dict[str, List[str]]) -> Filters:
        def one(name: str) -> str:
            return (args.get(name) or [""])[0].strip()[:200]

        try:
            page = max(1, int(one("page") or 1))
        except ValueError:
            page = 1
        return cls(one("since"), one("until"), one("outcome"), one("topic"), one("text"), page)

    def query(self, settings: ClinicSettings, limit: int = PAGE_SIZE) -> ConversationQuery:
        """The store query: dates are whole days in the clinic's time zone, `until` inclusive."""
        if self.outcome and self.outcome not in OUTCOMES:
            raise QueryError(f"'{self.outcome}' is not one of the outcomes in the list")
        if self.topic and self.topic not in FAQ_TOPICS:
            raise QueryError(f"'{self.topic}' is not one of the topics in the list")
        since = _day_start(self.since, "From", settings)
        until = _day_start(self.until, "To", settings, days_after=1)
        if since is not None and until is not None and until <= since:
            raise QueryError("the 'To' date is before the 'From' date")
        return ConversationQuery(
            since=since,
            until=until,
            outcome=self.outcome or None,
            topic=self.topic or None,
            text=self.text or None,
            limit=limit,
            offset=(self.page - 1) * limit,
        )

    def link(self, **changes: Any) -> str:
        """This list's URL with some filters changed (for paging and the CSV link)."""
        values = {**self.__dict__, **changes}
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})


def _day_start(value: str, label: str, settings: ClinicSettings, days_after: int = 0) -> Optional[float]:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"the '{label}' date {value!r} is not a date like 2026-11-26") from None
    moment = datetime.combine(day + timedelta(days=days_after), datetime.min.time(), tzinfo=settings.zone)
    return moment.timestamp()


def clinic_time(timestamp: Optional[float], settings: ClinicSettings, pattern: str = "%d %b %Y %H:%M") -> str:
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp, tz=settings.zone).strftime(pattern)


def describe_summary(summary: ConversationSummary, settings: ClinicSettings) -> Dict[str, Any]:
    return {
        "id": summary.sender_id,
        "started": clinic_time(summary.started, settings),
        "messages": summary.messages,
        "first": summary.first_message if len(summary.first_message) <= 90 else summary.first_message[:88] + "…",
        "outcomes": [OUTCOME_NAMES[o] for o in summary.outcomes],
        "unanswered": "unanswered" in summary.outcomes,
        "symptom": "symptom" in summary.outcomes,
    }


def message_label(message: VisitorMessage) -> str:
    if message.topic:
        return topic_name(message.topic)
    return INTENT_NAMES.get(message.intent, message.intent.replace("_", " ") or "—")


def message_confidence(message: VisitorMessage) -> float:
    """The confidence staff should judge: the topic's for FAQ answers, else the intent's."""
    return message.topic_confidence if message.topic_confidence is not None else message.confidence


def describe_transcript(
    conversation: Conversation, settings: ClinicSettings, masked: bool = False
) -> List[Dict[str, Any]]:
    """Each line of the conversation; staff see personal data, exports may mask it."""
    mask = mask_conversation(conversation, settings.phone_region) if masked else (lambda text: text)
    lines: List[Dict[str, Any]] = []
    for line in conversation.lines:
        when = clinic_time(line["timestamp"], settings, "%H:%M:%S")
        if line["who"] == "visitor":
            message: VisitorMessage = line["message"]
            private = masked and message.requested_slot in PRIVATE_SLOTS
            lines.append(
                {
                    "who": "visitor",
                    "when": when,
                    "timestamp": line["timestamp"],
                    "text": PRIVATE_SLOTS[message.requested_slot or ""] if private else mask(message.text),
                    "label": message_label(message),
                    "confidence": round(message_confidence(message) * 100),
                    "button": message.is_button,
                    "form_answer": bool(message.requested_slot),
                }
            )
        else:
            lines.append(
                {
                    "who": line["who"],  # the assistant, or a staff member during a live hand-off
                    "staff": line.get("staff", ""),
                    "when": when,
                    "timestamp": line["timestamp"],
                    "text": mask(str(line["text"])),
                }
            )
    return lines


CSV_FIELDS = ("conversation", "time", "who", "text", "understood_as", "confidence")


def export_csv(
    conversations: Iterable[Conversation],
    out: TextIO,
    settings: ClinicSettings,
    masked: bool = True,
    header: bool = True,
) -> int:
    """One row per line of each conversation; personal data masked unless `masked` is False."""
    writer = csv.writer(out)
    if header:
        writer.writerow(CSV_FIELDS)
    count = 0
    for conversation in conversations:
        count += 1
        for line in describe_transcript(conversation, settings, masked=masked):
            writer.writerow(
                [
                    conversation.sender_id,
                    clinic_time(line["timestamp"], settings, "%Y-%m-%d %H:%M:%S"),
                    line["who"],
                    _csv_safe(line["text"]),
                    line.get("label", ""),
                    f"{line['confidence']}%" if "confidence" in line else "",
                ]
            )
    return count


def _csv_safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a visitor wrote this one."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
