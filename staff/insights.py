"""The Insights page: what happened over a period, counted from the stores, drawn as simple charts.

Counting is plain Python over the stores' summaries; the chart geometry (bar heights in
SVG units) is computed here too, so the template only draws and tests can check numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from clinic.settings import ClinicSettings
from clinic.topics import FAQ_TOPICS, TOPIC_NAMES
from storage.bookings import BookingStore
from storage.conversation_index import ConversationIndex
from storage.conversations import ConversationSummary
from storage.handoffs import Handoff, HandoffStore

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days"}
CHART_HEIGHT = 120  # SVG units of the tallest bar


@dataclass(frozen=True)
class Bar:
    label: str  # the day, as staff read it
    value: int
    height: float  # SVG units
    x: float


@dataclass
class Insights:
    days: List[date]
    conversations_per_day: List[Bar]
    bookings_per_day: List[Bar]
    conversations: int = 0
    bookings: int = 0
    outcome_shares: List[Tuple[str, int, float]] = field(default_factory=list)  # name, count, percent
    topics: List[Tuple[str, int, float]] = field(default_factory=list)  # plain name, count, bar width %
    handed_off: int = 0
    red_flags: int = 0
    other_worries: int = 0
    live: Dict[str, str] = field(default_factory=dict)  # live hand-offs: asked, taken, waits, lengths


def _minutes(seconds: List[float]) -> str:
    if not seconds:
        return "—"
    average = sum(seconds) / len(seconds)
    return f"{average / 60:.1f} min" if average >= 60 else f"{average:.0f} s"


def live_figures(handoffs: Sequence[Handoff]) -> Dict[str, str]:
    """Live hand-offs in the period: how many, how many a person took, the average wait and length."""
    taken = [h for h in handoffs if h.taken_at is not None]
    return {
        "asked": str(len(handoffs)),
        "taken": str(len(taken)),
        "callback": str(sum(1 for h in handoffs if h.outcome == "callback")),
        "wait": _minutes([h.taken_at - h.requested_at for h in taken if h.taken_at is not None]),
        "length": _minutes(
            [h.ended_at - h.taken_at for h in taken if h.ended_at is not None and h.taken_at is not None]
        ),
        "red_flags": str(sum(1 for h in handoffs if h.red_flag)),
    }


def period_days(period: str, today: date) -> List[date]:
    count = int(period) if period in PERIODS else 30
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def _bars(days: Sequence[date], counts: Dict[date, int], width: float) -> List[Bar]:
    tallest = max(counts.values(), default=0) or 1
    step = width / max(len(days), 1)
    return [
        Bar(f"{day:%a %d %b}", counts.get(day, 0), CHART_HEIGHT * counts.get(day, 0) / tallest, index * step)
        for index, day in enumerate(days)
    ]


def outcome_of(summary: ConversationSummary) -> str:
    """One outcome per conversation, the one staff care most about first."""
    if "handed_off" in summary.outcomes:
        return "Asked for a person"
    if "unanswered" in summary.outcomes:
        return "Something not answered"
    return "Answered by the assistant"


def build(
    index: ConversationIndex,
    bookings: BookingStore,
    settings: ClinicSettings,
    period: str,
    now: Optional[datetime] = None,
    chart_width: float = 600,
    handoffs: Optional[HandoffStore] = None,
) -> Insights:
    zone = settings.zone
    today = (now or datetime.now(zone)).astimezone(zone).date()
    days = period_days(period, today)
    since = datetime.combine(days[0], time.min, tzinfo=zone)
    until = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    summaries = index.period_summaries(since.timestamp(), until.timestamp())
    per_day = Counter(datetime.fromtimestamp(s.started, tz=zone).date() for s in summaries)
    received = bookings.created_between(since, until)
    bookings_per_day = Counter(moment.astimezone(zone).date() for moment in received)
    outcomes = Counter(outcome_of(s) for s in summaries)
    total = len(summaries)
    topic_counts = index.topic_counts(since.timestamp(), until.timestamp(), FAQ_TOPICS)
    most = max(topic_counts.values(), default=0) or 1
    red, worries = index.red_flag_reports(since.timestamp(), until.timestamp())
    return Insights(
        days=days,
        conversations_per_day=_bars(days, per_day, chart_width),
        bookings_per_day=_bars(days, bookings_per_day, chart_width),
        conversations=total,
        bookings=len(received),
        outcome_shares=[
            (name, outcomes[name], round(100 * outcomes[name] / total, 1) if total else 0.0)
            for name in ("Answered by the assistant", "Something not answered", "Asked for a person")
        ],
        topics=[
            (TOPIC_NAMES[topic], count, round(100 * count / most, 1))
            for topic, count in sorted(topic_counts.items(), key=lambda kv: -kv[1])
            if count
        ],
        handed_off=outcomes["Asked for a person"],
        red_flags=red,
        other_worries=worries,
        live=live_figures(handoffs.asked_between(since.timestamp(), until.timestamp())) if handoffs else {},
    )
