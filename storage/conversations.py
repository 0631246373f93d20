"""Read visitor conversations back from Rasa's SQL tracker store, for staff commands.

Rasa keeps one row per event in the `events` table (SQLTrackerStore); this reads that
table directly with SQLAlchemy, so staff commands need no model and start in a second.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import create_engine, inspect, text

from clinic.paths import tracker_db_url

SAFETY_SLOT = "safety_flags"  # set by action_symptom_advice
AFTER_TREATMENT_WORRY = "after_treatment_worry"
# Form slots whose answers are personal data; transcripts show a placeholder instead.
PRIVATE_SLOTS = {"name": "[name]", "phone": "[phone]", "screening": "[health answer]"}
FORM_SLOTS = ("name", "phone", "preferred_time", "screening")
OUTCOME_ACTIONS = {
    "action_submit_booking": "booked",
    "action_submit_callback": "call-back requested",
    "action_handoff_to_human": "handed off",
    "action_symptom_advice": "symptom advice",
}


UNANSWERED_INTENTS = ("nlu_fallback", "out_of_scope", "ask_beyond_article")
# The assistant's not-understood replies: a message followed by one of these was not answered.
FALLBACK_ACTIONS = ("action_default_fallback", "utter_ask_rephrase", "action_ask_rephrase", "action_two_stage_fallback")


class TrackerStoreError(RuntimeError):
    pass


@dataclass(frozen=True)
class ConversationQuery:
    """What the console's conversation list asks for; every field is optional."""

    since: Optional[float] = None  # UNIX seconds, inclusive
    until: Optional[float] = None  # UNIX seconds, exclusive
    outcome: Optional[str] = None  # booked, handed_off, unanswered or symptom (conversation_index.OUTCOMES)
    topic: Optional[str] = None  # a FAQ topic key such as "cost"
    text: Optional[str] = None  # words the visitor wrote
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class ConversationSummary:
    sender_id: str
    started: float
    last: float
    messages: int
    outcomes: Tuple[str, ...]
    first_message: str = ""  # what the visitor typed first, to recognise the conversation by


@dataclass
class VisitorMessage:
    timestamp: float
    text: str
    intent: str
    confidence: float
    topic: Optional[str]  # faq/<topic> when the intent was faq
    topic_confidence: Optional[float]
    requested_slot: Optional[str]  # the form question this message answered, if any
    next_action: Optional[str] = None  # what the assistant did next
    guesses: Tuple[str, ...] = ()  # the model's best two labels (faq/<topic> or an intent), best first

    @property
    def label(self) -> str:
        return self.topic or self.intent

    @property
    def is_button(self) -> bool:
        return self.text.startswith("/")


@dataclass
class SafetyReport:
    """An after-treatment report the assistant answered (action_symptom_advice)."""

    timestamp: float
    flags: List[str]  # red-flag keys, or ["after_treatment_worry"]
    text: str  # what the visitor wrote (mask it before showing)

    @property
    def is_red_flag(self) -> bool:
        return self.flags != [AFTER_TREATMENT_WORRY]


@dataclass
class Conversation:
    sender_id: str
    started: float
    lines: List[Dict[str, Any]] = field(default_factory=list)  # {"who", "text", "timestamp"}
    messages: List[VisitorMessage] = field(default_factory=list)
    actions: List[str] = field(default_factory=list)
    # Values of the private slots (names, phone numbers), masked wherever they appear.
    private_values: Dict[str, str] = field(default_factory=dict)
    safety_reports: List[SafetyReport] = field(default_factory=list)
    # The booking form's answers so far (name, phone, preferred time, screening), for staff.
    form_values: Dict[str, str] = field(default_factory=dict)

    @property
    def started_at(self) -> datetime:
        return datetime.fromtimestamp(self.started, tz=timezone.utc)

    @property
    def topics(self) -> List[str]:
        seen: List[str] = []
        for message in self.messages:
            if message.topic and message.topic not in seen:
                seen.append(message.topic)
        return seen

    @property
    def outcomes(self) -> List[str]:
        seen: List[str] = []
        for action in self.actions:
            outcome = OUTCOME_ACTIONS.get(action)
            if outcome and outcome not in seen:
                seen.append(outcome)
        return seen


MIN_GUESS_CONFIDENCE = 0.02  # below this a label is noise, not a suggestion
NOT_GUESSES = frozenset({"nlu_fallback", "inform", "faq"})


def _best_guesses(parse: Dict[str, Any], count: int = 2) -> Tuple[str, ...]:
    """The model's best labels for a message, FAQ topics spelled out (faq/<topic>)."""
    selector = ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    topics = [
        str(r.get("intent_response_key"))
        for r in selector
        if r.get("intent_response_key") and float(r.get("confidence") or 0) >= MIN_GUESS_CONFIDENCE
    ]
    labels: List[str] = []
    for entry in parse.get("intent_ranking") or []:
        if float(entry.get("confidence") or 0) < MIN_GUESS_CONFIDENCE:
            continue
        name = str(entry.get("name") or "")
        labels.extend(topics[:count] if name == "faq" else [name])
    labels.extend(topics[:count])  # the selector ranks topics even when another intent won
    return tuple(dict.fromkeys(label for label in labels if label not in NOT_GUESSES))[:count]


def visitor_message(data: Dict[str, Any], requested_slot: Optional[str]) -> VisitorMessage:
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent.get("name") or ""
    topic = topic_confidence = None
    if name == "faq":
        response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        topic = response.get("intent_response_key")
        topic_confidence = response.get("confidence")
    return VisitorMessage(
        guesses=_best_guesses(parse),
        timestamp=float(data.get("timestamp") or 0.0),
        text=data.get("text") or "",
        intent=name,
        confidence=float(intent.get("confidence") or 0.0),
        topic=topic,
        topic_confidence=None if topic_confidence is None else float(topic_confidence),
        requested_slot=requested_slot,
    )


