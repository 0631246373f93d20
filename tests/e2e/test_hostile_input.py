"""Limits at the edge, on real servers: CORS, rate limits (per visitor, per address, console
sign-ins), 64 KB bodies, and the action server's error replies.

The servers run with small limits and read the visitor's address from X-Real-IP, as behind
`make cluster`'s nginx, so that each test is its own address.
"""

import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Dict, Iterator, Optional, Tuple

import pytest

from tests.e2e.conftest import Bot, running_bot

PER_VISITOR, PER_ADDRESS, SIGN_INS = 5, 8, 3
BIG = 70 * 1024  # over the 64 KB every server refuses


@pytest.fixture(scope="module")
def guarded(tmp_path_factory) -> Iterator[Bot]:
    limits = {
        "RATE_LIMIT_PER_SENDER": str(PER_VISITOR),
        "RATE_LIMIT_PER_CLIENT": str(PER_ADDRESS),
        "RATE_LIMIT_SIGN_INS": str(SIGN_INS),
        "SANIC_REAL_IP_HEADER": "X-Real-IP",
    }
    with running_bot(tmp_path_factory.mktemp("guarded"), extra_env=limits, console=True) as running:
        yield running


_addresses = itertools.count(1)


def _address() -> str:
    """A new documentation-range address for each caller."""
    number = next(_addresses)
    return f"198.51.{100 + number // 250}.{number % 250 + 1}"


def _fresh_minute() -> None:
    """Counts are per clock minute: start a burst early in one, so it can't straddle two."""
    into = time.time() % 60
    if into > 45:
        time.sleep(60 - into + 0.5)


