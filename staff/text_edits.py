"""Answers and other messages edited in the console: listed with plain names, checked by the same
data checks as `make check`, previewed with the real settings, saved atomically.

Two kinds of text: FAQ answers (data/responses/faq.yml) are part of the trained model, so a
saved answer goes live through training; messages.yml is read by the running assistant and
is live at once.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, cast

import yaml

from clinic.paths import REPO_ROOT, messages_path
from clinic.settings import ClinicSettings
from clinic.texts import CLINIC_PLACEHOLDERS, clinic_placeholders, parse_messages, placeholders
from clinic.topics import FAQ_TOPICS, TOPIC_NAMES
from staff.file_edits import EditConflictError, read_versioned, write_atomically
from training_data.datacheck import hard_coded_details
from training_data.text_rendering import domain_slots, message_problems, response_problems

MAX_TEXT_CHARS = 1000
ANSWERS = "answers"
REPLIES = "replies"  # the short fixed replies in domain.yml (greeting, goodbye...): trained like answers
MESSAGES = "messages"
KINDS = (ANSWERS, REPLIES, MESSAGES)
# What the other messages are for, in the words staff use; names not listed show as they are.
MESSAGE_TITLES = {
    "handoff_open": "Asking for a person, while the clinic is open",
    "handoff_closed": "Asking for a person, while the clinic is closed",
    "symptom_emergency": "After-treatment report with a red flag",
    "symptom_call_clinic": "Other after-treatment worry",
    "prices_not_listed": "Prices, when none are listed in Clinic details",
    "rephrase_with_choices": "Did not understand (first time), with the likely questions as buttons",
}
REPLY_TITLES = {
    "utter_greet": "Greeting",
    "utter_goodbye": "Goodbye",
    "utter_you_are_welcome": "After a thank-you",
    "utter_iamabot": "Asked whether it's a bot",
    "utter_out_of_scope": "A question that has nothing to do with the clinic",
    "utter_beyond_article": "A question the clinic's article does not answer",
    "utter_ask_rephrase": "Did not understand (first time)",
    "utter_offer_human": "Did not understand again: offering a person",
    "utter_anything_else": "Anything else?",
    "utter_keep_asking": "Inviting more questions",
}


class TextEditError(ValueError):
    """The text can't be saved; the message says why in plain words."""


@dataclass(frozen=True)
class EditableText:
    kind: str  # ANSWERS or MESSAGES
    key: str  # topic key or message name
    title: str
    text: str
    own_values: Tuple[str, ...]  # placeholders the sending code fills (messages only)
    version: str  # of the whole file, for edit conflicts

    @property
    def placeholders(self) -> List[str]:
        return [*CLINIC_PLACEHOLDERS, *self.own_values]

    @property
    def goes_live_by_training(self) -> bool:
        return self.kind in (ANSWERS, REPLIES)


def answers_path(root: Path = REPO_ROOT) -> Path:
    return root / "data" / "responses" / "faq.yml"


def path_of(kind: str, root: Path = REPO_ROOT) -> Path:
    return {ANSWERS: answers_path(root), REPLIES: root / "domain.yml"}.get(kind) or messages_path()


def list_texts(kind: str, root: Path = REPO_ROOT) -> List[EditableText]:
    source, version = read_versioned(path_of(kind, root))
    if kind == ANSWERS:
        responses = yaml.safe_load(source).get("responses") or {}
        return [
            EditableText(
                ANSWERS, topic, TOPIC_NAMES[topic], str(responses[f"utter_faq/{topic}"][0]["text"]), (), version
            )
            for topic in FAQ_TOPICS
            if f"utter_faq/{topic}" in responses
        ]
    if kind == REPLIES:
        responses = yaml.safe_load(source).get("responses") or {}
        return [
            EditableText(
                REPLIES,
                name,
                REPLY_TITLES.get(name, name.removeprefix("utter_").replace("_", " ").capitalize()),
                str(variations[0]["text"]),
                (),
                version,
            )
            for name, variations in responses.items()
            if variations and isinstance(variations[0], dict) and "text" in variations[0]
        ]
    messages = parse_messages(source, path_of(kind, root))
    return [
        EditableText(
            MESSAGES, name, MESSAGE_TITLES.get(name, name.replace("_", " ").capitalize()), t.text, t.values, version
        )
        for name, t in messages.items()
    ]


