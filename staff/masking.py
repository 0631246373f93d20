"""Mask phone numbers and e-mail addresses in visitor text shown to staff."""

from __future__ import annotations

import re

import phonenumbers

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Digit runs that look like a phone number even where phonenumbers finds none.
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def _looks_like_phone(run: str) -> bool:
    return sum(ch.isdigit() for ch in run) >= 7 and not _ISO_DATE.match(run)


def mask_personal_data(text: str, region: str = "US") -> str:
    """`text` with e-mail addresses as [email] and phone numbers as [phone]."""
    text = _EMAIL.sub("[email]", text)
    spans = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    ]
    for start, end in reversed(spans):
        text = text[:start] + "[phone]" + text[end:]
    return _DIGIT_RUN.sub(lambda m: "[phone]" if _looks_like_phone(m.group()) else m.group(), text)
