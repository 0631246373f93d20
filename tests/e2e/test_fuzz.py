"""A bounded fuzz run against the live servers (loopback only, a fixed seed, ~2,000 requests).

Malformed JSON, wrong types, deep nesting, huge strings, control and bidi characters,
markup, wrong content types, unknown paths and methods on the webhook, the HTTP API
without a token, the console and the action server. Every request carries a marker; the
run passes when no answer is a 5xx, a normal message is answered afterwards, and no marker
reached any server's log.
"""

import http.client
import json
import random
import secrets
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Bot, running_bot

SEED = 20261126
MARK = "qzfz" + secrets.token_hex(4)  # in every fuzzed string, to look for in the logs
NASTY = [
    "\u202e",  # right-to-left override
    "\u200f",
    "\u2066",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\ufeff",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "'; DROP TABLE events; --",
    "%00",
    "../../etc/passwd",
    "😀" * 3,
    "\ud800",  # a lone surrogate (JSON allows its escape)
]


def _text(rng: random.Random, size: Optional[int] = None) -> str:
    size = size if size is not None else rng.choice([0, 1, 5, 40, 300, 2000])
    pieces = [MARK]
    while sum(map(len, pieces)) < size:
        pieces.append(rng.choice(NASTY) if rng.random() < 0.4 else chr(rng.randint(32, 0x2FFF)))
    return "".join(pieces)[: max(size, len(MARK))]


def _value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["str", "int", "float", "bool", "null", "list", "dict"] if depth < 4 else ["str", "int", "null"]
    kind = rng.choice(kinds)
    if kind == "str":
        return _text(rng)
    if kind == "int":
        return rng.choice([0, -1, 2**63, -(2**70), 10**400])
    if kind == "float":
        return rng.choice([0.5, -1e308, 1e308])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng, 8): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _payload(rng: random.Random) -> Any:
    """Mostly the webhook's shape with a wrong part; sometimes anything at all."""
    if rng.random() < 0.2:
        return _value(rng)
    body: Dict[str, Any] = {
        "sender": rng.choice([f"fz-{MARK}-{rng.randint(0, 9)}", _value(rng), "", "a" * 300, f"x\n{MARK}"]),
        "message": rng.choice([_text(rng), _value(rng), "/" + _text(rng, 20), "/greet{" + _text(rng, 20)]),
    }
    for key in ("metadata", "message_id", "retry", "input_channel", _text(rng, 10)):
        if rng.random() < 0.3:
            body[key] = _value(rng)
    return body


def _raw_bodies(rng: random.Random) -> Iterator[Tuple[bytes, str]]:
    yield b"", "application/json"
    yield b"[" * 50_000 + b"]" * 50_000, "application/json"
    yield ('{"a":' * 5000 + json.dumps(MARK) + "}" * 5000).encode(), "application/json"  # deep objects
    yield b'{"sender": "' + MARK.encode() + b'", "message": "\xff\xfe\xc3\x28"}', "application/json"
    yield ('{"sender": "a", "message": "' + MARK + '"').encode(), "application/json"  # unclosed
    yield ("sender=a&message=" + MARK).encode(), "application/x-www-form-urlencoded"
    yield MARK.encode(), "text/plain"
    yield b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\n" + MARK.encode() + b"\r\n--b--", "multipart/form-data"
    yield json.dumps({"sender": "a", "message": _text(rng, 60_000)}).encode(), "application/json"
    yield b"\x00" * 1000 + MARK.encode(), "application/octet-stream"


class Client:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.results: List[Tuple[int, str, str]] = []

    def send(self, base: str, method: str, path: str, body: Optional[bytes] = None, headers: Optional[Dict] = None):
        host, port = base.replace("http://", "").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            reply = connection.getresponse()
            reply.read()
            self.results.append((reply.status, method, path[:80]))
        finally:
            connection.close()


def _quoted(text: str) -> str:
    return quote(text, safe="", errors="surrogatepass")


def _json(value: Any) -> bytes:
    return json.dumps(value, default=str).encode("utf-8", "surrogatepass")