def _build(sender_id: str, events: List[Dict[str, Any]]) -> Conversation:
    conversation = Conversation(sender_id=sender_id, started=float(events[0].get("timestamp") or 0.0))
    requested_slot: Optional[str] = None
    last_message: Optional[VisitorMessage] = None
    last_text = ""
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested_slot = event.get("value")
        elif kind == "slot" and event.get("name") == SAFETY_SLOT and isinstance(event.get("value"), list):
            timestamp = float(event.get("timestamp") or 0.0)
            conversation.safety_reports.append(SafetyReport(timestamp, [str(v) for v in event["value"]], last_text))
        elif kind == "slot" and event.get("name") in FORM_SLOTS:
            value = event.get("value")
            if isinstance(value, str):
                conversation.form_values[event["name"]] = value
                if event["name"] in ("name", "phone"):
                    conversation.private_values[value] = PRIVATE_SLOTS[event["name"]]
            else:
                conversation.form_values.pop(event["name"], None)
        elif kind == "active_loop" and not event.get("name"):
            requested_slot = None
        elif kind == "user":
            last_message = visitor_message(event, requested_slot)
            last_text = last_message.text
            conversation.messages.append(last_message)
            conversation.lines.append({"who": "visitor", "message": last_message, "timestamp": last_message.timestamp})
        elif kind == "bot" and event.get("text"):
            metadata = event.get("metadata") or {}
            who = "staff" if metadata.get("staff") else "assistant"  # a person's words, added by the console
            conversation.lines.append(
                {
                    "who": who,
                    "staff": str(metadata.get("staff_name") or ""),
                    "text": event["text"],
                    "timestamp": event.get("timestamp"),
                }
            )
        elif kind == "action" and event.get("name") not in (None, "action_listen"):
            conversation.actions.append(event["name"])
            if last_message is not None and last_message.next_action is None:
                last_message.next_action = event["name"]
        elif kind == "action" and event.get("name") == "action_listen":
            last_message = None
    return conversation


class TrackerReader:
    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or tracker_db_url()
        self.engine = create_engine(self.url, future=True, pool_pre_ping=True)

    def _events(self, sender_ids: Optional[Sequence[str]] = None) -> Iterator[Tuple[str, Any]]:
        try:
            if not inspect(self.engine).has_table("events"):
                return iter(())
            query = "SELECT sender_id, data FROM events"
            params: Dict[str, Any] = {}
            where: List[str] = []
            if sender_ids is not None:
                if not sender_ids:
                    return iter(())
                names = [f"s{i}" for i in range(len(sender_ids))]
                where.append("sender_id IN (" + ", ".join(f":{name}" for name in names) + ")")
                params.update(zip(names, sender_ids))
            if where:
                query += " WHERE " + " AND ".join(where)
            with self.engine.connect() as connection:
                rows = connection.execute(text(query + " ORDER BY sender_id, id"), params).fetchall()
        except Exception as error:  # bad URL, server down, unreadable file
            raise TrackerStoreError(f"conversation store unavailable: {type(error).__name__}: {error}") from error
        return iter(rows)

    def live_lines(self, sender_id: str, since: float = 0.0) -> List[Dict[str, Any]]:
        """What staff said in the conversation after `since` (and the joined / handed back notes).

        Bot lines carrying `metadata.staff` or `metadata.handoff`: the ones the widget can't
        get from the webhook's reply, because the console added them to the tracker.
        """
        query = (
            "SELECT data FROM events WHERE sender_id = :sender AND type_name = 'bot' AND timestamp > :since ORDER BY id"
        )
        lines: List[Dict[str, Any]] = []
        with self.engine.connect() as connection:
            for (data,) in connection.execute(text(query), {"sender": sender_id, "since": since}):
                try:
                    event = json.loads(data)
                except (TypeError, ValueError):
                    continue
                metadata = event.get("metadata") or {}
                if metadata.get("staff") or metadata.get("handoff"):
                    lines.append(
                        {
                            "text": event.get("text") or "",
                            "staff": metadata.get("staff_name") or "",
                            "kind": metadata.get("handoff") or "staff",
                            "timestamp": float(event.get("timestamp") or 0.0),
                        }
                    )
        return lines

    def is_paused(self, sender_id: str) -> bool:
        """Whether a person has the conversation: its last pause is not followed by a resume."""
        query = (
            "SELECT type_name FROM events WHERE sender_id = :sender AND type_name IN ('pause', 'resume') "
            "ORDER BY id DESC LIMIT 1"
        )
        with self.engine.connect() as connection:
            last = connection.execute(text(query), {"sender": sender_id}).scalar()
        return bool(last == "pause")

    def conversations(self, sender_id: Optional[str] = None) -> List[Conversation]:
        """Every conversation (or one), newest first."""
        return self.conversations_of(None if sender_id is None else [sender_id])

    def conversations_of(self, sender_ids: Optional[Sequence[str]]) -> List[Conversation]:
        """These conversations (all when None), newest first; ask in chunks of a few hundred."""
        return self._grouped(self._events(sender_ids))

    def _grouped(self, rows: Iterator[Tuple[str, Any]]) -> List[Conversation]:
        grouped: Dict[str, List[Dict[str, Any]]] = {}
        for sender, data in rows:
            try:
                grouped.setdefault(sender, []).append(json.loads(data))
            except (TypeError, ValueError):
                continue  # a row Rasa did not write; nothing to show
        conversations = [_build(sender, events) for sender, events in grouped.items() if events]
        return sorted(conversations, key=lambda c: c.started, reverse=True)
