"""`python -m staff.seed`: fake visitor conversations and booking requests, for tests and benchmarks.

    python -m staff.seed --conversations 20000 --bookings 5000 \\
        --tracker-url sqlite:////tmp/bench/tracker.db --clinic-db-url sqlite:////tmp/bench/clinic.db [--seed 1]

Conversations go into Rasa's SQL tracker store (`events`), one row per event, exactly as
`SQLTrackerStore.save` writes them: the JSON is Rasa 3.6's own `Event.as_dict()`, and
`intent_name` / `action_name` are filled the way `save` fills them. Each conversation
starts as `action_session_start` leaves it (session_started, the clinic's slots,
action_listen) and has 1-6 visitor messages, spread over the last 90 days: FAQ questions on
the topics of shared/spec/faq-topics.md (some unsure), messages not understood, off-topic
and beyond-the-article questions, booking and call-back forms, hand-offs to a person and
after-treatment reports with their `safety_flags`. Visitor texts are the project's NLU
examples; replies are the project's own texts filled from clinic.yml; red flags are found
by clinic.triage, as the assistant finds them.

Booking requests go into the bookings store (`booking_requests`, storage/bookings.py):
about 20% call-backs, 15% needing provider review, 30% already contacted. The requests
made in a seeded conversation carry its name, phone, time and reference.

Names are "<first name> Example"-style and phone numbers are 555-01xx: nothing here is a
real person. The clinic's own databases (the defaults: $TRACKER_DB_URL / $CLINIC_DB_URL, or
the SQLite files under var/) are refused unless --yes is given.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Set, TextIO, Tuple

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from channels.tracker_store import ClinicSQLTrackerStore
from clinic.dates import PreferredTime
from clinic.hours import closing_time_today
from clinic.paths import (
    CONFIG_PATH,
    DATA_DIR,
    DOMAIN_PATH,
    FAQ_RESPONSES_PATH,
    VAR_DIR,
    clinic_db_url,
    tracker_db_url,
)
from clinic.settings import WEEKDAYS, ClinicSettings, current_settings
from clinic.texts import MessageTemplate, clinic_placeholders, load_messages, render
from clinic.topics import FAQ_TOPICS
from clinic.triage import Urgency, triage
from storage.bookings import KIND_BOOKING, KIND_CALLBACK, STATUS_CONTACTED, STATUS_NEW, BookingStore, booking_requests
from storage.conversations import AFTER_TREATMENT_WORRY, OUTCOME_ACTIONS, SAFETY_SLOT
from training_data.nlu_files import nlu_files, read_all

DAYS = 90
PROGRESS_EVERY = 2_000
INPUT_CHANNEL = "rest"  # channels/guarded_rest.py
NLU_FALLBACK_CONFIDENCE = 0.5  # config.yml: FallbackClassifier threshold
UNSURE_BELOW = 0.7  # staff/review.py DEFAULT_THRESHOLD: below it a message is listed as "unsure"
MODEL_DAYS = 14  # a retrained model (new model_id in the events' metadata) every two weeks
# Visitors' intents (domain.yml), for the NLU's ranking of the runners-up.
INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "bot_challenge",
    "faq",
    "book_appointment",
    "request_human",
    "report_symptom",
    "ask_beyond_article",
    "out_of_scope",
    "inform",
    "stop",
    "change_booking",
    "request_callback",
)
BOOKING_SLOTS = ("name", "phone", "preferred_time", "preferred_day", "screening", "confirm_booking", "form_failures")
# Conversation kinds and their share of all conversations.
MIX: Tuple[Tuple[str, float], ...] = (
    ("faq", 0.52),
    ("fallback", 0.08),
    ("scope", 0.08),
    ("booking", 0.15),
    ("callback", 0.03),
    ("handoff", 0.06),
    ("symptom", 0.08),
)
# How often each FAQ topic is asked, relative to one another.
TOPIC_WEIGHTS = {
    "what_is": 1.0,
    "conditions": 1.2,
    "how_it_works": 0.6,
    "preparation": 0.7,
    "procedure": 0.7,
    "duration": 0.6,
    "recovery": 1.3,
    "results": 1.0,
    "side_effects": 1.1,
    "contraindications": 0.7,
    "cost": 1.6,
}
# Visitors per hour of the day (clinic time), relative: evenings are busiest.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 8, 8, 7, 7, 7, 8, 9, 10, 10, 8, 5, 2)
SHARE_CALLBACKS = 0.20
SHARE_REVIEW = 0.15
SHARE_CONTACTED = 0.30
# Obviously fake people: "<first name> <placeholder surname>", phone numbers 555-0100..0199.
FIRST_NAMES = (
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Casey",
    "Riley",
    "Morgan",
    "Jamie",
    "Robin",
    "Avery",
    "Quinn",
    "Charlie",
    "Dana",
    "Kim",
    "Lee",
    "Noor",
    "Priya",
    "Mateo",
    "Yuki",
    "Ola",
)
SURNAMES = ("Example", "Sample", "Testperson", "Placeholder", "Demo", "Fakename", "Testington", "Dummy")
AREA_CODES = ("212", "646", "917", "718", "347")
# Messages the NLU model could not place (intent nlu_fallback).
NOT_UNDERSTOOD = (
    "hmm",
    "what about the thing my sister had",
    "is it ok w/ rosacea??",
    "needle thing price face and neck both?",
    "and after that",
    "ok but what if",
    "does the numbing cream stuff",
    "can i do it with my lashes",
    "so is it like botox or",
    "???",
    "what do u mean",
    "i saw it on insta is it that",
    "my friend said it hurts is that true for dark skin",
    "do you do the gold one",
)
# After-treatment worries that are not red flags, next to the NLU examples.
WORRIES = (
    "my face is still a bit red two days after the treatment",
    "a little peeling on my nose since my session, is that ok",
    "my skin feels tight and dry after microneedling",
    "some small bumps appeared after my treatment",
)


class SeedError(RuntimeError):
    """The seed can't be written where asked."""


