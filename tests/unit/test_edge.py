"""What the servers' edges say: page security headers, who may call from a browser, the
action server's error replies, and noticing an action that could not run."""

import asyncio
import logging
import urllib.request

from sanic.exceptions import NotFound

from actions.security import safe_error_reply
from channels import store_outage
from ops.servers import ServerConfig, cors_origins_from_env, free_port, page_origins, rasa_server_args
from ops.web import start_web_server


def test_the_chat_page_forbids_inline_and_foreign_script_and_talks_only_to_rasa():
    server = start_web_server(free_port(), "http://127.0.0.1:5005")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/") as reply:
            headers = reply.headers
    finally:
        server.shutdown()
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no other host
    assert policy["connect-src"] == "'self' http://127.0.0.1:5005"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_chat_page_answers_head_with_its_headers_and_no_body():
    server = start_web_server(free_port(), "http://127.0.0.1:5005")
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{server.server_address[1]}/", method="HEAD")
        with urllib.request.urlopen(request) as reply:
            assert reply.status == 200 and reply.read() == b""
            assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    finally:
        server.shutdown()


def test_by_default_only_our_own_pages_may_call_rasa_from_a_browser(monkeypatch):
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    assert cors_origins_from_env(8080, 8081) == page_origins(8080, 8081)
    assert "*" not in cors_origins_from_env(8080, 8081)
    assert "http://127.0.0.1:8080" in cors_origins_from_env(8080, None)
    monkeypatch.setenv("CORS_ORIGINS", "https://www.clinic.example")
    assert cors_origins_from_env(8080, 8081)[-1] == "https://www.clinic.example"


def test_a_server_with_no_allowed_origin_gets_no_cors_argument(tmp_path):
    args = rasa_server_args(ServerConfig(model=tmp_path / "m.tar.gz"), tmp_path / "endpoints.yml")
    assert "--cors" not in args  # Rasa then sends no Access-Control-Allow-Origin at all


class _Request:
    method, path, route = "POST", "/webhook", None


def test_the_action_server_never_answers_with_the_body_or_the_error_text(caplog):
    secret = "visitor said: my phone is 212 555 0123"
    reply = asyncio.run(safe_error_reply(_Request(), ValueError(secret)))
    assert reply.status == 500
    assert b"555" not in reply.body and b"Traceback" not in reply.body
    assert "555" not in caplog.text and "ValueError" in caplog.text
    assert asyncio.run(safe_error_reply(_Request(), NotFound("no"))).status == 404


def test_rasas_log_line_for_an_action_that_could_not_run_is_noticed_for_the_message():
    store_outage.watch_action_failures()
    store_outage.watch_action_failures()  # once per process, however often it is called
    processor = logging.getLogger(store_outage.RASA_PROCESSOR_LOGGER)
    assert sum(isinstance(h, store_outage.ActionFailureWatcher) for h in processor.handlers) == 1
    with store_outage.watching() as outage:
        processor.error("Some other problem.")
    assert not outage.action_failed
    with store_outage.watching() as outage:
        processor.error("Encountered an exception while running action 'action_ask_name'.Bot will continue")
    assert outage.action_failed
