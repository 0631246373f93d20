"""The action-server token check, run inside a real Sanic app (no mocks)."""

import asyncio

from sanic import Sanic, response

from actions.security import install_token_check, token_middleware


class _Request:
    """The two attributes the middleware reads."""

    def __init__(self, path: str, token: str = "") -> None:
        self.path = path
        self.args = {"token": token} if token else {}


def _check(token: str, path: str, given: str = ""):
    return asyncio.run(token_middleware(token)(_Request(path, given)))


def test_missing_or_wrong_token_is_refused():
    assert _check("s3cret", "/webhook").status == 401
    assert _check("s3cret", "/webhook", "wrong").status == 401
    assert _check("s3cret", "/actions").status == 401


def test_right_token_passes_and_health_stays_open():
    assert _check("s3cret", "/webhook", "s3cret") is None
    assert _check("s3cret", "/health") is None


def test_installed_only_when_the_token_is_set(monkeypatch):
    app = Sanic("security_test_app")

    @app.get("/x")
    async def x(_):
        return response.text("ok")

    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    assert install_token_check(app) is False
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "s3cret")
    assert install_token_check(app) is True
    assert len(app.request_middleware) == 1


def test_without_the_action_server_app_nothing_is_installed(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "s3cret")
    assert install_token_check() is False
