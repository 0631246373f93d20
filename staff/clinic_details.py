"""The Clinic details form: clinic.yml's fields as form values, checked by the assistant's own loader.

Saving keeps the file's comments and any fields the form does not show (the clinic's own
red flags), through ruamel.yaml's round trip (Rasa already depends on it).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from clinic.settings import WEEKDAYS, ClinicSettings, SettingsError, parse_settings
from staff.file_edits import read_versioned, write_atomically

TEXT_FIELDS = ("name", "phone", "phone_region", "address", "timezone", "booking_url", "emergency_number", "date_order")
PRICE_ROWS_EXTRA = 2  # empty rows under the clinic's prices, to add one
_FIELD_IN_ERROR = re.compile(r"field '([a-z_]+)(?:\.([a-z]+))?'")


@dataclass
class DetailsForm:
    """The form's values as text, exactly as staff typed them (to show them back on an error)."""

    values: Dict[str, str] = field(default_factory=dict)
    hours: Dict[str, Tuple[str, str, bool]] = field(default_factory=dict)  # day: (opens, closes, closed)
    prices: List[Tuple[str, str]] = field(default_factory=list)
    version: str = ""


@dataclass
class Validation:
    settings: Optional[ClinicSettings]
    errors: Dict[str, str]  # form field ("phone", "hours.monday", "prices") -> plain reason

    @property
    def ok(self) -> bool:
        return not self.errors


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments and order stay
    yaml.preserve_quotes = True  # type: ignore[assignment]
    yaml.width = 4096  # type: ignore[assignment]  # never fold long lines
    return yaml


def load_form(path: Path) -> DetailsForm:
    text, version = read_versioned(path)
    raw = _yaml().load(text) or {}
    hours: Dict[str, Tuple[str, str, bool]] = {}
    for day in WEEKDAYS:
        value = str((raw.get("opening_hours") or {}).get(day) or "closed")
        if value.strip().lower() == "closed" or "-" not in value:
            hours[day] = ("", "", True)
        else:
            opens, closes = (part.strip() for part in value.split("-", 1))
            # A time input cannot hold "24:00"; "00:00" as a closing time means the same.
            hours[day] = (opens.zfill(5), "00:00" if closes == "24:00" else closes.zfill(5), False)
    prices = [(str(p.get("item") or ""), str(p.get("price") or "")) for p in raw.get("prices") or []]
    values = {name: str(raw.get(name) if raw.get(name) is not None else "") for name in TEXT_FIELDS}
    return DetailsForm(values=values, hours=hours, prices=prices, version=version)


def form_from_post(post: Mapping[str, str]) -> DetailsForm:
    """The form as posted (each field at most a few hundred characters)."""

    def get(name: str, limit: int = 300) -> str:
        return str(post.get(name) or "").strip()[:limit]

    hours = {
        day: (get(f"{day}_opens", 5), get(f"{day}_closes", 5), bool(post.get(f"{day}_closed"))) for day in WEEKDAYS
    }
    prices = []
    for index in range(50):
        item, price = get(f"price_item_{index}", 120), get(f"price_price_{index}", 80)
        if item or price:
            prices.append((item, price))
    return DetailsForm(
        values={name: get(name) for name in TEXT_FIELDS}, hours=hours, prices=prices, version=get("version", 64)
    )


def _as_mapping(form: DetailsForm, keep: Mapping[str, Any]) -> Dict[str, Any]:
    """The settings mapping the form describes, with fields the form does not show kept."""
    raw: Dict[str, Any] = {
        key: value for key, value in keep.items() if key not in (*TEXT_FIELDS, "opening_hours", "prices")
    }
    for name in TEXT_FIELDS:
        if form.values.get(name) or name != "date_order":
            raw[name] = form.values.get(name, "")
    raw["phone_region"] = str(raw.get("phone_region", "")).upper()
    raw["opening_hours"] = {
        day: "closed" if closed else f"{opens}-{closes}" for day, (opens, closes, closed) in form.hours.items()
    }
    raw["prices"] = [{"item": item, "price": price} for item, price in form.prices]
    return raw


