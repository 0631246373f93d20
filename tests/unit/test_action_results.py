"""The Rasa server's check of action server replies, compiled once (channels/action_results.py)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from channels import action_results

ACTION = RemoteAction("action_symptom_advice", None)

GOOD_REPLIES: List[Dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "phone", "value": "555 0100"}], "responses": [{"text": "Thanks"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "utter_greet"}]},
    {},
]
BAD_REPLIES: List[Dict[str, Any]] = [
    {"events": "slot"},
    {"events": [{"name": "phone"}]},
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["just text"]},
]


def _outcome(check: Any, reply: Dict[str, Any]) -> str:
    try:
        check(ACTION, reply)
    except ValidationError as error:
        return error.message
    return "valid"


@pytest.mark.parametrize("reply", GOOD_REPLIES + BAD_REPLIES)
def test_the_compiled_check_agrees_with_rasas_own_word_for_word(reply: Dict[str, Any]) -> None:
    assert _outcome(action_results.validate_action_result, reply) == _outcome(action_results.RASA_OWN_CHECK, reply)


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_a_malformed_reply_is_still_refused_with_rasas_pointer_to_the_docs(reply: Dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action_results.validate_action_result(ACTION, reply)


def test_the_rasa_servers_channel_puts_the_compiled_check_in_place() -> None:
    import channels.guarded_rest  # noqa: F401  (the Rasa server loads it from credentials.yml)

    assert RemoteAction._validate_action_result is action_results.validate_action_result
    with pytest.raises(ValidationError):
        ACTION._validate_action_result({"events": [{"name": "phone"}]})
