"""Rasa's check of what the action server returns, with its schema compiled once.

Rasa 3.6 checks every action server reply with `jsonschema.validate(result, schema)`, and
with jsonschema 4.17 that call first checks the schema itself against the draft 2020-12
meta-schema, on every reply. Profiled with py-spy while visitors chatted over the webhook,
that schema check and its reference resolution were over a third of the Rasa server's
CPU time (README, "Where a webhook reply's time goes"). The reply is still checked against
the same schema, with the same error text; only the meta-schema check is done once.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# Rasa's own check, kept for the test that both agree.
RASA_OWN_CHECK = RemoteAction._validate_action_result
_SCHEMA = RemoteAction.action_response_format_spec()
_VALIDATOR_CLASS = validator_for(_SCHEMA)
_VALIDATOR_CLASS.check_schema(_SCHEMA)
_VALIDATOR = _VALIDATOR_CLASS(_SCHEMA)


def validate_action_result(_action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """What `RemoteAction._validate_action_result` does, against the compiled schema."""
    error = best_match(_VALIDATOR.iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Use the compiled check in this process (the Rasa server loads it with its channel)."""
    RemoteAction._validate_action_result = validate_action_result
