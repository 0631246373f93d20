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
OUTCOME_ACTIONS = {
    "action_submit_booking": "booked",
    "action_submit_callback": "call-back requested",
    "action_handoff_to_human": "handed off",
    "action_symptom_advice": "symptom advice",
}


# The list's filters: each outcome is "an event like this happened in the conversation".
UNANSWERED_INTENTS = ("nlu_fallback", "out_of_scope", "ask_beyond_article")
FALLBACK_ACTIONS = ("action_default_fallback", "utter_ask_rephrase", "action_two_stage_fallback")
OUTCOME_FILTERS = {
    "booked": "action_name IN ('action_submit_booking', 'action_submit_callback')",
    "handed_off": "action_name = 'action_handoff_to_human'",
    "unanswered": (f"intent_name IN {UNANSWERED_INTENTS!r} OR action_name IN {FALLBACK_ACTIONS!r}"),
    "symptom": "action_name = 'action_symptom_advice'",
}


class TrackerStoreError(RuntimeError):
    pass


@dataclass(frozen=True)
class ConversationQuery:
    """What the console's conversation list asks for; every field is optional."""

    since: Optional[float] = None  # UNIX seconds, inclusive
    until: Optional[float] = None  # UNIX seconds, exclusive
    outcome: Optional[str] = None  # a key of OUTCOME_FILTERS
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


def _visitor_message(data: Dict[str, Any], requested_slot: Optional[str]) -> VisitorMessage:
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
        elif kind == "slot" and event.get("name") in ("name", "phone") and isinstance(event.get("value"), str):
            conversation.private_values[event["value"]] = PRIVATE_SLOTS[event["name"]]
        elif kind == "active_loop" and not event.get("name"):
            requested_slot = None
        elif kind == "user":
            last_message = _visitor_message(event, requested_slot)
            last_text = last_message.text
            conversation.messages.append(last_message)
            conversation.lines.append({"who": "visitor", "message": last_message, "timestamp": last_message.timestamp})
        elif kind == "bot" and event.get("text"):
            conversation.lines.append({"who": "assistant", "text": event["text"], "timestamp": event.get("timestamp")})
        elif kind == "action" and event.get("name") not in (None, "action_listen"):
            conversation.actions.append(event["name"])
            if last_message is not None and last_message.next_action is None:
                last_message.next_action = event["name"]
        elif kind == "action" and event.get("name") == "action_listen":
            last_message = None
    return conversation


def _like_escape(value: str) -> str:
    """`value` safe inside a LIKE pattern with ESCAPE '!', and as Rasa's JSON writes it."""
    value = json.dumps(value)[1:-1]  # quotes and backslashes escaped as in the stored JSON
    return value.replace("!", "!!").replace("%", "!%").replace("_", "!_")


