"""Noticing, for one message, that the conversation store could not be read or written.

Rasa wraps every tracker store in a FailSafeTrackerStore: when the database is down it logs
the error, starts the visitor on an empty conversation and keeps it in memory. A visitor in
the middle of a booking would then get an answer that ignores everything they said. The
channel asks instead: the tracker store notes a failure here (same asyncio task), and the
channel answers with the clinic's phone, honestly, until the database is back.

The same goes for the action server: when Rasa can't reach it (killed, restarting), Rasa
logs the error, drops the action's events and goes on, and the visitor would get silence or
half an answer. Rasa says so only in its log, so a log handler on Rasa's processor notes it
here for the message being handled.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator, Optional


@dataclass
class Outage:
    happened: bool = False  # the conversation could not be read: the answer ignored it
    write_failed: bool = False  # read and answered, but not saved (a full or read-only disk)
    action_failed: bool = False  # a custom action could not run: its part of the answer is missing


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


def note_write_failure() -> None:
    """The conversation was read and answered but could not be saved: the answer stands
    (an FAQ answer is right either way); a booking can't be taken (actions/booking.py)."""
    outage = _current.get()
    if outage is not None:
        outage.write_failed = True


def note_action_failure() -> None:
    outage = _current.get()
    if outage is not None:
        outage.action_failed = True


# rasa.core.processor, MessageProcessor._run_action: "Encountered an exception while running
# action '...'" (Rasa 3.6; tests/e2e/test_faults.py kills the action server to prove it).
_ACTION_FAILURE = re.compile(r"^Encountered an exception while running action\b")
RASA_PROCESSOR_LOGGER = "rasa.core.processor"


class ActionFailureWatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        if _ACTION_FAILURE.match(str(record.msg)):
            note_action_failure()


def watch_action_failures() -> None:
    """Once per process: notice Rasa's log line for an action that could not run."""
    processor_logger = logging.getLogger(RASA_PROCESSOR_LOGGER)
    if not any(isinstance(handler, ActionFailureWatcher) for handler in processor_logger.handlers):
        processor_logger.addHandler(ActionFailureWatcher())
