"""Noticing, for one message, that the conversation store could not be read or written.

Rasa wraps every tracker store in a FailSafeTrackerStore: when the database is down it logs
the error, starts the visitor on an empty conversation and keeps it in memory. A visitor in
the middle of a booking would then get an answer that ignores everything they said. The
channel asks instead: the tracker store notes a failure here (same asyncio task), and the
channel answers with the clinic's phone, honestly, until the database is back.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator, Optional


@dataclass
class Outage:
    happened: bool = False


_current: ContextVar[Optional[Outage]] = ContextVar("clinic_store_outage", default=None)


@contextmanager
def watching() -> Iterator[Outage]:
    """Around the handling of one message: did the store fail meanwhile?"""
    outage = Outage()
    token = _current.set(outage)
    try:
        yield outage
    finally:
        _current.reset(token)


def note_failure() -> None:
    """Called by the tracker store when its database refused a read or a write."""
    outage = _current.get()
    if outage is not None:
        outage.happened = True
