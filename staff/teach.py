"""The console's Teach page: questions the assistant missed, with its two best guesses, labelled
by staff from plain names and added to the training data by the same code as the CLI.

Nothing is typed by hand: a label is a topic or intent chosen from TEACHABLE, or "ignore",
which hides the question from the list for good (remembered under var/).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Set, Tuple

from clinic.paths import VAR_DIR
from clinic.topics import FAQ_TOPICS, TOPIC_NAMES
from staff import review
from storage.conversations import Conversation
from training_data.nlu_files import nlu_files, normalise, read_all

IGNORE = "ignore"
LATER = ""
# What staff can teach, by the names they read: every FAQ topic, then the other intents
# a missed question can belong to.
TEACHABLE: Dict[str, str] = {
    **{f"faq/{topic}": TOPIC_NAMES[topic] for topic in FAQ_TOPICS},
    "book_appointment": "Wants to book a visit",
    "request_human": "Wants to talk to a person",
    "request_callback": "Wants a call-back",
    "report_symptom": "Reports a problem after a treatment",
    "ask_beyond_article": "About skin care, but not in the clinic's article",
    "ask_clinic_details": "Asks for the clinic's hours, address or phone",
    "out_of_scope": "Nothing to do with the clinic",
    "greet": "Greeting",
    "thanks": "Thanks",
    "goodbye": "Goodbye",
}
PERIODS = {"7": "the last 7 days", "30": "the last 30 days", "90": "the last 90 days"}


@dataclass(frozen=True)
class TeachItem:
    key: str  # the normalised wording: what groups the same question asked many ways
    message: str  # masked, as most recently asked
    times_asked: int
    last_asked: float
    reasons: Tuple[str, ...]
    guesses: Tuple[Tuple[str, str], ...]  # (label, plain name), best first


class IgnoredQuestions:
    """Wordings staff chose to ignore; kept in a small JSON file beside the databases."""

    def __init__(self, path: Path = VAR_DIR / "teach_ignored.json") -> None:
        self.path = path

    def keys(self) -> Set[str]:
        try:
            return set(json.loads(self.path.read_text()))
        except (OSError, ValueError):
            return set()

    def add(self, keys: Iterable[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(sorted(self.keys() | set(keys))))


def missed_questions(
    conversations: Iterable[Conversation],
    data_dir: Path,
    ignored: Set[str],
    region: str = "US",
    threshold: float = review.DEFAULT_THRESHOLD,
) -> List[TeachItem]:
    """Missed questions grouped by wording, most asked first; known or ignored ones left out."""
    known = {normalise(e.text) for block in read_all(nlu_files(data_dir)).values() for e in block.examples}
    items = []
    for item in review.collect(conversations, threshold, region):
        if item.key in known or item.key in ignored or "[phone]" in item.message or "[email]" in item.message:
            continue
        guesses = tuple((label, TEACHABLE[label]) for label in item.guesses if label in TEACHABLE)
        items.append(TeachItem(item.key, item.message, item.times_asked, item.last_asked, tuple(item.reasons), guesses))
    return sorted(items, key=lambda i: (i.times_asked, i.last_asked), reverse=True)


@dataclass(frozen=True)
class Taught:
    labelled: Dict[str, List[str]]  # label -> messages added to the training data
    ignored: List[str]
    already_known: int

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.labelled.values())


def teach(choices: Mapping[str, str], items: Iterable[TeachItem], data_dir: Path, ignored: IgnoredQuestions) -> Taught:
    """Apply staff's choices (wording key -> label, IGNORE or LATER) to the training files.

    Raises review.LabelError (nothing written) for a label not in TEACHABLE.
    """
    by_key = {item.key: item for item in items}
    rows: List[Tuple[int, str, str]] = []
    ignore: List[str] = []
    for number, (key, label) in enumerate(choices.items(), start=1):
        item = by_key.get(key)
        if item is None or label == LATER:
            continue
        if label == IGNORE:
            ignore.append(key)
        elif label in TEACHABLE:
            rows.append((number, label, item.message))
        else:
            raise review.LabelError(f"{label!r} is not a topic in the list")
    result = review.apply_label_rows(rows, data_dir)
    if ignore:
        ignored.add(ignore)
    return Taught(result.added, [by_key[k].message for k in ignore], len(result.duplicates))


def since(period: str, now: float | None = None) -> float:
    days = int(period) if period in PERIODS else 30
    return (now or time.time()) - days * 86400
