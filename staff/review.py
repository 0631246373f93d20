"""Review what visitors asked that the assistant could not answer, and teach it.

    python -m staff review                      list unanswered questions, grouped, newest first
    python -m staff review --export review.csv  the same, as a file to label
    python -m staff review --apply review.csv   add the labelled ones to the training files

Staff write a topic key (e.g. `cost`, see shared/spec/faq-topics.md) or an intent name
(e.g. `book_appointment`, `out_of_scope`) in the `topic` column; rows left empty are skipped.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, TextIO, Tuple

from staff.masking import mask_personal_data
from storage.conversations import FALLBACK_ACTIONS, Conversation, VisitorMessage
from training_data.nlu_files import IntentBlock, append_examples, nlu_files, normalise, read_all

DEFAULT_THRESHOLD = 0.7
REASON_FALLBACK = "not understood"
REASON_OUT_OF_SCOPE = "off-topic"
REASON_BEYOND = "not in the article"
REASON_LOW = "unsure"
EXPORT_FIELDS = ("topic", "message", "times_asked", "last_asked", "why_listed", "assistant_guess")
# Characters a YAML file may not hold (YAML's printable set, negated): a labelled message is
# written into the training files as it is.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class ReviewItem:
    message: str  # masked, as most recently asked
    key: str
    times_asked: int = 0
    last_asked: float = 0.0
    reasons: List[str] = field(default_factory=list)
    guess: str = ""
    guesses: Tuple[str, ...] = ()  # the model's best two labels for the latest asking

    @property
    def last_asked_text(self) -> str:
        return datetime.fromtimestamp(self.last_asked, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def why_unanswered(message: VisitorMessage, threshold: float) -> Optional[str]:
    """Why this visitor message counts as not answered, or None if it was answered."""
    if message.is_button or message.requested_slot:
        return None  # a button click or an answer to a form question (personal data)
    if message.intent == "nlu_fallback" or message.next_action in FALLBACK_ACTIONS:
        return REASON_FALLBACK
    if message.intent == "out_of_scope":
        return REASON_OUT_OF_SCOPE
    if message.intent == "ask_beyond_article":
        return REASON_BEYOND
    confidence = message.confidence
    if message.topic_confidence is not None:
        confidence = min(confidence, message.topic_confidence)
    if confidence < threshold:
        return REASON_LOW
    return None


def collect(
    conversations: Iterable[Conversation], threshold: float = DEFAULT_THRESHOLD, region: str = "US"
) -> List[ReviewItem]:
    """Unanswered visitor messages grouped by their wording, newest first."""
    items: Dict[str, ReviewItem] = {}
    for conversation in conversations:
        for message in conversation.messages:
            reason = why_unanswered(message, threshold)
            if reason is None:
                continue
            masked = mask_personal_data(message.text, region)
            key = normalise(masked)
            if not key:
                continue
            item = items.setdefault(key, ReviewItem(message=masked, key=key))
            item.times_asked += 1
            if message.timestamp >= item.last_asked:
                item.last_asked, item.message = message.timestamp, masked
                item.guess = f"{message.label} ({message.confidence:.2f})"
                item.guesses = message.guesses
            if reason not in item.reasons:
                item.reasons.append(reason)
    return sorted(items.values(), key=lambda i: (i.last_asked, i.times_asked), reverse=True)


def format_list(items: Sequence[ReviewItem]) -> str:
    if not items:
        return "No unanswered questions in the conversation store."
    lines = [f"{len(items)} unanswered question(s), newest first:", ""]
    for item in items:
        lines.append(f"{item.times_asked:>3}x  {item.last_asked_text}  [{', '.join(item.reasons)}]  {item.message}")
        lines.append(f"      assistant's guess: {item.guess}")
    return "\n".join(lines)


def export(items: Sequence[ReviewItem], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for item in items:
        writer.writerow(
            ["", _cell(item.message), item.times_asked, item.last_asked_text, "; ".join(item.reasons), item.guess]
        )
    return len(items)


def _cell(text: str) -> str:
    """A message as a cell any CSV reader takes back: no NUL, and a lone surrogate as "?"."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


