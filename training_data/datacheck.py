"""Checks staff run after editing answers, training examples or settings (`make check`).

Each problem names its file and line and says what to do. Rasa's own `rasa data validate`
runs beside these (ops/check.py); these catch what it does not.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import phonenumbers
import yaml

from clinic.texts import MessageError, parse_messages, suggestion_questions
from clinic.topics import CHOICE_SLOTS, FAQ_TOPICS, intent_question_message, question_message
from training_data.nlu_files import Example, IntentBlock, nlu_files, normalise, read_all

MIN_FAQ_EXAMPLES = 20
MIN_INTENT_EXAMPLES = 10
_PRICE = re.compile(r"[$€£¥]\s?\d|\b\d+(?:[.,]\d+)?\s?(?:dollars?|euros?|pounds?|usd|eur|gbp|aud|cad)\b", re.IGNORECASE)
_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w.-]*\s+){1,3}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|place|pl)\b",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_PAYLOAD = re.compile(r"^\s*-?\s*payload:\s*(?P<value>.+?)\s*$")
_INTENT_PAYLOAD = re.compile(r"^/(?P<intent>[\w/-]+)(?P<entities>\{.*\})?$", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    fix: str

    def format(self, root: Path) -> str:
        try:
            where = self.path.relative_to(root)
        except ValueError:
            where = self.path
        return f"{where}:{self.line}: {self.message}\n    what to do: {self.fix}"


def duplicate_examples(blocks: Dict[str, IntentBlock]) -> List[Problem]:
    """The same example (ignoring case, spacing and end punctuation) under two intents or twice in one."""
    problems = []
    seen: Dict[str, Tuple[IntentBlock, Example]] = {}
    for block in blocks.values():
        for example in block.examples:
            key = normalise(example.text)
            if key not in seen:
                seen[key] = (block, example)
                continue
            first_block, first = seen[key]
            where = f"{first_block.path.name}:{first.line}"
            if first_block.intent == block.intent:
                problems.append(
                    Problem(
                        block.path,
                        example.line,
                        f"'{example.text}' is listed twice under {block.intent} (also at {where})",
                        "delete one of the two lines",
                    )
                )
            else:
                problems.append(
                    Problem(
                        block.path,
                        example.line,
                        f"'{example.text}' is under {block.intent} and also under {first_block.intent} ({where})",
                        "keep it only under the topic it belongs to; the model cannot learn both",
                    )
                )
    return problems


def too_few_examples(blocks: Dict[str, IntentBlock]) -> List[Problem]:
    problems = []
    for block in blocks.values():
        needed = MIN_FAQ_EXAMPLES if block.intent.startswith("faq/") else MIN_INTENT_EXAMPLES
        if len(block.examples) < needed:
            problems.append(
                Problem(
                    block.path,
                    block.line,
                    f"{block.intent} has {len(block.examples)} examples; it needs at least {needed}",
                    f"add {needed - len(block.examples)} or more different ways visitors ask this",
                )
            )
    return problems


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _looks_like_phone(text: str, region: str) -> bool:
    if any(True for _ in phonenumbers.PhoneNumberMatcher(text, region)):
        return True
    return any(sum(c.isdigit() for c in m.group()) >= 7 for m in _DIGIT_RUN.finditer(text))


def hard_coded_details(files: Iterable[Path], region: str, address: str) -> List[Problem]:
    """Phone numbers, prices and addresses typed into answers instead of coming from clinic.yml."""
    address_parts = [p.strip().lower() for p in address.split(",") if len(p.strip()) >= 6]
    problems = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _is_comment(line) or "payload:" in line:
                continue
            text = re.sub(r"\{[a-z_]+\}", " ", line)  # placeholders are fine
            if _looks_like_phone(text, region):
                problems.append(
                    Problem(
                        path,
                        number,
                        "a phone number is typed into this answer",
                        "write {clinic_phone} instead; the number lives in clinic.yml",
                    )
                )
            if _PRICE.search(text):
                problems.append(
                    Problem(
                        path,
                        number,
                        "a price is typed into this answer",
                        "write {clinic_prices} instead; prices live in clinic.yml",
                    )
                )
            lowered = text.lower()
            if _STREET.search(text) or any(part in lowered for part in address_parts):
                problems.append(
                    Problem(
                        path,
                        number,
                        "an address is typed into this answer",
                        "write {clinic_address} instead; the address lives in clinic.yml",
                    )
                )
    return problems


def _payload_value(raw: str) -> Optional[str]:
    try:
        value = yaml.safe_load(f"v: {raw}")["v"]
    except yaml.YAMLError:
        return None
    return value if isinstance(value, str) else None


_SLOT_PAYLOAD = re.compile(r"^\{(\w+)\}$")


def _slot_payload_problems(
    path: Path, number: int, slot: str, examples: Set[str], questions: Dict[str, str]
) -> List[Problem]:
    if slot not in CHOICE_SLOTS:  # the only slots a button may send: a topic's question
        return [
            Problem(
                path,
                number,
                f"the button sends the slot '{slot}', whose values this check cannot see",
                "send a question from the training data or an /intent instead",
            )
        ]
    missing = [
        Problem(
            path,
            number,
            f"the button has no question to send for the {topic} topic",
            f"add topic_question_{topic} to messages.yml, with a question from data/nlu/faq.yml",
        )
        for topic in FAQ_TOPICS
        if f"faq/{topic}" not in questions
    ]
    return missing + [
        Problem(
            path,
            number,
            f"the button can send '{question}' (messages.yml, {_entry_for(label)}), which is not a training example",
            "add it to data/nlu/ under its label, or change it in messages.yml",
        )
        for label, question in sorted(questions.items())
        if normalise(question) not in examples
    ]


def broken_buttons(
    files: Iterable[Path], intents: Set[str], entities: Set[str], examples: Set[str], questions: Dict[str, str]
) -> List[Problem]:
    """Button payloads that name no intent, carry bad entities, or send text the model never saw."""
    problems = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _PAYLOAD.match(line)
            if not match or _is_comment(line):
                continue
            payload = _payload_value(match.group("value"))
            if not payload:
                problems.append(
                    Problem(
                        path,
                        number,
                        "this button's payload is empty or not a quoted text",
                        'write it as payload: "/intent" or payload: "a question from the training data"',
                    )
                )
                continue
            slot = _SLOT_PAYLOAD.match(payload)
            if slot:
                problems += _slot_payload_problems(path, number, slot.group(1), examples, questions)
                continue
            if not payload.startswith("/"):
                if normalise(payload) not in examples:
                    problems.append(
                        Problem(
                            path,
                            number,
                            f"the button sends '{payload}', which is not a training example",
                            "use a question that is listed in data/nlu/ (or add it there)",
                        )
                    )
                continue
            intent_match = _INTENT_PAYLOAD.match(payload)
            if not intent_match or intent_match.group("intent") not in intents:
                name = intent_match.group("intent") if intent_match else payload
                problems.append(
                    Problem(
                        path,
                        number,
                        f"the button sends '{payload}' but there is no intent '{name}'",
                        f"use one of: {', '.join(sorted(i for i in intents if '/' not in i))}",
                    )
                )
                continue
            if intent_match.group("entities"):
                try:
                    values = json.loads(intent_match.group("entities"))
                    unknown = set(values) - entities if isinstance(values, dict) else {"(not an object)"}
                except ValueError:
                    unknown = {"(not valid JSON)"}
                if unknown:
                    problems.append(
                        Problem(
                            path,
                            number,
                            f"the button's entities {sorted(unknown)} are not in domain.yml",
                            f'write them as {{"entity": "value"}} with an entity from: {", ".join(sorted(entities))}',
                        )
                    )
    return problems


def response_files(root: Path) -> List[Path]:
    return sorted((root / "data" / "responses").rglob("*.yml")) + [root / "domain.yml", root / "messages.yml"]


def _entry_for(label: str) -> str:
    """The messages.yml entry holding a suggestion button's question for `label`."""
    return question_message(label[4:]) if label.startswith("faq/") else intent_question_message(label)


def _topic_questions(root: Path) -> Dict[str, str]:
    """What a button filled from the choice slots can send, by label (`faq/<topic>` or an intent)."""
    try:
        return suggestion_questions(parse_messages((root / "messages.yml").read_text(encoding="utf-8")))
    except (OSError, MessageError):  # make check reports a broken messages.yml on its own
        return {}


def run_all(root: Path, region: str, address: str) -> List[Problem]:
    blocks = read_all(nlu_files(root / "data"))
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    intents = set(domain.get("intents") or []) | set(blocks)
    entities = {e if isinstance(e, str) else next(iter(e)) for e in domain.get("entities") or []}
    examples = {normalise(e.text) for b in blocks.values() for e in b.examples}
    files = [p for p in response_files(root) if p.exists()]
    return (
        duplicate_examples(blocks)
        + too_few_examples(blocks)
        + hard_coded_details(files, region, address)
        + broken_buttons(files, intents, entities, examples, _topic_questions(root))
    )


def report(problems: Sequence[Problem], root: Path) -> str:
    return "\n".join(problem.format(root) for problem in problems)