@dataclass
class PlannedRequest:
    """One row of the bookings store, made before (and filled in by) the conversations."""

    kind: str
    screening: Optional[str]  # "yes" / "no" for a booking, None for a call-back
    reference: str
    name: str = ""
    phone: str = ""
    preferred_time: Optional[str] = None
    created_at: Optional[datetime] = None
    idempotency_key: str = ""


@dataclass
class SeedSummary:
    conversations: int = 0
    events: int = 0
    visitor_messages: int = 0
    kinds: Dict[str, int] = field(default_factory=dict)
    outcomes: Dict[str, int] = field(default_factory=dict)
    safety_reports: int = 0
    red_flag_reports: int = 0
    requests: int = 0
    callbacks: int = 0
    provider_review: int = 0
    contacted: int = 0
    linked_requests: int = 0  # requests made in one of the seeded conversations
    unstored_requests: int = 0  # conversations that stored a request beyond --bookings
    tracker_seconds: float = 0.0
    bookings_seconds: float = 0.0


# -- where the seed may go ---------------------------------------------------------------------


def _sqlite_file(url: str) -> Optional[Path]:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser().resolve()


def protected_reason(url: str, default_url: str) -> Optional[str]:
    """Why seeding `url` needs --yes (the clinic's own database), or None."""
    path = _sqlite_file(url)
    if path is not None and (path == VAR_DIR.resolve() or VAR_DIR.resolve() in path.parents):
        return f"{path} is one of the repository's own databases under var/"
    if make_url(url) == make_url(default_url):
        return f"{make_url(url).render_as_string(hide_password=True)} is the clinic's configured database"
    return None


def _check_reachable(url: str, what: str) -> None:
    path = _sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise SeedError(f"the {what} database's folder {path.parent} does not exist")
    try:
        engine = create_engine(url, future=True)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # bad URL, server down, no such database
        raise SeedError(f"can't open the {what} database: {type(error).__name__}: {error}") from error


# -- the texts visitors write and the assistant answers ------------------------------------------


def _responses(path: Path) -> Dict[str, List[Dict[str, Any]]]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    responses: Dict[str, List[Dict[str, Any]]] = loaded.get("responses") or {}
    return responses


def _variant(variants: List[Dict[str, Any]], has_prices: bool) -> Dict[str, Any]:
    """The response variant the assistant sends (conditions on clinic_has_prices, else the plain one)."""
    for variant in variants:
        conditions = variant.get("condition") or []
        if conditions and all(c.get("value") == has_prices for c in conditions if c.get("name") == "clinic_has_prices"):
            return variant
    return next((v for v in variants if not v.get("condition")), variants[0])


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Optional[List[Dict[str, str]]]
    template: str = ""  # the response as written (with {placeholders}), for the NLU's response selector


class Texts:
    """The project's NLU examples and replies, read once, with the clinic's details filled in."""

    def __init__(self, settings: ClinicSettings) -> None:
        self.settings = settings
        self.messages: Dict[str, MessageTemplate] = load_messages()
        self.details = clinic_placeholders(settings, self.messages)
        self.has_prices = bool(settings.prices)
        blocks = read_all(nlu_files(DATA_DIR))
        self.examples: Dict[str, List[str]] = {
            name: [example.plain for example in block.examples] for name, block in blocks.items()
        }
        self.topics = [t for t in FAQ_TOPICS if self.examples.get(f"faq/{t}")]
        if not self.topics:
            raise SeedError(f"no FAQ examples found under {DATA_DIR / 'nlu'}")
        self.replies: Dict[str, Reply] = {}
        for source in (_responses(DOMAIN_PATH), _responses(FAQ_RESPONSES_PATH)):
            for name, variants in source.items():
                chosen = _variant(variants, self.has_prices)
                template = str(chosen.get("text") or "")
                self.replies[name] = Reply(template.format_map(self.details), chosen.get("buttons"), template)
        self._triaged: Dict[str, Tuple[str, ...]] = {}
        config = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8")) or {}
        self.assistant_id = str(config.get("assistant_id") or "clinic")

    def example(self, rng: random.Random, intent: str, fallback: Sequence[str] = ()) -> str:
        return rng.choice(self.examples.get(intent) or list(fallback) or [intent.replace("_", " ")])

    def message(self, message_name: str, /, **values: Any) -> Reply:
        rendered = render(message_name, self.settings, messages=self.messages, **values)
        return Reply(rendered.text, rendered.buttons or None)

    def flags(self, report: str) -> Tuple[str, ...]:
        """The safety_flags action_symptom_advice sets for `report` (clinic.triage)."""
        if report not in self._triaged:
            result = triage(report, self.settings.red_flags)
            if result.urgency is Urgency.EMERGENCY:
                self._triaged[report] = tuple(flag.key for flag in result.red_flags)
            else:
                self._triaged[report] = (AFTER_TREATMENT_WORRY,)
        return self._triaged[report]

    def symptom_reply(self, report: str) -> Reply:
        result = triage(report, self.settings.red_flags)
        if result.urgency is Urgency.EMERGENCY:
            first = result.red_flags[0]
            return self.message("symptom_emergency", sign=first.sign.lower(), why=first.why)
        return self.message("symptom_call_clinic")

    def moment(self, iso: str) -> str:
        return self.message("moment_format", **PreferredTime.from_iso(iso).parts()).text