def _fuzz(bot: Bot, client: Client, rng: random.Random) -> None:
    cfg = bot.config
    rasa, actions, console = cfg.rasa_url, cfg.action_url, cfg.staff_url
    json_type = {"Content-Type": "application/json"}
    webhook = "/webhooks/rest/webhook"
    sends: List[Callable[[], None]] = []
    for _ in range(1000):
        sends.append(lambda: client.send(rasa, "POST", webhook, _json(_payload(rng)), json_type))
    for body, content_type in _raw_bodies(rng):
        sends.append(lambda b=body, c=content_type: client.send(rasa, "POST", webhook, b, {"Content-Type": c}))
        sends.append(lambda b=body, c=content_type: client.send(actions, "POST", "/webhook", b, {"Content-Type": c}))
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"):
        sends.append(lambda m=method: client.send(rasa, m, webhook, _json({"sender": MARK}), json_type))
    odd_paths = [
        f"/webhooks/rest/{MARK}",
        f"/webhooks/{MARK}/webhook",
        f"/{MARK}%00",
        f"/webhooks/rest/webhook/../../{MARK}",
        "/" + MARK * 200,
        f"/webhooks/rest/updates?sender={MARK}%0a&since=nan",
        f"/webhooks/rest/updates?sender={MARK}&since=-1e999",
        f"/webhooks/rest/updates?since={MARK}",
    ]
    for path in odd_paths:
        for base in (rasa, actions, console):
            sends.append(lambda b=base, p=path: client.send(b, "GET", p))
    for _ in range(200):  # the live updates endpoint, which the widget calls without a token
        sender = quote(rng.choice([MARK, _text(rng, 30), "a" * 200]), safe="", errors="surrogatepass")
        query = f"sender={sender}&since={rng.choice(['0', 'x', '1e309', MARK])}"
        sends.append(lambda q=query: client.send(rasa, "GET", "/webhooks/rest/updates?" + q))
    api = [
        ("GET", "/status"),
        ("GET", "/domain"),
        ("GET", "/version"),
        ("GET", f"/conversations/{MARK}/tracker"),
        ("POST", f"/conversations/{MARK}/messages"),
        ("POST", f"/conversations/{MARK}/tracker/events"),
        ("POST", f"/conversations/{MARK}/execute"),
        ("POST", f"/conversations/{MARK}/trigger_intent"),
        ("POST", "/model/parse"),
        ("PUT", "/model"),
        ("DELETE", "/model"),
        ("POST", "/model/train"),
        ("POST", "/model/test/intents"),
    ]
    for _ in range(3):
        for method, path in api:  # no token, then a wrong one
            for query in ("", f"?token={MARK}"):
                sends.append(lambda m=method, p=path + query: client.send(rasa, m, p, _json(_payload(rng)), json_type))
    for _ in range(300):
        path = rng.choice(
            ["/login", "/logout", "/bookings", "/conversations", "/live", "/teach", "/clinic", "/privacy"]
        )
        fields = [(_text(rng, 6), _text(rng, rng.choice([5, 100]))) for _ in range(rng.randint(0, 4))]
        form = "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in fields)
        headers = {
            "Content-Type": rng.choice(["application/x-www-form-urlencoded", "application/json", "text/plain"]),
            "Cookie": rng.choice(["", f"clinic_session={MARK}", f"clinic_login={MARK}; clinic_session=.{MARK}."]),
        }
        body = form.encode("utf-8", "surrogatepass")
        sends.append(lambda p=path, b=body, h=headers: client.send(console, rng.choice(["GET", "POST"]), p, b, h))
    for _ in range(200):
        sends.append(lambda: client.send(actions, "POST", "/webhook", _json(_value(rng)), json_type))
        sends.append(lambda: client.send(actions, "GET", rng.choice(["/actions", "/health", f"/{MARK}"])))
    rng.shuffle(sends)
    for send in sends:
        send()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory) -> Iterator[Tuple[Bot, Client]]:
    with running_bot(tmp_path_factory.mktemp("fuzz"), console=True) as bot:
        client = Client(bot)
        _fuzz(bot, client, random.Random(SEED))
        yield bot, client


def test_no_fuzzed_request_gets_a_server_error(fuzzed):
    _, client = fuzzed
    errors = [result for result in client.results if result[0] >= 500]
    assert errors == [], errors[:20]
    assert len(client.results) >= 2000
    refused = sum(1 for status, _, _ in client.results if 400 <= status < 500)
    assert refused > len(client.results) // 2  # most of it was bad input, told so


def test_the_servers_still_answer_a_normal_message(fuzzed):
    bot, _ = fuzzed
    assert "collagen" in " ".join(m.get("text", "") for m in bot.say("after-the-fuzz", "what is micro-needling"))


def test_nothing_the_fuzzer_sent_is_in_the_logs(fuzzed):
    bot, _ = fuzzed
    logs = bot.log_text()
    assert MARK not in logs, logs[max(0, logs.find(MARK) - 500) : logs.find(MARK) + 200]
