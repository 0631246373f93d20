"""Sorts a visitor's report of a problem after treatment into urgent or not.

The assistant never diagnoses and never says a symptom is fine: both outcomes tell the
visitor to call someone now. This only decides whether that someone is the emergency
number (signs the article's list does not cover and that can be dangerous) or the
doctor/clinic (the article: "Call your doctor if you experience ... bleeding, bruising,
infection, peeling"). When in doubt the wording errs towards urgent.
"""

from __future__ import annotations

import enum
import re
from typing import Pattern, Tuple


class Urgency(str, enum.Enum):
    EMERGENCY = "emergency"
    CALL_DOCTOR = "call_doctor"


# Signs that warrant the emergency number. Patterns are deliberately broad.
_EMERGENCY_SIGNS: Tuple[Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\b(heavy|heavily|lots? of|a lot of|profuse|so much|severe(ly)?)\b.{0,20}\bbleed",
        r"\bbleed\w*\b.{0,40}\b(won'?t|wont|doesn'?t|does not|not|can'?t|cannot|will not)\b.{0,10}\bstop",
        r"\b(can'?t|cannot|unable to|won'?t)\b.{0,15}\bstop\b.{0,20}\bbleed",
        r"\bfever|feverish|\bchills\b|high temperature",
        r"\bspread(ing|s)?\b.{0,25}\b(red|redness|rash|infection|swelling)|\b(red|redness|rash|infection|swelling)\b.{0,25}\bspread",
        r"\bred (streaks?|lines?)\b",
        r"\b(can'?t|cannot|hard to|trouble|difficulty|struggling to)\b.{0,12}\bbreath",
        r"\bshort(ness)? of breath\b",
        r"\b(throat|tongue|lips?)\b.{0,25}\bswell|\bswell\w*\b.{0,25}\b(throat|tongue|lips?)\b",
        r"\bfaint(ed|ing)?\b|\bpass(ed|ing)? out\b|\bdizzy\b|\bunconscious\b",
        r"\bchest pain\b",
        r"\b(eye|eyes|vision)\b.{0,30}\b(hurt|pain|blurr?y|can'?t see|swollen shut)",
        r"\bemergency\b",
    )
)


def assess_urgency(report: str) -> Urgency:
    """EMERGENCY when the report mentions a sign that needs the emergency number."""
    text = report or ""
    if any(pattern.search(text) for pattern in _EMERGENCY_SIGNS):
        return Urgency.EMERGENCY
    return Urgency.CALL_DOCTOR