_TOKEN = re.compile(r"[^\s.,!?;:()\"]+")


def preferred_time(settings: ClinicSettings, rng: random.Random, moment: float) -> datetime:
    """An opening hour 1-14 days after `moment`, in the clinic's zone."""
    day = datetime.fromtimestamp(moment, tz=settings.zone).date()
    for _ in range(30):
        candidate: date = day + timedelta(days=rng.randint(1, 14))
        hours = settings.opening_hours[WEEKDAYS[candidate.weekday()]]
        if hours.opens is None or hours.closes is None:
            continue
        first, last = hours.opens.hour, max(hours.opens.hour, hours.closes.hour - 1)
        hour, minute = rng.randint(first, last), rng.choice((0, 0, 30))
        return datetime(candidate.year, candidate.month, candidate.day, hour, minute, tzinfo=settings.zone)
    return datetime.fromtimestamp(moment, tz=settings.zone).replace(microsecond=0) + timedelta(days=1)


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _fake_person(rng: random.Random) -> Tuple[str, str, str]:
    """(name, phone as typed, phone in E.164)."""
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    area, line = rng.choice(AREA_CODES), f"01{rng.randrange(100):02d}"
    typed = rng.choice((f"({area}) 555-{line}", f"{area} 555 {line}", f"{area}-555-{line}", f"+1 {area} 555 {line}"))
    return name, typed, f"+1{area}555{line}"


# -- one conversation, as Rasa stores it -----------------------------------------------------------


class Conversation:
    """Builds one conversation's events, in order, with realistic timestamps."""

    def __init__(
        self, texts: Texts, rng: random.Random, sender_id: str, start: float, model_id: str, max_turns: int = 6
    ) -> None:
        self.texts = texts
        self.rng = rng
        self.sender_id = sender_id
        self.clock = start
        self.metadata = {"model_id": model_id, "assistant_id": texts.assistant_id}
        self.events: List[Any] = []
        self.turns = 0
        self.max_turns = max_turns

    @property
    def turns_left(self) -> int:
        return self.max_turns - self.turns

    def _tick(self, low: float = 0.0002, high: float = 0.004) -> float:
        self.clock += self.rng.uniform(low, high)
        return self.clock

    def session_start(self) -> None:
        self.events.append(ActionExecuted("action_session_start", None, 1.0, self._tick(), dict(self.metadata)))
        self.events.append(SessionStarted(self._tick(), dict(self.metadata)))
        for name, value in {**self.texts.details, "clinic_has_prices": self.texts.has_prices}.items():
            self.events.append(SlotSet(name, value, self._tick(0.000001, 0.00004), dict(self.metadata)))
        self.events.append(ActionExecuted("action_listen", None, None, self._tick(), dict(self.metadata)))

    def user(
        self,
        text: str,
        intent: str,
        confidence: float = 1.0,
        topic: Optional[str] = None,
        topic_confidence: Optional[float] = None,
    ) -> None:
        """A visitor message and the NLU's reading of it; `topic` for faq: faq/<topic>."""
        if self.turns:
            self.clock += self.rng.lognormvariate(3.0, 0.8)  # reading, thinking, typing: ~20 s
        self.turns += 1
        message_id = f"{self.rng.getrandbits(128):032x}"
        intent_data: Dict[str, Any] = {"name": intent, "confidence": confidence}
        if text.startswith("/"):  # a button: RegexMessageHandler, no model
            parse_data: Dict[str, Any] = {
                "intent": intent_data,
                "entities": [],
                "text": text,
                "message_id": message_id,
                "metadata": {},
                "intent_ranking": [dict(intent_data)],
            }
        else:
            if intent == "faq" and topic:
                intent_data["full_retrieval_intent_name"] = f"faq/{topic}"
            parse_data = {
                "intent": intent_data,
                "entities": [],
                "text": text,
                "message_id": message_id,
                "metadata": {},
                "text_tokens": [[m.start(), m.end()] for m in _TOKEN.finditer(text)],
                "intent_ranking": self._ranking(intent, confidence),
                "response_selector": self._selector(topic, topic_confidence),
            }
        self.events.append(
            UserUttered(
                text,
                intent_data,
                [],
                parse_data,
                self._tick(0.005, 0.02),
                INPUT_CHANNEL,
                message_id,
                dict(self.metadata),
            )
        )
        self.events.append(DefinePrevUserUtteredFeaturization(False, self._tick(0.002, 0.06), dict(self.metadata)))

    def _ranking(self, intent: str, confidence: float) -> List[Dict[str, Any]]:
        """The top intent and the runners-up (for nlu_fallback: the model's own guesses, all unsure)."""
        fallback = intent == "nlu_fallback"
        others = self.rng.sample([name for name in INTENTS if name != intent], 10 if fallback else 9)
        if fallback:
            weights = sorted((self.rng.uniform(0.2, 1.0) for _ in others), reverse=True)
        else:
            weights = sorted((self.rng.random() ** 3 for _ in others), reverse=True)
        total = sum(weights) or 1.0
        rest = 1.0 if fallback else 1.0 - confidence
        ranking = [{"name": intent, "confidence": confidence}]
        ranking += [{"name": name, "confidence": rest * w / total} for name, w in zip(others, weights)]
        return ranking

    def _selector(self, topic: Optional[str], confidence: Optional[float]) -> Dict[str, Any]:
        """The ResponseSelector's output: it runs on every message, whatever the intent."""
        topics = self.texts.topics
        best = topic or self.rng.choice(topics)
        best_confidence = confidence if confidence is not None else self.rng.uniform(0.1, 0.9)
        others = self.rng.sample([t for t in topics if t != best], min(9, len(topics) - 1))
        weights = sorted((self.rng.random() ** 2 for _ in others), reverse=True)
        total = sum(weights) or 1.0
        ranking = [{"confidence": best_confidence, "intent_response_key": f"faq/{best}"}]
        ranking += [
            {"confidence": (1.0 - best_confidence) * w / total, "intent_response_key": f"faq/{t}"}
            for t, w in zip(others, weights)
        ]
        reply = self.texts.replies.get(f"utter_faq/{best}", Reply("", None))
        response: Dict[str, Any] = {"text": reply.template}
        if reply.buttons:
            response["buttons"] = reply.buttons
        return {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {
                    "responses": [response],
                    "confidence": best_confidence,
                    "intent_response_key": f"faq/{best}",
                    "utter_action": f"utter_faq/{best}",
                },
                "ranking": ranking,
            },
        }

    def action(self, name: str, hide_rule_turn: bool = False) -> None:
        self.events.append(
            ActionExecuted(name, "RulePolicy", 1.0, self._tick(), dict(self.metadata), None, hide_rule_turn)
        )

    def bot(self, reply: Reply, utter_action: Optional[str] = None) -> None:
        data = {
            "elements": None,
            "quick_replies": None,
            "buttons": reply.buttons,
            "attachment": None,
            "image": None,
            "custom": None,
        }
        metadata = {"utter_action": utter_action, **self.metadata} if utter_action else dict(self.metadata)
        self.events.append(BotUttered(reply.text, data, metadata, self._tick(0.00001, 0.0001)))

    def utter(self, response: str, action: Optional[str] = None) -> None:
        """A response from the domain: the action, then what it says (utter_faq/<topic> for utter_faq)."""
        self.action(action or response)
        self.bot(self.texts.replies[response], response)

    def slot(self, name: str, value: Any) -> None:
        self.events.append(SlotSet(name, value, self._tick(0.000001, 0.00004), dict(self.metadata)))

    def loop(self, name: Optional[str]) -> None:
        self.events.append(ActiveLoop(name, self._tick(0.00001, 0.0001), dict(self.metadata)))

    def revert_message(self) -> None:
        self.events.append(UserUtteranceReverted(self._tick(), dict(self.metadata)))

    def listen(self) -> None:
        self.action("action_listen")

    def rows(self) -> Iterator[Dict[str, Any]]:
        """The `events` rows, exactly as SQLTrackerStore.save makes them."""
        for event in self.events:
            data = event.as_dict()
            yield {
                "sender_id": self.sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            }


