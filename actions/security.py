"""Shared-secret check for the action server.

Rasa sends an action endpoint's `token` as a query parameter (`?token=...`), but rasa-sdk
3.6 never checks it. rasa-sdk creates its Sanic app ("rasa_sdk") before importing the
actions package, so the check is attached here and works under plain `rasa run actions`.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Awaitable, Callable, Optional

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, json

TOKEN_ENV_VAR = "ACTION_SERVER_TOKEN"
RASA_SDK_APP_NAME = "rasa_sdk"
# The health probe stays open so process supervisors can check liveness without the secret.
_OPEN_PATHS = frozenset({"/health"})

logger = logging.getLogger(__name__)

Middleware = Callable[[Request], Awaitable[Optional[HTTPResponse]]]


def token_middleware(expected_token: str) -> Middleware:
    """A request middleware that answers 401 unless `?token=` matches."""

    async def check_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in _OPEN_PATHS:
            return None
        given = request.args.get("token", "")
        if hmac.compare_digest(given.encode(), expected_token.encode()):
            return None
        return json({"error": "missing or wrong action server token"}, status=401)

    return check_token


def install_token_check(app: Optional[Sanic] = None) -> bool:
    """Attach the check to rasa-sdk's app when ACTION_SERVER_TOKEN is set. True if attached."""
    token = os.environ.get(TOKEN_ENV_VAR, "")
    if not token:
        return False
    if app is None:
        try:
            app = Sanic.get_app(RASA_SDK_APP_NAME)
        except SanicException:
            return False  # imported outside the action server (unit tests, scripts)
    app.register_middleware(token_middleware(token), "request")  # type: ignore[arg-type]  # Sanic 21 types it narrower than it accepts
    logger.info("Action server requires the %s shared secret.", TOKEN_ENV_VAR)
    return True
