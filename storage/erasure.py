"""Deleting one visitor's data on request: their conversation, their booking requests, the index.

A visitor (or the clinic on their behalf) may ask for their data to be removed. The
conversation lives in Rasa's tracker store (one row per event), the requests in the
bookings store (their idempotency key starts with the conversation's id), and the console's
index copies a little of both; all three are deleted, each in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import create_engine, delete, inspect, text

from clinic.paths import clinic_db_url, tracker_db_url
from storage.bookings import booking_requests
from storage.conversation_index import ci_conversations, ci_messages, ci_reports


@dataclass(frozen=True)
class Erased:
    events: int
    requests: int

    def describe(self) -> str:
        return f"{self.events} conversation events, {self.requests} booking request(s)"


def erase_visitor(sender_id: str, tracker_url: Optional[str] = None, clinic_url: Optional[str] = None) -> Erased:
    """Delete everything stored about the conversation `sender_id`; returns what was deleted."""
    tracker = create_engine(tracker_url or tracker_db_url(), future=True)
    events = 0
    if inspect(tracker).has_table("events"):
        with tracker.begin() as connection:
            events = connection.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender_id}).rowcount
    clinic = create_engine(clinic_url or clinic_db_url(), future=True)
    requests = 0
    with clinic.begin() as connection:
        if inspect(connection).has_table(booking_requests.name):
            # The key is "<conversation id>:<form>:<start>"; LIKE's wildcards in the id are escaped.
            prefix = sender_id.replace("!", "!!").replace("%", "!%").replace("_", "!_") + ":%"
            requests = connection.execute(
                delete(booking_requests).where(booking_requests.c.idempotency_key.like(prefix, escape="!"))
            ).rowcount
        for table in (ci_messages, ci_reports, ci_conversations):
            if inspect(connection).has_table(table.name):
                connection.execute(delete(table).where(table.c.sender_id == sender_id))
    return Erased(int(events or 0), int(requests or 0))