def validate(form: DetailsForm, keep: Mapping[str, Any], fallback: Mapping[str, Any]) -> Validation:
    """Check the form with the assistant's own loader, collecting every bad field, not only the first.

    On an error the loader names its field; that field is set back to its saved value
    (`fallback`) and the check runs again, so staff see all their mistakes at once.
    """
    raw = _as_mapping(form, keep)
    errors: Dict[str, str] = {}
    for _ in range(len(TEXT_FIELDS) + len(WEEKDAYS) + 2):
        try:
            settings = parse_settings(raw)
        except SettingsError as error:
            message = str(error)
            where = _FIELD_IN_ERROR.search(message)
            key = where.group(1) if where else "form"
            form_key = f"hours.{where.group(2)}" if where and where.group(2) else key
            errors[form_key] = _plain(message)
            if key == "opening_hours" and where and where.group(2):
                raw["opening_hours"][where.group(2)] = fallback.get("opening_hours", {}).get(where.group(2), "closed")
            elif key in fallback and raw.get(key) != fallback[key]:
                raw[key] = fallback[key]
            else:
                return Validation(None, errors)
            continue
        return Validation(None if errors else settings, errors)
    return Validation(None, errors)


def _plain(message: str) -> str:
    """The loader's message without the field's technical name (the form shows it beside the field)."""
    plain = _FIELD_IN_ERROR.sub("this", message, count=1).removeprefix("this: ")
    return plain[:1].upper() + plain[1:]


def save(path: Path, form: DetailsForm) -> Tuple[Validation, List[Tuple[str, str, str]]]:
    """Validate and, if good, write the form into `path` atomically; returns what changed.

    Raises file_edits.EditConflictError when the file changed since the form was opened.
    """
    text, _ = read_versioned(path)
    yaml = _yaml()
    document = yaml.load(text) or CommentedMap()
    saved = dict(document)
    result = validate(form, saved, saved)
    if not result.ok:
        return result, []
    wanted = _as_mapping(form, saved)
    changes: List[Tuple[str, str, str]] = []
    for key, value in wanted.items():
        before = document.get(key)
        if key == "opening_hours":
            hours = document.get(key)
            if not isinstance(hours, CommentedMap):
                hours = document[key] = CommentedMap()
            for day, day_value in value.items():
                if str(hours.get(day)) != day_value:
                    changes.append((f"opening hours, {day}", str(hours.get(day)), day_value))
                    hours[day] = day_value
        elif key == "prices":
            old = [dict(p) for p in before or []]
            if old != value:
                changes.append(("prices", _describe_prices(old), _describe_prices(value)))
                seq = CommentedSeq()
                for entry in value:
                    item = CommentedMap()
                    item["item"], item["price"] = entry["item"], entry["price"]
                    seq.append(item)
                document[key] = seq
        elif str(before if before is not None else "") != str(value):
            changes.append((key.replace("_", " "), str(before if before is not None else ""), str(value)))
            document[key] = value
    if changes:
        out = io.StringIO()
        yaml.dump(document, out)
        write_atomically(path, out.getvalue(), form.version)
    return result, changes


def differences(mine: DetailsForm, saved: DetailsForm) -> List[Tuple[str, str]]:
    """Where staff's form differs from the saved file: what they would lose after a conflict."""
    found = [
        (name.replace("_", " "), mine.values.get(name, ""))
        for name in TEXT_FIELDS
        if mine.values.get(name, "") != saved.values.get(name, "")
    ]
    for day in WEEKDAYS:
        if mine.hours.get(day) != saved.hours.get(day):
            opens, closes, closed = mine.hours[day]
            found.append((f"opening hours, {day}", "closed" if closed else f"{opens}-{closes}"))
    if mine.prices != saved.prices:
        found.append(("prices", "; ".join(f"{item}: {price}" for item, price in mine.prices) or "none"))
    return found


def _describe_prices(prices: List[Dict[str, Any]]) -> str:
    return "; ".join(f"{p.get('item')}: {p.get('price')}" for p in prices) or "none"