# -- the kinds of conversation ----------------------------------------------------------------------


class Scenes:
    """Turns visitors take, each ending with the assistant listening again."""

    def __init__(self, texts: Texts, rng: random.Random, requests: RequestPlan) -> None:
        self.texts = texts
        self.rng = rng
        self.requests = requests

    def topic(self) -> str:
        topics = self.texts.topics
        return self.rng.choices(topics, [TOPIC_WEIGHTS.get(t, 1.0) for t in topics])[0]

    def faq(self, c: Conversation, unsure: Optional[bool] = None) -> None:
        topic = self.topic()
        text = self.texts.example(self.rng, f"faq/{topic}")
        unsure = self.rng.random() < 0.15 if unsure is None else unsure
        if unsure:  # listed for review: the intent or the topic below UNSURE_BELOW
            if self.rng.random() < 0.5:
                confidence, topic_confidence = self.rng.uniform(NLU_FALLBACK_CONFIDENCE, UNSURE_BELOW), 0.9
            else:
                confidence, topic_confidence = self.rng.uniform(0.8, 1.0), self.rng.uniform(0.25, UNSURE_BELOW)
        else:
            confidence, topic_confidence = self.rng.uniform(0.9, 1.0), self.rng.uniform(0.75, 1.0)
        c.user(text, "faq", confidence, topic, topic_confidence)
        c.action("utter_faq")
        c.bot(self.texts.replies[f"utter_faq/{topic}"], f"utter_faq/{topic}")
        c.listen()

    def said(self, c: Conversation, intent: str, response: str, confidence: Optional[float] = None) -> None:
        c.user(self.texts.example(self.rng, intent), intent, confidence or self.rng.uniform(0.8, 1.0))
        c.utter(response)
        c.listen()

    def not_understood(self, c: Conversation) -> None:
        c.user(self.rng.choice(NOT_UNDERSTOOD), "nlu_fallback", NLU_FALLBACK_CONFIDENCE)
        if self.rng.random() < 0.7:
            # Rasa's own fallback: no utter_default in the domain, so it says nothing and
            # reverts the message (UserUtteranceReverted).
            c.action("action_default_fallback")
            c.revert_message()
        else:
            c.utter("utter_ask_rephrase")  # config.yml's core fallback action
        c.listen()

    def handoff(self, c: Conversation, by_button: bool = False) -> None:
        if by_button:
            c.user("/request_human", "request_human")
        else:
            c.user(self.texts.example(self.rng, "request_human"), "request_human", self.rng.uniform(0.85, 1.0))
        self.handed_off(c)
        c.listen()

    def handed_off(self, c: Conversation) -> None:
        c.action("action_handoff_to_human")
        closes = closing_time_today(self.texts.settings, datetime.fromtimestamp(c.clock, tz=timezone.utc))
        c.bot(self.texts.message("handoff_open", closes=closes) if closes else self.texts.message("handoff_closed"))

    def symptom(self, c: Conversation) -> None:
        if self.rng.random() < 0.25:
            report = self.rng.choice(WORRIES)
        else:
            report = self.texts.example(self.rng, "report_symptom", WORRIES)
        c.user(report, "report_symptom", self.rng.uniform(0.7, 1.0))
        c.action("action_symptom_advice")
        c.bot(self.texts.symptom_reply(report))
        c.slot(SAFETY_SLOT, list(self.texts.flags(report)))
        c.listen()

    def booking(self, c: Conversation) -> None:
        """The booking form from the first question to the stored request (6 visitor turns)."""
        if self.rng.random() < 0.3:
            c.user("/book_appointment", "book_appointment")
        else:
            c.user(self.texts.example(self.rng, "book_appointment"), "book_appointment", self.rng.uniform(0.75, 1.0))
        c.action("booking_form")
        c.loop("booking_form")
        form_started = c.events[-1].timestamp
        c.slot("requested_slot", "name")
        c.bot(self.texts.message("ask_name"))
        c.listen()
        request = self.requests.take(KIND_BOOKING)
        name, typed_phone, phone = _fake_person(self.rng)
        if self.rng.random() < 0.08:  # changed their mind
            c.user(name, "inform", self.rng.uniform(0.6, 0.99))
            self._form_answer(c, "booking_form", {"name": name, "form_failures": None}, "phone", "ask_phone", name)
            c.user(self.texts.example(self.rng, "stop", ("stop",)), "stop", self.rng.uniform(0.8, 1.0))
            c.action("action_cancel_booking")
            c.bot(self.texts.message("booking_cancelled"))
            c.loop(None)
            c.slot("requested_slot", None)
            for slot in BOOKING_SLOTS:
                c.slot(slot, None)
            c.listen()
            self.requests.give_back(request)
            return
        screening = request.screening if request else self.rng.choice(("yes", "no", "no", "no", "no"))
        when = preferred_time(self.texts.settings, self.rng, c.clock)
        c.user(name, "inform", self.rng.uniform(0.6, 0.99))
        self._form_answer(c, "booking_form", {"name": name, "form_failures": None}, "phone", "ask_phone", name)
        c.user(typed_phone, "inform", self.rng.uniform(0.5, 0.99))
        self._form_answer(
            c, "booking_form", {"phone": phone, "form_failures": None}, "preferred_time", "ask_preferred_time", name
        )
        c.user(self._typed_time(when), self.rng.choice(("inform", "book_appointment")), self.rng.uniform(0.5, 0.95))
        self._form_answer(
            c,
            "booking_form",
            {"preferred_time": when.isoformat(), "preferred_day": None, "form_failures": None},
            "screening",
            "ask_screening",
            name,
        )
        c.user("/affirm" if screening == "yes" else "/deny", "affirm" if screening == "yes" else "deny")
        summary = self.texts.message(f"screening_summary_{screening}").text
        c.action("booking_form")
        c.slot("screening", screening)
        c.slot("requested_slot", "confirm_booking")
        c.bot(
            self.texts.message(
                "confirm_booking",
                name=name,
                phone=phone,
                when=self.texts.moment(when.isoformat()),
                screening_summary=summary,
            )
        )
        c.listen()
        c.user("/affirm", "affirm")
        c.action("booking_form")
        c.slot("confirm_booking", "yes")
        c.slot("requested_slot", None)
        c.loop(None)
        c.action("action_submit_booking")
        reference = self.requests.fill(
            request,
            name=name,
            phone=phone,
            preferred_time=when.isoformat(),
            created_at=c.clock,
            key=f"{c.sender_id}:booking_form:{form_started}",
        )
        if screening == "yes":
            c.bot(self.texts.message("booking_stored_review", reference=reference))
        else:
            c.bot(self.texts.message("booking_stored", reference=reference, when=self.texts.moment(when.isoformat())))
        c.slot("booking_reference", reference)
        for slot in BOOKING_SLOTS:
            c.slot(slot, None)
        c.listen()

    def callback(self, c: Conversation, by_button: bool = False) -> None:
        """The call-back form: ask, name, phone, stored (3 visitor turns)."""
        if by_button:
            c.user("/request_callback", "request_callback")
        else:
            c.user(self.texts.example(self.rng, "request_callback"), "request_callback", self.rng.uniform(0.8, 1.0))
        c.action("callback_form")
        c.loop("callback_form")
        form_started = c.events[-1].timestamp
        c.slot("requested_slot", "name")
        c.bot(self.texts.message("ask_name"))
        c.listen()
        request = self.requests.take(KIND_CALLBACK)
        name, typed_phone, phone = _fake_person(self.rng)
        c.user(name, "inform", self.rng.uniform(0.6, 0.99))
        self._form_answer(c, "callback_form", {"name": name, "form_failures": None}, "phone", "ask_phone", name)
        c.user(typed_phone, "inform", self.rng.uniform(0.5, 0.99))
        c.action("callback_form")
        c.slot("phone", phone)
        c.slot("form_failures", None)
        c.slot("requested_slot", None)
        c.loop(None)
        c.action("action_submit_callback")
        reference = self.requests.fill(
            request, name=name, phone=phone, created_at=c.clock, key=f"{c.sender_id}:callback_form:{form_started}"
        )
        c.bot(self.texts.message("callback_stored", name=name, reference=reference))
        c.listen()

    def _form_answer(
        self, c: Conversation, form: str, values: Dict[str, Any], next_slot: str, ask: str, name: str
    ) -> None:
        c.action(form)
        for slot, value in values.items():
            c.slot(slot, value)
        c.slot("requested_slot", next_slot)
        c.bot(self.texts.message(ask, name=name))
        c.listen()

    def _typed_time(self, when: datetime) -> str:
        hour = when.strftime("%I").lstrip("0") + (f":{when:%M}" if when.minute else "") + when.strftime("%p").lower()
        weekday = WEEKDAYS[when.weekday()]
        return self.rng.choice(
            (
                f"{weekday} at {hour}",
                f"next {weekday} {hour}",
                f"the {_ordinal(when.day)} at {hour}",
                f"{weekday} {hour} please",
            )
        )

    # A whole conversation of each kind: 1-6 visitor turns.

    def play(self, kind: str, c: Conversation) -> None:
        rng = self.rng
        if kind == "faq":
            if rng.random() < 0.3:
                self.said(c, "greet", "utter_greet")
            for _ in range(min(c.turns_left, rng.choice((1, 1, 1, 2, 2, 3, 4)))):
                self.faq(c)
            if c.turns_left and rng.random() < 0.3:
                self.said(c, "thanks", "utter_you_are_welcome")
            if c.turns_left and rng.random() < 0.15:
                self.said(c, "goodbye", "utter_goodbye")
        elif kind == "fallback":
            self.not_understood(c)
            roll = rng.random()
            if roll < 0.5:
                self.faq(c)
            elif roll < 0.75:
                c.user(rng.choice(NOT_UNDERSTOOD), "nlu_fallback", NLU_FALLBACK_CONFIDENCE)
                c.utter("utter_offer_human")
                c.listen()
                c.user("/affirm", "affirm")
                self.handed_off(c)
                c.listen()
        elif kind == "scope":
            if rng.random() < 0.5:
                self.said(c, "out_of_scope", "utter_out_of_scope", rng.uniform(0.6, 1.0))
            else:
                self.said(c, "ask_beyond_article", "utter_beyond_article", rng.uniform(0.55, 1.0))
            if rng.random() < 0.4:
                self.faq(c)
            if rng.random() < 0.15:
                self.handoff(c, by_button=True)
        elif kind == "booking":
            self.booking(c)
        elif kind == "callback":
            if rng.random() < 0.4:
                self.faq(c)
            self.callback(c)
        elif kind == "handoff":
            if rng.random() < 0.4:
                self.faq(c)
            self.handoff(c)
        elif kind == "symptom":
            self.symptom(c)
            roll = rng.random()
            if roll < 0.2:
                self.callback(c, by_button=True)
            elif roll < 0.3:
                self.handoff(c, by_button=True)
        else:
            raise ValueError(f"unknown conversation kind {kind!r}")


