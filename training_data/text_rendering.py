"""`make check` renders every text a visitor can see, with the real clinic settings.

A placeholder nobody fills ({clinic_adress}, or {reason} in a message whose sender gives no
reason), a stray brace, or a message missing from messages.yml would otherwise only show up
in a visitor's chat. Each problem names the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, List, Set, Tuple

import yaml

from clinic.settings import ClinicSettings
from clinic.texts import (
    CLINIC_PLACEHOLDERS,
    MessageError,
    clinic_placeholders,
    parse_messages,
    placeholders,
    render,
    unfillable_placeholders,
)
from training_data.datacheck import Problem

# Safety: a red flag's advice leads with the emergency number, before anything else.
LEADS_WITH = {"symptom_emergency": "clinic_emergency_number"}
_EXAMPLE_VALUE = "x"  # stands in for a value the sending code gives (a name, a time...)


def _response_texts(path: Path) -> Iterator[Tuple[str, int, str]]:
    """(response name, line, text) of every variation under `responses:` in a Rasa file."""
    document = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    if document is None or not isinstance(document, yaml.MappingNode):
        return
    for key, value in document.value:
        if key.value != "responses" or not isinstance(value, yaml.MappingNode):
            continue
        for name_node, variations in value.value:
            if not isinstance(variations, yaml.SequenceNode):
                continue
            for variation in variations.value:
                if not isinstance(variation, yaml.MappingNode):
                    continue
                for field, text in variation.value:
                    if field.value == "text" and isinstance(text, yaml.ScalarNode):
                        yield name_node.value, text.start_mark.line + 1, text.value


_FIX_BRACES = "check that every { has its } and the name between them is right"


def _braces(names: Iterable[str]) -> str:
    return "{" + "}, {".join(names) + "}"


def _unfilled(path: Path, line: int, what: str, unknown: List[str], allowed: str) -> Problem:
    return Problem(path, line, f"{what} uses {_braces(unknown)}, which nothing fills", f"use {allowed}")


def _unrenderable(path: Path, line: int, what: str, error: Exception) -> Problem:
    return Problem(path, line, f"{what} can't be filled in ({type(error).__name__}: {error})", _FIX_BRACES)


def response_problems(files: List[Path], slots: Set[str], settings: ClinicSettings) -> List[Problem]:
    """Responses (domain.yml, data/responses) get the clinic's details and other slots."""
    values = {slot: _EXAMPLE_VALUE for slot in slots}
    values.update(clinic_placeholders(settings))
    allowed = f"one of {_braces(CLINIC_PLACEHOLDERS)} (from clinic.yml), or a slot of domain.yml"
    problems = []
    for path in files:
        for name, line, text in _response_texts(path):
            what = f"response '{name}'"
            try:
                unknown = [p for p in placeholders(text) if p not in values]
                if unknown:
                    problems.append(_unfilled(path, line, what, unknown, allowed))
                else:
                    text.format_map(values)
            except (KeyError, ValueError, IndexError, AttributeError) as error:
                problems.append(_unrenderable(path, line, what, error))
    return problems


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def message_problems(path: Path, settings: ClinicSettings) -> List[Problem]:
    """messages.yml: every message renders with the clinic's details and its declared values."""
    try:
        messages = parse_messages(path.read_text(encoding="utf-8"), path)
    except MessageError as error:
        where, _, what = str(error).partition(": ")
        line = int(where.rsplit(":", 1)[1]) if where.rsplit(":", 1)[-1].isdigit() else 1
        return [Problem(path, line, what or str(error), "fix the entry as the file's header comment describes")]
    problems = []
    for name, placeholder in LEADS_WITH.items():
        template = messages.get(name)
        if template is not None and f"{{{placeholder}}}" not in first_sentence(template.text):
            problems.append(
                Problem(
                    path,
                    template.line,
                    f"message '{name}' must send the visitor to {{{placeholder}}} in its first sentence",
                    f"start it like: Please call {{{placeholder}}} now.",
                )
            )
    for name, template in messages.items():
        what = f"message '{name}'"
        allowed = f"the clinic's {_braces(CLINIC_PLACEHOLDERS)}" + (
            f" or this message's own {_braces(template.values)}" if template.values else ""
        )
        try:
            unknown = unfillable_placeholders(template)
            if unknown:
                problems.append(_unfilled(path, template.line, what, unknown, allowed))
            else:
                render(name, settings, messages, **{value: _EXAMPLE_VALUE for value in template.values})
        except (MessageError, KeyError, ValueError, IndexError) as error:
            problems.append(_unrenderable(path, template.line, what, error))
    return problems


def domain_slots(domain_path: Path) -> Set[str]:
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    return set(domain.get("slots") or {})


def text_problems(root: Path, settings: ClinicSettings) -> List[Problem]:
    responses = sorted((root / "data" / "responses").rglob("*.yml")) + [root / "domain.yml"]
    return response_problems([p for p in responses if p.exists()], domain_slots(root / "domain.yml"), settings) + (
        message_problems(root / "messages.yml", settings) if (root / "messages.yml").exists() else []
    )
