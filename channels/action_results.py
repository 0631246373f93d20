"""Rasa's check of what the action server returns, with its schema compiled once.

Rasa 3.6 checks every action server reply with `jsonschema.validate(result, schema)`, and
with jsonschema 4.17 that call first checks the schema itself against the draft 2020-12
meta-schema, on every reply. Profiled with py-spy while visitors chatted over the webhook,
that schema check and its reference resolution were over a third of the Rasa server's
CPU time (README, "Where a webhook reply's time goes"). The reply is still checked against
the same schema; only the meta-schema check is done once, and a malformed reply still gets
Rasa's own error.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

# Rasa's own check: it still judges a malformed reply (and the test compares both).
RASA_OWN_CHECK = RemoteAction._validate_action_result
_SCHEMA = RemoteAction.action_response_format_spec()
_VALIDATOR_CLASS = validator_for(_SCHEMA)
_VALIDATOR_CLASS.check_schema(_SCHEMA)
_VALIDATOR = _VALIDATOR_CLASS(_SCHEMA)


def validate_action_result(action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """True for a valid reply, against the compiled schema; a malformed one (rare) goes to
    Rasa's own check, which raises its own error with its own message."""
    if _VALIDATOR.is_valid(result):
        return True
    return bool(RASA_OWN_CHECK(action, result))


def install() -> None:
    """Use the compiled check in this process (the Rasa server loads it with its channel)."""
    RemoteAction._validate_action_result = validate_action_result
