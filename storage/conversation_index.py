"""An index of the conversations for the staff console, kept beside the bookings.

Rasa's tracker store keeps one JSON row per event; listing 20,000 conversations from it
means reading and parsing hundreds of thousands of rows per page. This index reads each
event once, in order of its id, and keeps what the console's lists need in small tables
of the clinic's database (CLINIC_DB_URL): one row per conversation, per visitor message
and per after-treatment report. `refresh()` adds the events written since the last call,
so a page costs a few small queries. Transcripts still come from the tracker store itself.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    exists,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from clinic.paths import clinic_db_url, tracker_db_url
from storage.conversations import (
    AFTER_TREATMENT_WORRY,
    FALLBACK_ACTIONS,
    SAFETY_SLOT,
    UNANSWERED_INTENTS,
    Conversation,
    ConversationQuery,
    ConversationSummary,
    SafetyReport,
    TrackerStoreError,
    VisitorMessage,
    visitor_message,
)

BATCH = 5000  # events read per query while catching up
OUTCOME_ACTIONS = {
    "action_submit_booking": "booked",
    "action_submit_callback": "booked",
    "action_handoff_to_human": "handed_off",
    "action_symptom_advice": "symptom",
}
OUTCOMES = ("booked", "handed_off", "unanswered", "symptom")

metadata = MetaData()
index_state = Table("ci_state", metadata, Column("id", Integer, primary_key=True), Column("last_event_id", Integer))
ci_conversations = Table(
    "ci_conversations",
    metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("started", Float, nullable=False, index=True),
    Column("last", Float, nullable=False),
    Column("messages", Integer, nullable=False, default=0),
    Column("booked", Boolean, nullable=False, default=False),
    Column("handed_off", Boolean, nullable=False, default=False),
    Column("unanswered", Boolean, nullable=False, default=False),
    Column("symptom", Boolean, nullable=False, default=False),
    Column("first_message", Text, nullable=False, default=""),
    # Where the conversation stands, to index the next events correctly.
    Column("requested_slot", String(64)),
    Column("pending_message", Integer),  # the visitor message still waiting for the assistant's action
    Column("last_text", Text, nullable=False, default=""),
)
ci_messages = Table(
    "ci_messages",
    metadata,
    Column("event_id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("timestamp", Float, nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("intent", String(100), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("topic", String(100)),
    Column("topic_confidence", Float),
    Column("guesses", Text, nullable=False),
    Column("requested_slot", String(64)),
    Column("next_action", String(100)),
    # "Did this conversation ask about <topic>": one lookup per conversation, whatever the
    # query planner guesses (with an index on topic alone SQLite may scan thousands per row).
    Index("ix_ci_messages_sender_topic", "sender_id", "topic"),
)
ci_reports = Table(
    "ci_reports",
    metadata,
    Column("event_id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("timestamp", Float, nullable=False, index=True),
    Column("flags", Text, nullable=False),
    Column("red", Boolean, nullable=False),
    Column("text", Text, nullable=False),
)


class ConversationIndex:
    def __init__(self, url: Optional[str] = None, tracker_url: Optional[str] = None, min_interval: float = 1.0) -> None:
        self.engine: Engine = create_engine(url or clinic_db_url(), future=True, pool_pre_ping=True)
        self.tracker: Engine = create_engine(tracker_url or tracker_db_url(), future=True, pool_pre_ping=True)
        self.min_interval = min_interval  # a page refreshes at most this often
        self._refreshed_at = 0.0
        self._lock = threading.Lock()
        metadata.create_all(self.engine)
        for table in (ci_conversations, ci_messages, ci_reports):
            for table_index in table.indexes:  # indexes added since the tables were made
                table_index.create(self.engine, checkfirst=True)

    # -- keeping up with the tracker store ------------------------------------------------------
    def refresh(self, force: bool = False) -> int:
        """Index the events written since the last refresh; returns how many were read."""
        with self._lock:
            if not force and time.monotonic() - self._refreshed_at < self.min_interval:
                return 0
            read = 0
            try:
                if not inspect(self.tracker).has_table("events"):
                    return 0
                while True:
                    with self.engine.begin() as target:
                        last = target.execute(select(index_state.c.last_event_id)).scalar() or 0
                        with self.tracker.connect() as source:
                            rows = source.execute(
                                text(
                                    "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data "
                                    "FROM events WHERE id > :last ORDER BY id LIMIT :batch"
                                ),
                                {"last": last, "batch": BATCH},
                            ).fetchall()
                        if not rows:
                            break
                        _Batch(target).apply(rows)
                        self._save_position(target, int(rows[-1].id))
                        read += len(rows)
                    if len(rows) < BATCH:
                        break
            except Exception as error:  # bad URL, server down: the page says so
                raise TrackerStoreError(f"conversation store unavailable: {type(error).__name__}: {error}") from error
            self._refreshed_at = time.monotonic()
            return read

    @staticmethod
    def _save_position(target: Connection, last_event_id: int) -> None:
        if target.execute(update(index_state).values(last_event_id=last_event_id)).rowcount == 0:
            target.execute(index_state.insert().values(id=1, last_event_id=last_event_id))

    def rebuild(self) -> int:
        """Forget the index and read every event again (after conversations were deleted)."""
        with self.engine.begin() as connection:
            for table in (ci_messages, ci_reports, ci_conversations, index_state):
                connection.execute(table.delete())
        return self.refresh(force=True)

    # -- the console's lists ---------------------------------------------------------------------
    def summaries(self, query: ConversationQuery) -> Tuple[int, List[ConversationSummary]]:
        self.refresh()
        c = ci_conversations
        conditions = []
        if query.since is not None:
            conditions.append(c.c.started >= query.since)
        if query.until is not None:
            conditions.append(c.c.started < query.until)
        if query.outcome:
            if query.outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {query.outcome!r}")
            conditions.append(c.c[query.outcome].is_(True))
        if query.topic:
            m = ci_messages
            conditions.append(exists().where(and_(m.c.sender_id == c.c.sender_id, m.c.topic == f"faq/{query.topic}")))
        if query.text:
            m = ci_messages
            pattern = "%" + query.text.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
            conditions.append(
                exists().where(and_(m.c.sender_id == c.c.sender_id, func.lower(m.c.text).like(pattern, escape="!")))
            )
        where = and_(*conditions) if conditions else None
        count = select(func.count()).select_from(c)
        listing = select(c).order_by(c.c.started.desc()).limit(max(1, min(query.limit, 500))).offset(query.offset)
        if where is not None:
            count, listing = count.where(where), listing.where(where)
        with self.engine.connect() as connection:
            total = int(connection.execute(count).scalar() or 0)
            rows = connection.execute(listing).mappings().all()
        return total, [_summary(row) for row in rows]

    def period_summaries(self, since: float, until: float) -> List[ConversationSummary]:
        self.refresh()
        c = ci_conversations
        query = select(c).where(c.c.started >= since, c.c.started < until).order_by(c.c.started)
        with self.engine.connect() as connection:
            return [_summary(row) for row in connection.execute(query).mappings()]

    def topic_counts(self, since: float, until: float, topics: Sequence[str]) -> Dict[str, int]:
        self.refresh()
        m = ci_messages
        query = (
            select(m.c.topic, func.count())
            .where(m.c.timestamp >= since, m.c.timestamp < until, m.c.topic.is_not(None))
            .group_by(m.c.topic)
        )
        with self.engine.connect() as connection:
            counts = {str(topic): int(count) for topic, count in connection.execute(query)}
        return {topic: counts.get(f"faq/{topic}", 0) for topic in topics}

    def red_flag_reports(self, since: float, until: float) -> Tuple[int, int]:
        """(reports with a red flag, other after-treatment worries) in [since, until)."""
        self.refresh()
        r = ci_reports
        query = select(r.c.red, func.count()).where(r.c.timestamp >= since, r.c.timestamp < until).group_by(r.c.red)
        with self.engine.connect() as connection:
            counts = {bool(red): int(count) for red, count in connection.execute(query)}
        return counts.get(True, 0), counts.get(False, 0)

    def latest_safety_reports(self, limit: int = 100, offset: int = 0) -> Tuple[int, List[Tuple[SafetyReport, str]]]:
        self.refresh()
        r = ci_reports
        with self.engine.connect() as connection:
            total = int(connection.execute(select(func.count()).select_from(r)).scalar() or 0)
            rows = connection.execute(
                select(r).order_by(r.c.timestamp.desc(), r.c.event_id.desc()).limit(limit).offset(offset)
            ).mappings()
            found = [
                (SafetyReport(row["timestamp"], json.loads(row["flags"]), row["text"]), row["sender_id"])
                for row in rows
            ]
        return total, found

    def messages_since(self, since: float, threshold: float) -> List[Conversation]:
        """Visitor messages since `since` that were missed or answered with less than `threshold`.

        Grouped into Conversation objects (messages only), the shape the review code reads.
        """
        self.refresh()
        m = ci_messages
        confidence = func.coalesce(m.c.topic_confidence, m.c.confidence)
        missed = or_(
            m.c.intent.in_(UNANSWERED_INTENTS),
            m.c.next_action.in_(FALLBACK_ACTIONS),
            m.c.confidence < threshold,
            confidence < threshold,
        )
        query = (
            select(m)
            .where(m.c.timestamp >= since, m.c.requested_slot.is_(None), ~m.c.text.like("/%"), missed)
            .order_by(m.c.sender_id, m.c.event_id)
        )
        conversations: Dict[str, Conversation] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query).mappings():
                conversation = conversations.setdefault(
                    row["sender_id"], Conversation(sender_id=row["sender_id"], started=row["timestamp"])
                )
                conversation.messages.append(_message(row))
        return list(conversations.values())


def _summary(row: Any) -> ConversationSummary:
    return ConversationSummary(
        sender_id=row["sender_id"],
        started=float(row["started"]),
        last=float(row["last"]),
        messages=int(row["messages"]),
        outcomes=tuple(name for name in OUTCOMES if row[name]),
        first_message=row["first_message"] or "",
    )


def _message(row: Any) -> VisitorMessage:
    return VisitorMessage(
        timestamp=float(row["timestamp"]),
        text=row["text"],
        intent=row["intent"],
        confidence=float(row["confidence"]),
        topic=row["topic"],
        topic_confidence=row["topic_confidence"],
        requested_slot=row["requested_slot"],
        next_action=row["next_action"],
        guesses=tuple(json.loads(row["guesses"])),
    )


class _Batch:
    """Applies one batch of events to the index inside one transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.conversations: Dict[str, Dict[str, Any]] = {}
        self.messages: List[Dict[str, Any]] = []
        self.reports: List[Dict[str, Any]] = []
        self.next_actions: Dict[int, str] = {}  # event id of an already stored message -> next action
        self.new: set[str] = set()

    def apply(self, rows: Iterable[Any]) -> None:
        rows = list(rows)
        self._load({row.sender_id for row in rows})
        pending_here = {}  # message event id -> its row in self.messages (not stored yet)
        for row in rows:
            state = self._state(row.sender_id, float(row.timestamp or 0.0))
            state["last"] = max(state["last"], float(row.timestamp or 0.0))
            kind = row.type_name
            if kind == "user":
                data = _json(row.data)
                message = visitor_message(data, state["requested_slot"])
                entry = {
                    "event_id": int(row.id),
                    "sender_id": row.sender_id,
                    "timestamp": message.timestamp or float(row.timestamp or 0.0),
                    "text": message.text[:4000],
                    "intent": message.intent,
                    "confidence": message.confidence,
                    "topic": message.topic,
                    "topic_confidence": message.topic_confidence,
                    "guesses": json.dumps(list(message.guesses)),
                    "requested_slot": message.requested_slot,
                    "next_action": None,
                }
                self.messages.append(entry)
                pending_here[entry["event_id"]] = entry
                state["messages"] += 1
                state["pending_message"] = entry["event_id"]
                state["last_text"] = message.text[:4000]
                if message.intent in UNANSWERED_INTENTS:
                    state["unanswered"] = True
                if not state["first_message"] and message.text and not message.text.startswith("/"):
                    state["first_message"] = message.text[:300]
            elif kind == "action":
                name = row.action_name or ""
                if name == "action_listen":
                    state["pending_message"] = None
                    continue
                outcome = OUTCOME_ACTIONS.get(name)
                if outcome:
                    state[outcome] = True
                if name in FALLBACK_ACTIONS:
                    state["unanswered"] = True
                pending = state["pending_message"]
                if pending is not None:
                    if pending in pending_here:
                        pending_here[pending]["next_action"] = name
                    else:
                        self.next_actions[pending] = name
                    state["pending_message"] = None
            elif kind == "slot":
                data = _json(row.data)
                name, value = data.get("name"), data.get("value")
                if name == "requested_slot":
                    state["requested_slot"] = value if isinstance(value, str) else None
                elif name == SAFETY_SLOT and isinstance(value, list):
                    flags = [str(v) for v in value]
                    self.reports.append(
                        {
                            "event_id": int(row.id),
                            "sender_id": row.sender_id,
                            "timestamp": float(data.get("timestamp") or row.timestamp or 0.0),
                            "flags": json.dumps(flags),
                            "red": flags != [AFTER_TREATMENT_WORRY],
                            "text": state["last_text"],
                        }
                    )
            elif kind == "active_loop":
                if not _json(row.data).get("name"):
                    state["requested_slot"] = None
        self._store()

    def _load(self, senders: Iterable[str]) -> None:
        senders = list(senders)
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            for row in self.connection.execute(
                select(ci_conversations).where(ci_conversations.c.sender_id.in_(chunk))
            ).mappings():
                self.conversations[row["sender_id"]] = dict(row)

    def _state(self, sender_id: str, timestamp: float) -> Dict[str, Any]:
        state = self.conversations.get(sender_id)
        if state is None:
            state = {
                "sender_id": sender_id,
                "started": timestamp,
                "last": timestamp,
                "messages": 0,
                "booked": False,
                "handed_off": False,
                "unanswered": False,
                "symptom": False,
                "first_message": "",
                "requested_slot": None,
                "pending_message": None,
                "last_text": "",
            }
            self.conversations[sender_id] = state
            self.new.add(sender_id)
        return state

    def _store(self) -> None:
        if self.messages:
            self.connection.execute(ci_messages.insert(), self.messages)
        if self.reports:
            self.connection.execute(ci_reports.insert(), self.reports)
        for event_id, action in self.next_actions.items():
            self.connection.execute(
                update(ci_messages).where(ci_messages.c.event_id == event_id).values(next_action=action)
            )
        new = [state for sender, state in self.conversations.items() if sender in self.new]
        if new:
            self.connection.execute(ci_conversations.insert(), new)
        for sender, state in self.conversations.items():
            if sender in self.new:
                continue
            values = {key: value for key, value in state.items() if key != "sender_id"}
            self.connection.execute(
                update(ci_conversations).where(ci_conversations.c.sender_id == sender).values(**values)
            )


def _json(raw: Any) -> Dict[str, Any]:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
