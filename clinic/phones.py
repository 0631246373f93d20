"""Visitors' phone numbers: parse in the clinic's region, store as E.164."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import phonenumbers

from clinic.reasons import Reason


@dataclass(frozen=True)
class ValidPhone:
    e164: str


class PhoneProblem(Reason):
    """phone_empty, phone_no_digits, phone_unreadable or phone_invalid."""


def example_number(region: str) -> str:
    """A number in the region's national format, to show in a re-ask."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return "+1 212 555 0123"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)


def parse_phone(text: str, region: str) -> Union[ValidPhone, PhoneProblem]:
    """A visitor's phone number, read with `region` as the default country."""
    raw = (text or "").strip()
    if not raw:
        return PhoneProblem("phone_empty")
    if not any(ch.isdigit() for ch in raw):
        return PhoneProblem("phone_no_digits")
    try:
        # Leniency: visitors write "call me on 212 555 0123 please"; find the number in it.
        matches = list(phonenumbers.PhoneNumberMatcher(raw, region, leniency=phonenumbers.Leniency.POSSIBLE))
        parsed = matches[0].number if matches else phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return PhoneProblem("phone_unreadable")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    # E.164 allows 15 digits at most; phonenumbers takes longer German numbers as valid.
    if not phonenumbers.is_valid_number(parsed) or len(e164) > 16:
        return PhoneProblem("phone_invalid")
    return ValidPhone(e164)
