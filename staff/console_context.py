"""What the console's page modules share: how to render a page and require a session, and the stores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Coroutine

from sanic.response import HTTPResponse

from clinic.settings import current_settings
from staff.accounts import Accounts
from staff.go_live import GoLive
from staff.teach import IgnoredQuestions
from storage.bookings import BookingStore
from storage.conversation_index import ConversationIndex
from storage.handoffs import HandoffStore

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


@dataclass(frozen=True)
class ConsoleContext:
    page: Callable[..., HTTPResponse]  # page(template, session, status=200, **values): a signed-in page
    signed_in: Callable[..., Callable[[Handler], Handler]]  # signed_in(json_api=False, admins_only="") decorator
    accounts: Accounts
    bookings: BookingStore
    handoffs: HandoffStore
    index: ConversationIndex
    go_live: GoLive
    ignored: IgnoredQuestions
    tracker_url: str
    root: Path


def clinic_name() -> str:
    try:
        return current_settings().name
    except Exception:  # the sign-in page must show even when clinic.yml is being fixed
        return "Clinic"
