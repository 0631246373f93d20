"""`make run`'s entry point as a visitor's clinic would start it: ready, serving, and Ctrl-C stops all."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from clinic.paths import REPO_ROOT
from ops.servers import free_port


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _start(tmp_path, **extra_env):
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port(), "STAFF_PORT": free_port()}
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "CLINIC_DB_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        **extra_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.run"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if "Press Ctrl-C" in line:
            break
    return process, ports, "".join(output)


def test_run_prints_where_to_chat_serves_the_page_and_stops_on_ctrl_c(tmp_path):
    process, ports, banner = _start(tmp_path, RASA_AUTH_TOKEN="")
    try:
        assert f"http://127.0.0.1:{ports['WEB_PORT']}/" in banner, banner
        assert "HTTP API token (generated for this session):" in banner
        page = urllib.request.urlopen(f"http://127.0.0.1:{ports['WEB_PORT']}/", timeout=10).read().decode()
        assert "widget.js" in page and "Clearview Skin Clinic" in page
        assert _listening(ports["RASA_PORT"]) and _listening(ports["ACTION_PORT"])
        assert f"http://127.0.0.1:{ports['STAFF_PORT']}/" in banner
        console = urllib.request.urlopen(f"http://127.0.0.1:{ports['STAFF_PORT']}/login", timeout=10).read().decode()
        assert 'name="csrf_token"' in console

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        rest, _ = process.communicate(timeout=60)
        assert "Stopped." in rest
        assert process.returncode == 0
        for port in ports.values():
            assert not _listening(port), port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_tokens_that_begin_with_a_dash_are_not_read_as_options(tmp_path):
    """secrets.token_urlsafe begins with "-" about once in 64 starts; so may a token staff set."""
    token = "-Dash-first-token_x"
    process, ports, banner = _start(tmp_path, RASA_AUTH_TOKEN=token, ACTION_SERVER_TOKEN="-also-dashed")
    try:
        assert "Press Ctrl-C" in banner, banner
        url = f"http://127.0.0.1:{ports['RASA_PORT']}/status?token={urllib.parse.quote(token)}"
        assert urllib.request.urlopen(url, timeout=10).status == 200
        reply = (
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
                    data=b'{"sender": "dash-test", "message": "hi"}',
                    headers={"Content-Type": "application/json"},
                ),
                timeout=60,
            )
            .read()
            .decode()
        )
        # The clinic's name comes from action_session_start: the action server took the token.
        assert "Clearview Skin Clinic" in reply
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.communicate(timeout=60)