# -- booking requests ---------------------------------------------------------------------------------


class RequestPlan:
    """The --bookings rows, decided up front; seeded conversations fill some of them in."""

    def __init__(self, count: int, rng: random.Random, taken_references: Optional[Set[str]] = None) -> None:
        self.rng = rng
        self.references: Set[str] = set(taken_references or ())
        callbacks = round(count * SHARE_CALLBACKS)
        review = min(count - callbacks, round(count * SHARE_REVIEW))
        kinds: List[Tuple[str, Optional[str]]] = [(KIND_CALLBACK, None)] * callbacks
        kinds += [(KIND_BOOKING, "yes")] * review + [(KIND_BOOKING, "no")] * (count - callbacks - review)
        rng.shuffle(kinds)
        self.all = [PlannedRequest(kind, screening, self.new_reference()) for kind, screening in kinds]
        self._waiting: Dict[str, List[PlannedRequest]] = {KIND_BOOKING: [], KIND_CALLBACK: []}
        for request in reversed(self.all):
            self._waiting[request.kind].append(request)
        self.unstored = 0

    def new_reference(self) -> str:
        while True:
            reference = "MN-" + "".join(self.rng.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(6))
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def take(self, kind: str) -> Optional[PlannedRequest]:
        waiting = self._waiting[kind]
        return waiting.pop() if waiting else None

    def give_back(self, request: Optional[PlannedRequest]) -> None:
        if request is not None:
            self._waiting[request.kind].append(request)

    def fill(
        self,
        request: Optional[PlannedRequest],
        name: str,
        phone: str,
        created_at: float,
        key: str,
        preferred_time: Optional[str] = None,
    ) -> str:
        """The reference the conversation announces; beyond --bookings it has no row."""
        if request is None:
            self.unstored += 1
            return self.new_reference()
        request.name, request.phone, request.preferred_time = name, phone, preferred_time
        request.created_at = datetime.fromtimestamp(created_at, tz=timezone.utc)
        request.idempotency_key = key
        return request.reference

    def rows(self, settings: ClinicSettings, now: datetime, days: int = DAYS) -> Tuple[List[Dict[str, Any]], int]:
        """Every planned request as a `booking_requests` row, and how many came from a conversation."""
        linked = sum(1 for r in self.all if r.created_at is not None)
        for request in self.all:
            if request.created_at is None:  # from a conversation that is not in the seed
                request.created_at = now - timedelta(seconds=self.rng.uniform(600, days * 86400))
                request.name, _, request.phone = _fake_person(self.rng)
                stamp = request.created_at.timestamp()
                if request.kind == KIND_BOOKING:
                    request.preferred_time = preferred_time(settings, self.rng, stamp).isoformat()
                form = "booking_form" if request.kind == KIND_BOOKING else "callback_form"
                request.idempotency_key = f"web-{self.rng.getrandbits(96):024x}:{form}:{stamp}"
        # The older a request, the likelier staff have called already.
        by_age = sorted(self.all, key=lambda r: (r.created_at or now, r.reference))
        contacted: Set[str] = set()
        wanted = round(len(self.all) * SHARE_CONTACTED)
        weights = [1.0 + 3.0 * (len(by_age) - i) / max(1, len(by_age)) for i in range(len(by_age))]
        while len(contacted) < wanted:
            contacted.update(r.reference for r in self.rng.choices(by_age, weights, k=wanted - len(contacted)))
        rows = []
        for request in self.all:
            assert request.created_at is not None
            done = request.reference in contacted
            rows.append(
                {
                    "reference": request.reference,
                    "idempotency_key": request.idempotency_key,
                    "kind": request.kind,
                    "created_at": request.created_at,
                    "name": request.name,
                    "phone": request.phone,
                    "preferred_time": request.preferred_time,
                    "screening": request.screening,
                    "needs_provider_review": request.screening == "yes",
                    "status": STATUS_CONTACTED if done else STATUS_NEW,
                    "contacted_at": min(now, request.created_at + timedelta(minutes=self.rng.uniform(5, 2880)))
                    if done
                    else None,
                }
            )
        return rows, linked


