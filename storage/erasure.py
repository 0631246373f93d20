"""Deleting personal data on request: one conversation, or everything about one person.

A visitor (or the clinic on their behalf) may ask for their data to be removed. The
conversation lives in Rasa's tracker store (one row per event), the requests in the
bookings store (their idempotency key starts with the conversation's id), and the console's
index copies a little of both; all three are deleted, each store in one transaction.

`forget_person` finds a person by phone number (or by a booking reference, which gives the
phone): their booking requests and every conversation in which they typed that number, in
any format, or in which the booking form stored it. The audit log gets the counts only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

import phonenumbers
from sqlalchemy import column, create_engine, delete, false, func, inspect, or_, select, table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import TableClause

from clinic.paths import clinic_db_url, tracker_db_url
from clinic.phones import ValidPhone, parse_phone
from storage.bookings import booking_requests
from storage.conversation_index import ci_conversations, ci_messages, ci_reports
from storage.staff_accounts import AccountStore, audit_log

# Rasa's events table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), the columns used here.
events = table("events", column("id"), column("sender_id"), column("type_name"), column("timestamp"), column("data"))
INDEX_TABLES = (ci_messages, ci_reports, ci_conversations)
CHUNK = 500  # ids per IN (...): well under every database's limit on bound parameters
Store = Union[str, Engine, None]  # a URL, an engine already open, or None for the default


class ForgetError(ValueError):
    """The phone or reference can't be used; the message says why, for staff."""


@dataclass(frozen=True)
class Erased:
    events: int
    requests: int
    conversations: int = 0

    def describe(self) -> str:
        return f"{self.conversations} conversation(s) ({self.events} events), {self.requests} booking request(s)"


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def remove(connection: Connection, target: TableClause, where: ColumnElement[Any], dry_run: bool) -> int:
    """Delete the matching rows, or with `dry_run` only count them; returns how many."""
    if dry_run:
        return int(connection.execute(select(func.count()).select_from(target).where(where)).scalar() or 0)
    return int(connection.execute(delete(target).where(where)).rowcount or 0)


def open_store(store: Store, default: Callable[[], str]) -> Tuple[Engine, bool]:
    """(engine, whether the caller must dispose of it)."""
    if isinstance(store, Engine):
        return store, False
    return create_engine(store or default(), future=True, pool_pre_ping=True), True


def record_audit(
    connection: Connection, actor: str, action: str, target: str, old: Optional[str], new: Optional[str]
) -> None:
    """An audit row written in the caller's transaction: it exists exactly when the deletions do."""
    connection.execute(
        audit_log.insert().values(
            at=datetime.now(timezone.utc), actor=actor, action=action, target=target, old_value=old, new_value=new
        )
    )


def erase_visitor(sender_id: str, tracker_url: Optional[str] = None, clinic_url: Optional[str] = None) -> Erased:
    """Delete everything stored about the conversation `sender_id`; returns what was deleted."""
    return erase_conversations([sender_id], tracker_url, clinic_url)


def erase_conversations(
    sender_ids: Sequence[str],
    tracker: Store = None,
    clinic: Store = None,
    dry_run: bool = False,
    phone: Optional[str] = None,
    audit: Optional[Tuple[str, str, str]] = None,
) -> Erased:
    """Delete these conversations, the requests made in them (and those for `phone`), and their index rows.

    `audit` is (actor, action, target): a row with the counts goes in the clinic store's transaction.
    """
    ids = sorted(set(sender_ids))
    tracker_engine, own_tracker = open_store(tracker, tracker_db_url)
    clinic_engine, own_clinic = open_store(clinic, clinic_db_url)
    try:
        removed_events, conversations = 0, 0
        if ids and inspect(tracker_engine).has_table("events"):
            with tracker_engine.begin() as connection:
                for chunk in chunks(ids):
                    where = events.c.sender_id.in_(chunk)
                    distinct = select(func.count(events.c.sender_id.distinct())).where(where)
                    conversations += int(connection.execute(distinct).scalar() or 0)
                    removed_events += remove(connection, events, where, dry_run)
        if audit is not None and not dry_run:
            AccountStore(engine=clinic_engine)  # the audit table, on a store no one has signed in to yet
        requests = 0
        with clinic_engine.begin() as connection:
            if inspect(connection).has_table(booking_requests.name):
                requests = remove(connection, booking_requests, _requests_of(ids, phone), dry_run)
            if not dry_run:
                for index_table in INDEX_TABLES:
                    if inspect(connection).has_table(index_table.name):
                        for chunk in chunks(ids):
                            connection.execute(delete(index_table).where(index_table.c.sender_id.in_(chunk)))
            erased = Erased(removed_events, requests, conversations)
            if audit is not None and not dry_run:
                actor, action, target = audit
                record_audit(connection, actor, action, target, erased.describe(), "deleted")
        return erased
    finally:
        for engine, owned in ((tracker_engine, own_tracker), (clinic_engine, own_clinic)):
            if owned:
                engine.dispose()