def _call(
    method: str, url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None
) -> Tuple[int, Dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _say(bot: Bot, sender: str, text: str, address: str) -> Tuple[int, Dict[str, str], bytes]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    headers = {"Content-Type": "application/json", "X-Real-IP": address}
    return _call("POST", f"{bot.config.rasa_url}/webhooks/rest/webhook", body, headers)


def test_only_the_chat_pages_origin_may_call_rasa_from_a_browser(guarded):
    url = f"{guarded.config.rasa_url}/webhooks/rest/webhook"
    page = f"http://127.0.0.1:{guarded.config.page_port}"
    for origin, allowed in ((page, True), ("https://evil.example", False), ("null", False)):
        preflight = {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        }
        _, headers, _ = _call("OPTIONS", url, headers=preflight)
        assert (headers.get("Access-Control-Allow-Origin") == origin) is allowed, (origin, headers)
        _, headers, _ = _call(
            "POST",
            url,
            json.dumps({"sender": "cors-" + secrets.token_hex(3), "message": "hi"}).encode(),
            {"Origin": origin, "Content-Type": "application/json", "X-Real-IP": _address()},
        )
        assert (headers.get("Access-Control-Allow-Origin") == origin) is allowed, (origin, headers)
        assert headers.get("Access-Control-Allow-Origin") != "*"


def test_a_visitor_past_the_limit_gets_a_chat_reply_with_429_and_the_model_never_sees_it(guarded):
    _fresh_minute()
    sender, address = "fast-" + secrets.token_hex(4), _address()
    statuses = [_say(guarded, sender, f"what is micro-needling {n}", address)[0] for n in range(PER_VISITOR)]
    assert statuses == [200] * PER_VISITOR
    status, headers, body = _say(guarded, sender, "one more, too fast", address)
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 60
    [reply] = json.loads(body)
    assert reply["recipient_id"] == sender
    assert "sending messages very fast" in reply["text"] and "(212) 555-0199" in reply["text"]
    user_turns = [e["text"] for e in guarded.tracker(sender)["events"] if e["event"] == "user"]
    assert len(user_turns) == PER_VISITOR and "one more, too fast" not in user_turns
    assert _say(guarded, "other-" + secrets.token_hex(4), "hi", address)[0] == 200  # others still talk


def test_an_address_past_its_limit_is_refused_whatever_the_sender(guarded):
    _fresh_minute()
    address = _address()
    statuses = [_say(guarded, f"addr-{n}-{secrets.token_hex(3)}", "hello", address)[0] for n in range(PER_ADDRESS + 1)]
    assert statuses == [200] * PER_ADDRESS + [429]
    assert _say(guarded, "elsewhere-" + secrets.token_hex(3), "hello", _address())[0] == 200


def test_console_sign_in_attempts_are_limited_per_address(guarded):
    _fresh_minute()
    address = _address()
    form = b"username=nobody&password=wrong&csrf_token=x"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Real-IP": address}
    statuses = [_call("POST", f"{guarded.config.staff_url}/login", form, headers)[0] for _ in range(SIGN_INS + 1)]
    assert statuses[:SIGN_INS] == [403] * SIGN_INS  # refused for its stale form, and counted
    assert statuses[SIGN_INS] == 429
    status, _, page = _call("POST", f"{guarded.config.staff_url}/login", form, headers)
    assert status == 429 and b"Too many sign-in attempts from this address" in page
    other = {**headers, "X-Real-IP": _address()}
    assert _call("POST", f"{guarded.config.staff_url}/login", form, other)[0] == 403


def test_bodies_over_64_kb_are_refused_by_every_server(guarded):
    cfg = guarded.config
    big_message = json.dumps({"sender": "big", "message": "a" * BIG}).encode()
    assert _call("POST", f"{cfg.rasa_url}/webhooks/rest/webhook", big_message, {"X-Real-IP": _address()})[0] == 413
    assert _call("POST", f"{cfg.rasa_url}/model/parse?token={cfg.auth_token}", big_message)[0] == 413
    assert _call("POST", f"{cfg.action_url}/webhook?token={cfg.action_token}", big_message)[0] == 413
    assert _call("POST", f"{cfg.staff_url}/login", b"a=" + b"b" * BIG)[0] == 413
    # Under 64 KB, the message limit (1,000 characters) still answers in the chat.
    status, _, body = _say(guarded, "long-" + secrets.token_hex(3), "a" * 5000, _address())
    assert status == 200 and "I can read up to 1000" in json.loads(body)[0]["text"]


def test_the_action_server_never_returns_a_request_body_or_a_traceback(guarded):
    cfg = guarded.config
    marker = "MARKER-" + secrets.token_hex(6)
    action_name = "no_such_action_" + secrets.token_hex(4)  # rasa-sdk logs an unknown action's name
    token = f"?token={cfg.action_token}"
    cases = [
        ("GET", f"/nowhere-{marker}{token}", None),
        ("POST", f"/webhook{token}", json.dumps({"next_action": "action_ask_name", "tracker": marker}).encode()),
        ("POST", f"/webhook{token}", json.dumps({"next_action": action_name, "tracker": {}, "domain": {}}).encode()),
        ("POST", f"/webhook{token}", marker.encode()),
        ("POST", "/webhook", json.dumps({"tracker": marker}).encode()),
    ]
    for method, path, body in cases:
        status, _, reply = _call(method, cfg.action_url + path, body, {"Content-Type": "application/json"})
        assert status in (400, 401, 404, 405, 500), (path, status)
        for secret in (marker, action_name):
            assert secret.encode() not in reply, (path, reply[:300])
        assert b"Traceback" not in reply, (path, reply[:300])
    assert marker not in guarded.log_text()


def test_live_updates_asked_too_often_for_one_conversation_get_429(guarded):
    """The widget asks every 2 s during a hand-off (30 a minute); twice that is refused."""
    _fresh_minute()
    sender = "poll-" + secrets.token_hex(4)
    url = f"{guarded.config.rasa_url}/webhooks/rest/updates?sender={sender}&since=0"
    statuses = [_call("GET", url)[0] for _ in range(61)]
    assert statuses == [200] * 60 + [429]
    other = f"{guarded.config.rasa_url}/webhooks/rest/updates?sender=other-{secrets.token_hex(4)}&since=0"
    assert _call("GET", other)[0] == 200