class TrackerReader:
    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or tracker_db_url()
        self.engine = create_engine(self.url, future=True)

    def _events(
        self, sender_ids: Optional[Sequence[str]] = None, since: Optional[float] = None
    ) -> Iterator[Tuple[str, Any]]:
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
            if since is not None:
                # Only what a review of visitors' messages needs: their messages, what the
                # assistant did next, and the form state (to leave personal answers out).
                where.append("timestamp >= :since AND type_name IN ('user', 'action', 'slot', 'active_loop')")
                params["since"] = since
            if where:
                query += " WHERE " + " AND ".join(where)
            with self.engine.connect() as connection:
                rows = connection.execute(text(query + " ORDER BY sender_id, id"), params).fetchall()
        except Exception as error:  # bad URL, server down, unreadable file
            raise TrackerStoreError(f"conversation store unavailable: {type(error).__name__}: {error}") from error
        return iter(rows)

    def summaries(self, query: ConversationQuery) -> Tuple[int, List[ConversationSummary]]:
        """One page of conversations matching `query`, newest first, and how many match in all.

        Done in SQL over Rasa's events table (one GROUP BY), so the list stays fast with tens
        of thousands of conversations; a transcript is read on its own with conversations().
        """
        flags = {name: f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END)" for name, condition in OUTCOME_FILTERS.items()}
        having: List[str] = []
        params: Dict[str, Any] = {"limit": max(1, min(query.limit, 500)), "offset": max(0, query.offset)}
        if query.since is not None:
            having.append("MIN(timestamp) >= :since")
            params["since"] = query.since
        if query.until is not None:
            having.append("MIN(timestamp) < :until")
            params["until"] = query.until
        if query.outcome:
            if query.outcome not in OUTCOME_FILTERS:
                raise ValueError(f"unknown outcome {query.outcome!r}")
            having.append(f"{flags[query.outcome]} = 1")
        if query.topic:
            having.append("MAX(CASE WHEN type_name = 'user' AND data LIKE :topic ESCAPE '!' THEN 1 ELSE 0 END) = 1")
            params["topic"] = f'%"intent_response_key": "faq/{_like_escape(query.topic)}"%'
        if query.text:
            having.append(
                "MAX(CASE WHEN type_name = 'user' AND LOWER(data) LIKE :text ESCAPE '!' THEN 1 ELSE 0 END) = 1"
            )
            params["text"] = f'%"text": "%{_like_escape(query.text.lower())}%'
        grouped = (
            "SELECT sender_id, MIN(timestamp) AS started, MAX(timestamp) AS last, "
            "SUM(CASE WHEN type_name = 'user' THEN 1 ELSE 0 END) AS messages, "
            + ", ".join(f"{expr} AS {name}" for name, expr in flags.items())
            + " FROM events GROUP BY sender_id"
            + (" HAVING " + " AND ".join(having) if having else "")
        )
        try:
            if not inspect(self.engine).has_table("events"):
                return 0, []
            with self.engine.connect() as connection:
                total = connection.execute(text(f"SELECT COUNT(*) FROM ({grouped}) AS matching"), params).scalar()
                rows = connection.execute(
                    text(grouped + " ORDER BY started DESC LIMIT :limit OFFSET :offset"), params
                ).fetchall()
        except Exception as error:
            raise TrackerStoreError(f"conversation store unavailable: {type(error).__name__}: {error}") from error
        firsts = self._first_messages([row.sender_id for row in rows])
        summaries = [
            ConversationSummary(
                sender_id=row.sender_id,
                started=float(row.started or 0.0),
                last=float(row.last or 0.0),
                messages=int(row.messages or 0),
                outcomes=tuple(name for name in OUTCOME_FILTERS if getattr(row, name)),
                first_message=firsts.get(row.sender_id, ""),
            )
            for row in rows
        ]
        return int(total or 0), summaries

    def period_summaries(self, since: float, until: float) -> List[ConversationSummary]:
        """Every conversation started in [since, until), oldest first, with its outcomes: for Insights."""
        flags = {name: f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END)" for name, condition in OUTCOME_FILTERS.items()}
        query = (
            "SELECT sender_id, MIN(timestamp) AS started, MAX(timestamp) AS last, "
            "SUM(CASE WHEN type_name = 'user' THEN 1 ELSE 0 END) AS messages, "
            + ", ".join(f"{expr} AS {name}" for name, expr in flags.items())
            + " FROM events GROUP BY sender_id HAVING MIN(timestamp) >= :since AND MIN(timestamp) < :until"
            + " ORDER BY started"
        )
        rows = self._query(query, {"since": since, "until": until})
        return [
            ConversationSummary(
                sender_id=row.sender_id,
                started=float(row.started or 0.0),
                last=float(row.last or 0.0),
                messages=int(row.messages or 0),
                outcomes=tuple(name for name in OUTCOME_FILTERS if getattr(row, name)),
            )
            for row in rows
        ]

    def topic_counts(self, since: float, until: float, topics: Sequence[str]) -> Dict[str, int]:
        """How many visitor messages in [since, until) were answered with each FAQ topic."""
        if not topics:
            return {}
        names = [f"t{i}" for i in range(len(topics))]
        query = (
            "SELECT "
            + ", ".join(f"SUM(CASE WHEN data LIKE :{n} ESCAPE '!' THEN 1 ELSE 0 END) AS {n}" for n in names)
            + " FROM events WHERE type_name = 'user' AND intent_name = 'faq'"
            " AND timestamp >= :since AND timestamp < :until"
        )
        params: Dict[str, Any] = {"since": since, "until": until}
        params.update({n: f'%"intent_response_key": "faq/{_like_escape(t)}"%' for n, t in zip(names, topics)})
        rows = self._query(query, params)
        return {topic: int(getattr(rows[0], n) or 0) if rows else 0 for n, topic in zip(names, topics)}

    def red_flag_reports(self, since: float, until: float) -> Tuple[int, int]:
        """(reports with a red flag, other after-treatment worries) in [since, until)."""
        query = (
            "SELECT SUM(CASE WHEN data LIKE :worry THEN 0 ELSE 1 END) AS red, "
            "SUM(CASE WHEN data LIKE :worry THEN 1 ELSE 0 END) AS worry FROM events "
            "WHERE type_name = 'slot' AND data LIKE :slot AND data NOT LIKE :empty "
            "AND timestamp >= :since AND timestamp < :until"
        )
        rows = self._query(
            query,
            {
                "since": since,
                "until": until,
                "slot": f'%"name": "{SAFETY_SLOT}"%',
                "empty": '%"value": null%',
                "worry": f'%"{AFTER_TREATMENT_WORRY}"%',
            },
        )
        return (int(rows[0].red or 0), int(rows[0].worry or 0)) if rows else (0, 0)

    def _query(self, query: str, params: Dict[str, Any]) -> List[Any]:
        try:
            if not inspect(self.engine).has_table("events"):
                return []
            with self.engine.connect() as connection:
                return list(connection.execute(text(query), params).fetchall())
        except Exception as error:
            raise TrackerStoreError(f"conversation store unavailable: {type(error).__name__}: {error}") from error

    def _first_messages(self, sender_ids: Sequence[str]) -> Dict[str, str]:
        """The first typed (not clicked) visitor message of each conversation."""
        if not sender_ids:
            return {}
        names = [f"s{i}" for i in range(len(sender_ids))]
        query = (
            "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id IN ("
            + ", ".join(f":{name}" for name in names)
            + ") ORDER BY id"
        )
        firsts: Dict[str, str] = {}
        with self.engine.connect() as connection:
            for sender, data in connection.execute(text(query), dict(zip(names, sender_ids))):
                if sender in firsts:
                    continue
                try:
                    typed = str(json.loads(data).get("text") or "")
                except (TypeError, ValueError):
                    continue
                if typed and not typed.startswith("/"):
                    firsts[sender] = typed
        return firsts

    def conversations(self, sender_id: Optional[str] = None) -> List[Conversation]:
        """Every conversation (or one), newest first."""
        return self.conversations_of(None if sender_id is None else [sender_id])

    def latest_safety_reports(self, limit: int = 100, offset: int = 0) -> Tuple[int, List[Tuple[SafetyReport, str]]]:
        """One page of after-treatment reports, newest first, as (report, conversation id), and the total.

        The reports are found by their slot event in SQL; only their conversations are read.
        """
        where = "type_name = 'slot' AND data LIKE :slot AND data NOT LIKE :empty"
        params: Dict[str, Any] = {
            "slot": f'%"name": "{SAFETY_SLOT}"%',
            "empty": '%"value": null%',
            "limit": limit,
            "offset": offset,
        }
        total_rows = self._query(f"SELECT COUNT(*) AS total FROM events WHERE {where}", params)
        rows = self._query(
            f"SELECT sender_id, timestamp FROM events WHERE {where} "
            "ORDER BY timestamp DESC LIMIT :limit OFFSET :offset",
            params,
        )
        wanted = {(row.sender_id, round(float(row.timestamp or 0.0), 3)) for row in rows}
        found: List[Tuple[SafetyReport, str]] = []
        for conversation in self.conversations_of(sorted({sender for sender, _ in wanted})):
            for report in conversation.safety_reports:
                if (conversation.sender_id, round(report.timestamp, 3)) in wanted:
                    found.append((report, conversation.sender_id))
        found.sort(key=lambda pair: pair[0].timestamp, reverse=True)
        return (int(total_rows[0].total or 0) if total_rows else 0), found

    def messages_since(self, since: float) -> List[Conversation]:
        """Conversations' visitor messages since `since` (UNIX seconds), without bot texts: for Teach."""
        return self._grouped(self._events(None, since))

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