def _requests_of(sender_ids: Sequence[str], phone: Optional[str]) -> ColumnElement[Any]:
    key = booking_requests.c.idempotency_key
    # The key is "<conversation id>:<form>:<start>"; LIKE's wildcards in an id are escaped.
    conditions = [key.like(_escaped(sender) + ":%", escape="!") for sender in sender_ids]
    if phone:
        conditions.append(booking_requests.c.phone == phone)
    return or_(false(), *conditions)  # no conversation and no phone: nothing


def _escaped(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


# -- a person, by phone number or booking reference --------------------------------------------


@dataclass(frozen=True)
class Phone:
    """A number to look for: its E.164 form, its digits without country code, and the clinic's region."""

    e164: str
    national_digits: str
    region: str

    @classmethod
    def parse(cls, text: str, region: str) -> Phone:
        parsed = parse_phone(text, region)
        if not isinstance(parsed, ValidPhone):
            raise ForgetError(
                f"{text!r} can't be read as a phone number (without a +country code it is read as a {region} number)"
            )
        number = phonenumbers.parse(parsed.e164)
        return cls(parsed.e164, phonenumbers.national_significant_number(number), region)

    def in_text(self, text: str) -> bool:
        """Whether `text` holds this number in any way a person writes it."""
        # Every way of writing it keeps the national digits in a row once the rest is dropped:
        # a cheap test that rules out nearly every message before phonenumbers reads it.
        if self.national_digits not in re.sub(r"\D", "", text):
            return False
        for match in phonenumbers.PhoneNumberMatcher(text, self.region, leniency=phonenumbers.Leniency.POSSIBLE):
            if phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164) == self.e164:
                return True
        # A number alone, as the booking form reads it (the matcher may pass over a bare one).
        whole = parse_phone(text, self.region)
        return isinstance(whole, ValidPhone) and whole.e164 == self.e164


def conversations_with(phone: Phone, tracker: Store = None) -> List[str]:
    """Ids of the conversations where a visitor's message or a slot holds `phone`."""
    engine, owned = open_store(tracker, tracker_db_url)
    found: Set[str] = set()
    try:
        if not inspect(engine).has_table("events"):
            return []
        query = select(events.c.sender_id, events.c.type_name, events.c.data).where(
            events.c.type_name.in_(("user", "slot"))
        )
        with engine.connect() as connection:
            # Streamed: a forget request reads every message once, never all of them at once.
            for sender_id, kind, data in connection.execution_options(stream_results=True).execute(query):
                if sender_id not in found and any(phone.in_text(text) for text in _texts(kind, data)):
                    found.add(str(sender_id))
    finally:
        if owned:
            engine.dispose()
    return sorted(found)


def _texts(kind: str, data: Optional[str]) -> Iterator[str]:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return
    if not isinstance(event, dict):
        return
    if kind == "user":
        yield str(event.get("text") or "")
    else:
        yield from _strings(event.get("value"))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, dict):
        yield from _flatten(value.values())
    elif isinstance(value, list):
        yield from _flatten(value)


def _flatten(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        yield from _strings(value)


def forget_person(
    region: str,
    phone: Optional[str] = None,
    reference: Optional[str] = None,
    tracker: Store = None,
    clinic: Store = None,
    actor: str = "command line",
    dry_run: bool = False,
) -> Erased:
    """Delete the booking requests of the person with this phone (or booking reference) and
    every conversation in which that phone appeared; one audit row with the counts."""
    if bool(phone) == bool(reference):
        raise ForgetError("give either a phone number or a booking reference")
    sender_ids: List[str] = []
    if reference:
        found = _request_by_reference(reference, clinic)
        if found is None:
            raise ForgetError(f"there is no booking request with reference {reference.strip().upper()!r}")
        phone, key = found
        sender_ids.append(key.rsplit(":", 2)[0])  # the conversation the request was made in
    assert phone is not None
    person = Phone.parse(phone, region)
    sender_ids.extend(conversations_with(person, tracker))
    by = "by booking reference" if reference else "by phone number"
    return erase_conversations(
        sender_ids, tracker, clinic, dry_run, person.e164, audit=(actor, "a person's data forgotten", by)
    )


def _request_by_reference(reference: str, clinic: Store) -> Optional[Tuple[str, str]]:
    engine, owned = open_store(clinic, clinic_db_url)
    try:
        if not inspect(engine).has_table(booking_requests.name):
            return None
        with engine.connect() as connection:
            row = connection.execute(
                select(booking_requests.c.phone, booking_requests.c.idempotency_key).where(
                    booking_requests.c.reference == reference.strip().upper()
                )
            ).first()
        return None if row is None else (str(row[0]), str(row[1]))
    finally:
        if owned:
            engine.dispose()
