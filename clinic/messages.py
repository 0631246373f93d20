"""Texts that custom actions send, from messages.yml, filled in from the clinic settings.

They live outside domain.yml because Rasa's validator warns about any response that no
story or rule uses, and these are sent by actions, not by stories.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml

from clinic.hours import describe_week
from clinic.settings import ClinicSettings

MESSAGES_PATH = Path(__file__).resolve().parent.parent / "messages.yml"


class MessageError(ValueError):
    """messages.yml is malformed, or a message needs a value nobody gave."""


@dataclass(frozen=True)
class Message:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


@lru_cache(maxsize=4)
def load_messages(path: Path = MESSAGES_PATH) -> Dict[str, Message]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, Mapping):
        raise MessageError(f"{path}: expected a mapping of message names")
    messages = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("text"), str):
            raise MessageError(f"{path}: message '{name}' needs a text")
        buttons = entry.get("buttons") or []
        if not all(isinstance(b, Mapping) and b.get("title") and b.get("payload") for b in buttons):
            raise MessageError(f"{path}: every button of '{name}' needs a title and a payload")
        messages[name] = Message(entry["text"], [dict(b) for b in buttons])
    return messages


def placeholders(text: str) -> List[str]:
    return [field_name for _, field_name, _, _ in string.Formatter().parse(text) if field_name]


def render(
    message_name: str, settings: ClinicSettings, /, messages: Optional[Dict[str, Message]] = None, **values: Any
) -> Message:
    """Message `message_name` with clinic details and `values` filled in."""
    template = (messages or load_messages())[message_name]
    known = {
        "clinic_name": settings.name,
        "clinic_phone": settings.phone,
        "clinic_hours": describe_week(settings),
        "clinic_booking_url": settings.booking_url,
        "clinic_emergency_number": settings.emergency_number,
        **values,
    }
    missing = [p for p in placeholders(template.text) if p not in known]
    if missing:
        raise MessageError(f"message '{message_name}' needs {', '.join(missing)}")
    return Message(template.text.format_map(known), template.buttons)
