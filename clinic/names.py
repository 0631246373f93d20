"""A visitor's name from what they typed in answer to "What's your name?"."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import List, Optional, Sequence, Union

from clinic.reasons import Reason

MAX_NAME_CHARS = 80
MAX_NAME_WORDS = 5
_INTRO = re.compile(
    r"^(?:hi|hello|hey)?[,!\s]*(?:my name is|my name's|name is|name's|i am|i'm|im|it's|its|this is|call me)\s+",
    re.IGNORECASE,
)
# A name is letters (any script), with spaces, hyphens, apostrophes and dots between them. It is
# matched on the name's shape (_shape): every letter, with its combining marks ("é" written as
# e + U+0301, Hindi vowel signs), is "a"; a separator is itself; anything else fails.
_NAME_PATTERN = re.compile(r"^a+(?:[ '’\-.]+a+)*\.?\Z")
_SEPARATORS = " '’-."
# Words that show the text is a sentence or a reply, not a name.
_NOT_NAME_WORDS = {
    "yes",
    "no",
    "yeah",
    "nope",
    "ok",
    "okay",
    "sure",
    "what",
    "why",
    "how",
    "when",
    "where",
    "who",
    "the",
    "is",
    "are",
    "was",
    "do",
    "does",
    "did",
    "can",
    "could",
    "would",
    "should",
    "will",
    "you",
    "your",
    "it",
    "this",
    "that",
    "a",
    "an",
    "to",
    "of",
    "for",
    "and",
    "or",
    "not",
    "dont",
    "don't",
    "want",
    "book",
    "booking",
    "appointment",
    "cancel",
    "stop",
    "help",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "please",
    "me",
    "my",
    "micro",
    "needling",
    "microneedling",
    "price",
    "cost",
    "weather",
    "none",
    "nothing",
    "idk",
    "anonymous",
}


@dataclass(frozen=True)
class ValidName:
    name: str


class NameProblem(Reason):
    """name_empty, name_too_long, name_not_letters or name_not_a_name."""


def parse_name(text: str, person_entities: Sequence[str] = ()) -> Union[ValidName, NameProblem]:
    """The name in `text`; `person_entities` are spaCy PERSON spans found in it, if any."""
    raw = unicodedata.normalize("NFC", " ".join((text or "").split()))
    if not raw:
        return NameProblem("name_empty")
    candidate = _from_entities(person_entities) or _INTRO.sub("", raw).strip(" .,!")
    if len(candidate) > MAX_NAME_CHARS or len(candidate.split()) > MAX_NAME_WORDS:
        return NameProblem("name_too_long")
    if not _NAME_PATTERN.match(_shape(candidate)):
        return NameProblem("name_not_letters")
    if any(word.lower().strip(".'’") in _NOT_NAME_WORDS for word in candidate.split()):
        return NameProblem("name_not_a_name")
    return ValidName(_tidy(candidate))


def _shape(text: str) -> str:
    shape: List[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category.startswith("M") and shape[-1:] == ["a"]:
            continue  # a mark belongs to the letter before it
        shape.append("a" if category.startswith("L") else ch if ch in _SEPARATORS else "#")
    return "".join(shape)


def _from_entities(entities: Sequence[str]) -> Optional[str]:
    names = [unicodedata.normalize("NFC", e.strip()) for e in entities if e and e.strip()]
    return names[0] if len(names) == 1 else None


def _tidy(name: str) -> str:
    # Capitalise all-lowercase input ("jane doe"), but keep deliberate casing ("McDonald").
    if name.islower():
        return " ".join(part[:1].upper() + part[1:] for part in name.split(" "))
    return name
