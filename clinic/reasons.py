"""Why a visitor's answer can't be used, as a code with values; the words are in messages.yml."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class Reason:
    """`code` names a message in messages.yml; `values` fill its placeholders."""

    code: str
    values: Mapping[str, str] = field(default_factory=dict)