class LabelError(ValueError):
    pass


@dataclass
class ApplyResult:
    added: Dict[str, List[str]] = field(default_factory=dict)  # intent -> new examples
    duplicates: List[Tuple[str, str]] = field(default_factory=list)  # (message, where it is already)
    skipped_unlabelled: int = 0

    @property
    def added_count(self) -> int:
        return sum(len(v) for v in self.added.values())


def resolve_label(label: str, blocks: Dict[str, IntentBlock]) -> str:
    """The intent a staff label means: `cost` and `faq/cost` are the FAQ topic; else an intent."""
    label = label.strip()
    for candidate in (label, f"faq/{label}"):
        if candidate in blocks:
            return candidate
    topics = sorted(k[len("faq/") :] for k in blocks if k.startswith("faq/"))
    others = sorted(k for k in blocks if not k.startswith("faq/") and k != "inform")
    raise LabelError(
        f"unknown topic {label!r}; use a FAQ topic ({', '.join(topics)}) or an intent ({', '.join(others)})"
    )


def read_labels(source: TextIO) -> List[Tuple[int, str, str]]:
    """(line, label, message) for each labelled row of an exported review file."""
    reader = csv.DictReader(source)
    rows = []
    try:
        # A spreadsheet's "CSV UTF-8" starts with a byte-order mark: not part of the first name.
        reader.fieldnames = [name.lstrip("\ufeff") for name in reader.fieldnames or []]
        missing = {"topic", "message"} - set(reader.fieldnames)
        if missing:
            raise LabelError(f"the file has no {' or '.join(sorted(missing))} column; export it with --export first")
        for row in reader:
            rows.append((reader.line_num, (row.get("topic") or "").strip(), (row.get("message") or "").strip()))
    except UnicodeDecodeError:
        raise LabelError(f"line {reader.line_num + 1}: the file is not UTF-8 text; save it as CSV UTF-8") from None
    except csv.Error as error:
        raise LabelError(f"line {reader.line_num}: the file is not readable as CSV ({error})") from None
    return rows


def apply_labels(source: TextIO, data_dir: Path) -> ApplyResult:
    """Add the labelled rows of an exported review file to the training files."""
    return apply_label_rows(read_labels(source), data_dir)


def apply_label_rows(rows: Sequence[Tuple[int, str, str]], data_dir: Path) -> ApplyResult:
    """Add (line, label, message) rows to the training files; the CLI and the console's Teach page.

    Checks every row first: one bad row, nothing written.
    """
    blocks = read_all(nlu_files(data_dir))
    existing = {normalise(e.text): (b.intent, b.path, e.line) for b in blocks.values() for e in b.examples}
    result = ApplyResult()
    plan: Dict[str, List[str]] = {}
    errors = []
    for line, label, message in rows:
        message = " ".join(message.split())  # one line in the training file, whatever breaks it held
        if not label or label.lower() == "skip":
            result.skipped_unlabelled += 1
            continue
        if not message:
            errors.append(f"line {line}: a topic but no message")
            continue
        if _NOT_YAML.search(message):
            errors.append(f"line {line}: the message holds control characters; leave its topic empty")
            continue
        if "[phone]" in message or "[email]" in message:
            errors.append(f"line {line}: the message holds masked personal data; leave its topic empty")
            continue
        try:
            intent = resolve_label(label, blocks)
        except LabelError as error:
            errors.append(f"line {line}: {error}")
            continue
        key = normalise(message)
        if key in existing:
            where_intent, path, where_line = existing[key]
            result.duplicates.append((message, f"{where_intent} ({path.relative_to(data_dir.parent)}:{where_line})"))
            continue
        existing[key] = (intent, blocks[intent].path, 0)
        plan.setdefault(intent, []).append(message)
    if errors:
        raise LabelError("nothing was added:\n  " + "\n  ".join(errors))
    # Later blocks first, so earlier line numbers in the same file stay right.
    for intent in sorted(plan, key=lambda i: (str(blocks[i].path), -blocks[i].line)):
        append_examples(blocks[intent], plan[intent])
    result.added = plan
    return result
