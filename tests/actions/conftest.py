"""Rasa-sdk fixtures: a Tracker built from a small dict and a fresh CollectingDispatcher."""

from typing import Any, Callable, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic.settings import forget_current_settings


@pytest.fixture(autouse=True)
def fresh_settings_cache():
    """Each test reads the settings it sets up (CLINIC_SETTINGS), not a cached copy."""
    forget_current_settings()
    yield
    forget_current_settings()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    def make(text: str = "", intent: str = "", slots: Optional[Dict[str, Any]] = None) -> Tracker:
        return Tracker(
            sender_id="test-visitor",
            slots=slots or {},
            latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []},
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return make
