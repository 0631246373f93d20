"""Shared-secret check for the action server.

Rasa sends an action endpoint's `token` as a query parameter (`?token=...`), but rasa-sdk
3.6 never checks it. rasa-sdk creates its Sanic app ("rasa_sdk") before importing the
actions package, so the check is attached here and works under plain `rasa run actions`.

Its error handler is replaced here too: rasa-sdk's answers every exception (an unknown
path included) with HTTP 500 carrying the exception text and the request's body, which
hands a caller back whatever a visitor's conversation held. Ours answers with the status
Sanic meant (404, 405, 413...) or a plain 500, and logs the failure without its message.
"""

from __future__ import annotations

import hmac
import logging
import os
import traceback
from typing import Any, Awaitable, Callable, Optional

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


async def safe_error_reply(request: Request, exception: Exception) -> HTTPResponse:
    """Never the request's body, the exception's text or a traceback in the answer."""
    if isinstance(exception, SanicException) and 400 <= int(exception.status_code) < 500:
        return json({"error": "request refused"}, status=int(exception.status_code))
    # The exception's message may quote visitor data; the frames say where it happened.
    frames = "".join(traceback.format_tb(exception.__traceback__))
    route = getattr(getattr(request, "route", None), "name", "no route")  # never the path sent
    logger.error("The action server failed (%s) in %s\n%s", type(exception).__name__, route, frames)
    return json({"error": "the action server could not handle this request"}, status=500)


def install_safe_errors(app: Optional[Sanic] = None) -> bool:
    """Replace rasa-sdk's error handler once its app is complete (it registers its own after
    importing this package). True if installed."""
    if app is None:
        try:
            app = Sanic.get_app(RASA_SDK_APP_NAME)
        except SanicException:
            return False

    def replace_handler(server_app: Any, _loop: Any) -> None:
        server_app.error_handler.add(Exception, safe_error_reply)

    app.register_listener(replace_handler, "before_server_start")
    app.register_middleware(_no_echo_of_unknown_actions, "response")  # type: ignore[arg-type]
    return True


async def _no_echo_of_unknown_actions(request: Request, reply: HTTPResponse) -> Optional[HTTPResponse]:
    """rasa-sdk's 404 for an unknown action repeats the name it was sent; Rasa reads only the status."""
    if reply.status == 404 and request.path == "/webhook":
        return json({"error": "no such action"}, status=404)
    return None