def find_text(kind: str, key: str, root: Path = REPO_ROOT) -> Optional[EditableText]:
    if kind not in KINDS:
        return None
    return next((t for t in list_texts(kind, root) if t.key == key), None)


def _with_text(kind: str, key: str, text: str, source: str) -> str:
    """The file's content with one text replaced; every other byte stays as it was."""
    node = _text_node(kind, key, source)
    start, end = node.start_mark.index, node.end_mark.index
    # A JSON string is a valid YAML double-quoted scalar: quotes, backslashes and newlines escaped.
    return source[:start] + json.dumps(text, ensure_ascii=False) + source[end:]


def _text_node(kind: str, key: str, source: str) -> yaml.ScalarNode:
    def child(node: yaml.Node, name: str) -> yaml.Node:
        if isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                if key_node.value == name:
                    return cast(yaml.Node, value)
        raise TextEditError(f"There is no text called {key!r}.")

    def first(node: yaml.Node) -> yaml.Node:
        if isinstance(node, yaml.SequenceNode) and node.value:
            return cast(yaml.Node, node.value[0])
        raise TextEditError(f"There is no text called {key!r}.")

    document = yaml.compose(source, Loader=yaml.SafeLoader)
    if document is None:
        raise TextEditError("The file is empty.")
    if kind == ANSWERS:
        node = child(first(child(child(document, "responses"), f"utter_faq/{key}")), "text")
    elif kind == REPLIES:
        node = child(first(child(child(document, "responses"), key)), "text")
    else:
        node = child(child(document, key), "text")
    if not isinstance(node, yaml.ScalarNode):
        raise TextEditError(f"The text of {key!r} is not a plain text.")
    return node


def problems_with(kind: str, key: str, text: str, settings: ClinicSettings, root: Path = REPO_ROOT) -> List[str]:
    """What `make check` would say about the file with this text in it, in plain words."""
    text = text.strip()
    if not text:
        return ["The text is empty. Write what visitors should read."]
    if len(text) > MAX_TEXT_CHARS:
        return [f"The text is {len(text)} characters long; keep it under {MAX_TEXT_CHARS} (about three sentences)."]
    path = path_of(kind, root)
    candidate = _with_text(kind, key, text, path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        copy.write_text(candidate, encoding="utf-8")
        found = hard_coded_details([copy], settings.phone_region, settings.address)
        if kind == ANSWERS:
            found += response_problems([copy], set(), settings)
        elif kind == REPLIES:
            found += response_problems([copy], domain_slots(copy), settings)
        else:
            found += message_problems(copy, settings)
    return [f"{problem.message[:1].upper()}{problem.message[1:]}: {problem.fix}." for problem in found]


def preview(editable: EditableText, text: str, settings: ClinicSettings) -> str:
    """The text as a visitor would read it; the sender's own values shown as [name]."""
    values: Dict[str, Any] = dict(clinic_placeholders(settings))
    values.update({name: f"[{name}]" for name in editable.own_values})
    known = {name: values.get(name, "{" + name + "}") for name in placeholders(text)}
    try:
        return text.format_map(known)
    except (ValueError, IndexError, KeyError, AttributeError):
        return text


def save_text(kind: str, key: str, text: str, version: str, original: str, root: Path = REPO_ROOT) -> Tuple[str, str]:
    """Write one text into its file; returns (old text, new version).

    `version` is the file as the editor opened it and `original` the text they started from.
    If someone saved *another* text of the file meanwhile, this one is still saved on top
    of theirs; if someone changed *this* text, file_edits.EditConflictError is raised.
    """
    path = path_of(kind, root)
    current = find_text(kind, key, root)
    if current is None:
        raise TextEditError(f"There is no text called {key!r}.")
    if current.version != version:
        if current.text.strip() != original.strip():
            raise EditConflictError(f"{current.title} was changed by someone else since you opened it")
        version = current.version  # only other texts changed: nothing of theirs is lost
    new_version = write_atomically(path, _with_text(kind, key, text.strip(), path.read_text(encoding="utf-8")), version)
    return current.text, new_version