def insert_booking_rows(store: BookingStore, rows: List[Dict[str, Any]], batch: int = 1_000) -> None:
    """Bulk insert into `booking_requests` (BookingStore.save makes one transaction per row)."""
    with store.engine.begin() as connection:
        for start in range(0, len(rows), batch):
            connection.execute(booking_requests.insert(), rows[start : start + batch])


# -- the seed as a whole ------------------------------------------------------------------------------


def _start_time(rng: random.Random, now: float, zone: tzinfo, days: int) -> float:
    """A moment in the last `days` days (at least 20 minutes ago), busier at the clinic's busy hours."""
    peak = max(HOUR_WEIGHTS)
    while True:
        moment = now - rng.uniform(20 * 60, days * 86400)
        hour = datetime.fromtimestamp(moment, tz=zone).hour
        if rng.random() * peak < HOUR_WEIGHTS[hour]:
            return moment


def seed(
    tracker_url: str,
    clinic_url: str,
    conversations: int,
    bookings: int,
    seed_value: int = 1,
    now: Optional[datetime] = None,
    out: Optional[TextIO] = None,
    days: int = DAYS,
) -> SeedSummary:
    """Write the fake conversations and requests; the URLs are not checked for --yes here."""
    say: Callable[[str], None] = (lambda line: print(line, file=out, flush=True)) if out else (lambda line: None)
    now = now or datetime.now(timezone.utc)
    rng = random.Random(seed_value)
    # First, so the same --seed always starts with the same conversations (a second run is caught).
    senders = [f"web-{rng.getrandbits(96):024x}" for _ in range(conversations)]
    settings = current_settings()
    texts = Texts(settings)
    summary = SeedSummary()
    _check_reachable(tracker_url, "conversation")
    _check_reachable(clinic_url, "bookings")

    started = time.monotonic()
    bookings_store = BookingStore(clinic_url)
    with bookings_store.engine.connect() as connection:
        taken = {str(r) for r in connection.execute(select(booking_requests.c.reference)).scalars()}
    plan = RequestPlan(bookings, rng, taken)

    # Rasa creates its own table (and this project's SQLite settings, as the server does).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Rasa 3.6 calls SQLAlchemy 1.4's URL()
        store = ClinicSQLTrackerStore(domain=Domain.empty(), host=tracker_url)
    events_table = store.SQLEvent.__table__
    with store.engine.connect() as connection:
        clash = connection.execute(
            select(func.count()).select_from(events_table).where(events_table.c.sender_id.in_(senders[:200]))
        ).scalar_one()
    if clash:
        raise SeedError(f"the conversation store already holds the conversations of --seed {seed_value}")
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    scenes = Scenes(texts, rng, plan)
    model_ids: Dict[int, str] = {}
    now_ts = now.timestamp()
    rows: List[Dict[str, Any]] = []
    for number, sender in enumerate(senders, start=1):
        start = _start_time(rng, now_ts, settings.zone, days)
        period = int((now_ts - start) // (MODEL_DAYS * 86400))
        if period not in model_ids:
            model_ids[period] = f"{rng.getrandbits(128):032x}"
        # Every kind once first, so even a small seed has each; then the mix.
        kind = kinds[number - 1] if number <= len(kinds) else rng.choices(kinds, weights)[0]
        conversation = Conversation(texts, rng, sender, start, model_ids[period])
        conversation.session_start()
        scenes.play(kind, conversation)
        summary.conversations += 1
        summary.visitor_messages += conversation.turns
        summary.kinds[kind] = summary.kinds.get(kind, 0) + 1
        outcomes: Set[str] = set()
        for event in conversation.events:
            if isinstance(event, ActionExecuted) and event.action_name in OUTCOME_ACTIONS:
                outcomes.add(OUTCOME_ACTIONS[event.action_name])
            if isinstance(event, SlotSet) and event.key == SAFETY_SLOT:
                summary.safety_reports += 1
                summary.red_flag_reports += event.value != [AFTER_TREATMENT_WORRY]
        for outcome in outcomes:
            summary.outcomes[outcome] = summary.outcomes.get(outcome, 0) + 1
        rows.extend(conversation.rows())
        if number % PROGRESS_EVERY == 0 or number == conversations:
            with store.engine.begin() as connection:
                connection.execute(events_table.insert(), rows)
            summary.events += len(rows)
            rows = []
            say(
                f"  conversations {number:>7,}/{conversations:,}  events {summary.events:>9,}"
                f"  {time.monotonic() - started:6.1f} s"
            )
    store.engine.dispose()
    summary.tracker_seconds = time.monotonic() - started

    started = time.monotonic()
    booking_rows, summary.linked_requests = plan.rows(settings, now, days)
    insert_booking_rows(bookings_store, booking_rows)
    bookings_store.engine.dispose()
    summary.unstored_requests = plan.unstored
    summary.requests = len(booking_rows)
    summary.callbacks = sum(1 for r in booking_rows if r["kind"] == KIND_CALLBACK)
    summary.provider_review = sum(1 for r in booking_rows if r["needs_provider_review"])
    summary.contacted = sum(1 for r in booking_rows if r["status"] == STATUS_CONTACTED)
    summary.bookings_seconds = time.monotonic() - started
    return summary


def describe(summary: SeedSummary) -> List[str]:
    total = summary.tracker_seconds + summary.bookings_seconds
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.kinds.items(), key=lambda kv: -kv[1]))
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.outcomes.items(), key=lambda kv: -kv[1]))

    def share(count: int) -> str:
        return f"{100 * count / summary.requests:.0f}%" if summary.requests else "-"

    lines = [
        f"Seeded {summary.conversations:,} conversations ({summary.events:,} events, "
        f"{summary.visitor_messages:,} visitor messages) in {summary.tracker_seconds:.1f} s",
        f"  kinds: {kinds}",
        f"  outcomes: {outcomes or 'none'}",
        f"  after-treatment reports: {summary.safety_reports:,} ({summary.red_flag_reports:,} with red flags)",
        f"Seeded {summary.requests:,} booking requests in {summary.bookings_seconds:.1f} s: "
        f"{summary.callbacks:,} call-backs ({share(summary.callbacks)}), "
        f"{summary.provider_review:,} for provider review ({share(summary.provider_review)}), "
        f"{summary.contacted:,} contacted ({share(summary.contacted)}); "
        f"{summary.linked_requests:,} made in a seeded conversation",
    ]
    if summary.unstored_requests:
        lines.append(
            f"  requests made in seeded conversations beyond --bookings (no row): {summary.unstored_requests:,}"
        )
    lines.append(f"Done in {total:.1f} s.")
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m staff.seed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=20_000, help="visitor conversations (default 20000)")
    parser.add_argument("--bookings", type=int, default=5_000, help="booking and call-back requests (default 5000)")
    parser.add_argument(
        "--tracker-url", help="SQLAlchemy URL of Rasa's tracker store (default: $TRACKER_DB_URL or var/)"
    )
    parser.add_argument(
        "--clinic-db-url", help="SQLAlchemy URL of the bookings store (default: $CLINIC_DB_URL or var/)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--days", type=int, default=DAYS, help=f"spread over the last N days (default {DAYS})")
    parser.add_argument("--yes", action="store_true", help="also write into the clinic's own databases")
    return parser


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    if args.conversations < 0 or args.bookings < 0 or args.days < 1:
        print("error: --conversations and --bookings can't be negative, --days must be at least 1", file=sys.stderr)
        return 2
    tracker_url = args.tracker_url or tracker_db_url()
    clinic_url = args.clinic_db_url or clinic_db_url()
    if not args.yes:
        refused = [
            f"{what}: {reason}"
            for what, url, default in (
                ("--tracker-url", tracker_url, tracker_db_url()),
                ("--clinic-db-url", clinic_url, clinic_db_url()),
            )
            for reason in [protected_reason(url, default)]
            if reason
        ]
        if refused:
            print(
                "error: refusing to write fake conversations and bookings into the clinic's own data:\n  "
                + "\n  ".join(refused)
                + "\nGive --tracker-url and --clinic-db-url for a test database, or add --yes if you mean it.",
                file=sys.stderr,
            )
            return 2
    print(f"Seeding {args.conversations:,} conversations and {args.bookings:,} booking requests", file=out, flush=True)
    try:
        summary = seed(tracker_url, clinic_url, args.conversations, args.bookings, args.seed, out=out, days=args.days)
    except SeedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in describe(summary):
        print(line, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
