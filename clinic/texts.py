"""Every sentence a visitor sees from code comes from messages.yml, filled in here.

messages.yml holds the texts that custom actions and the REST channel send (hand-off,
safety, booking steps, why an answer can't be used, error replies). domain.yml and
data/responses/faq.yml hold the rest; those get the same clinic placeholders as slots, from
the same `clinic_placeholders` function. Plain modules return reason *codes* with values
(`Reason("time_closed_day", {"day": "Sunday"})`); the words are looked up here.

The file is re-read when staff save it; a broken edit keeps the last good texts serving.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from clinic.fresh import FreshFile
from clinic.hours import describe_week
from clinic.paths import MESSAGES_PATH, messages_path
from clinic.prices import describe_prices
from clinic.reasons import Reason
from clinic.settings import ClinicSettings
from clinic.topics import FAQ_TOPICS, SUGGESTED_INTENTS, intent_question_message, question_message

# Filled from clinic.yml in every message and every response (as slots of the same names).
CLINIC_PLACEHOLDERS = (
    "clinic_name",
    "clinic_phone",
    "clinic_address",
    "clinic_hours",
    "clinic_booking_url",
    "clinic_emergency_number",
    "clinic_prices",
)
PRICES_NOT_LISTED = "prices_not_listed"


class MessageError(ValueError):
    """messages.yml is malformed, or a message needs a value nobody gave."""


@dataclass(frozen=True)
class Message:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class MessageTemplate:
    text: str
    buttons: List[Dict[str, str]]
    # Placeholders the sending code fills in, besides the clinic's own.
    values: Tuple[str, ...] = ()
    line: int = 0  # where it starts in messages.yml, for `make check`


def placeholders(text: str) -> List[str]:
    return [field_name for _, field_name, _, _ in string.Formatter().parse(text) if field_name]


def parse_messages(source: str, path: Path = MESSAGES_PATH) -> Dict[str, MessageTemplate]:
    """Validate the file's content into templates; MessageError names the file and entry."""
    try:
        document = yaml.compose(source, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(source)
    except yaml.YAMLError as error:
        raise MessageError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, Mapping) or document is None:
        raise MessageError(f"{path}: expected a mapping of message names")
    lines = {key.value: key.start_mark.line + 1 for key, _ in document.value}
    messages = {}
    for name, entry in raw.items():
        where = f"{path}:{lines.get(name, 0)}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("text"), str):
            raise MessageError(f"{where}: message '{name}' needs a text")
        buttons = entry.get("buttons") or []
        if not all(isinstance(b, Mapping) and b.get("title") and b.get("payload") for b in buttons):
            raise MessageError(f"{where}: every button of '{name}' needs a title and a payload")
        values = entry.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise MessageError(f"{where}: 'values' of '{name}' must be a list of names")
        messages[name] = MessageTemplate(entry["text"], [dict(b) for b in buttons], tuple(values), lines.get(name, 0))
    if PRICES_NOT_LISTED not in messages:
        raise MessageError(f"{path}: message '{PRICES_NOT_LISTED}' is missing")
    return messages


def _read_messages(path: Path) -> Dict[str, MessageTemplate]:
    try:
        return parse_messages(path.read_text(encoding="utf-8"), path)
    except OSError as error:
        raise MessageError(f"{path}: can't be read: {error}") from None


_fresh_messages: FreshFile[Dict[str, MessageTemplate]] = FreshFile(_read_messages, (MessageError,), "messages")


def load_messages(path: Optional[Path] = None) -> Dict[str, MessageTemplate]:
    """The messages in use now ($CLINIC_MESSAGES or messages.yml): re-read when the file changes."""
    return _fresh_messages.get(path or messages_path())


def suggestion_questions(messages: Dict[str, MessageTemplate]) -> Dict[str, str]:
    """What each button of the not-understood reply's suggestions sends, by label
    (`faq/<topic>` or an intent of SUGGESTED_INTENTS), where given in messages.yml."""
    questions = {f"faq/{topic}": text for topic, text in topic_questions(messages).items()}
    for intent in SUGGESTED_INTENTS:
        if intent_question_message(intent) in messages:
            questions[intent] = messages[intent_question_message(intent)].text
    return questions


def topic_questions(messages: Dict[str, MessageTemplate]) -> Dict[str, str]:
    """Each FAQ topic's button question (messages.yml, topic_question_<topic>), where given."""
    return {
        topic: messages[question_message(topic)].text for topic in FAQ_TOPICS if question_message(topic) in messages
    }


def clinic_placeholders(
    settings: ClinicSettings, messages: Optional[Dict[str, MessageTemplate]] = None
) -> Dict[str, str]:
    """The clinic's details for every message and response: the ONE place they are built."""
    details = {
        "clinic_name": settings.name,
        "clinic_phone": settings.phone,
        "clinic_address": settings.address,
        "clinic_hours": describe_week(settings),
        "clinic_booking_url": settings.booking_url,
        "clinic_emergency_number": settings.emergency_number,
    }
    prices = describe_prices(settings)
    if prices is None:
        # Said honestly, in the staff's own words: the article gives no price.
        template = (messages or load_messages())[PRICES_NOT_LISTED]
        prices = template.text.format_map(details)
    return {**details, "clinic_prices": prices}


def render(
    message_name: str,
    settings: ClinicSettings,
    /,
    messages: Optional[Dict[str, MessageTemplate]] = None,
    **values: Any,
) -> Message:
    """Message `message_name` with the clinic's details and `values` filled in."""
    messages = messages or load_messages()
    try:
        template = messages[message_name]
    except KeyError:
        raise MessageError(f"messages.yml has no message '{message_name}'") from None
    missing = [name for name in template.values if values.get(name) is None]
    if missing:
        raise MessageError(f"message '{message_name}' needs {', '.join(missing)}")
    known = {**clinic_placeholders(settings, messages), **{k: str(v) for k, v in values.items()}}
    unknown = [p for p in placeholders(template.text) if p not in known]
    if unknown:
        raise MessageError(f"message '{message_name}' has unknown placeholder(s) {', '.join(unknown)}")
    return Message(template.text.format_map(known), template.buttons)


def render_reason(reason: Reason, settings: ClinicSettings) -> str:
    """The sentence that explains `reason` to the visitor."""
    return render(reason.code, settings, None, **dict(reason.values)).text


def unfillable_placeholders(template: MessageTemplate) -> List[str]:
    """Placeholders in a message that neither the clinic nor its sender can fill."""
    allowed = set(CLINIC_PLACEHOLDERS) | set(template.values)
    return [p for p in placeholders(template.text) if p not in allowed]
