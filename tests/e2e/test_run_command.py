"""`make run`'s entry point as a visitor's clinic would start it: ready, serving, and Ctrl-C stops all."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ops.servers import free_port

from clinic.paths import REPO_ROOT


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_run_prints_where_to_chat_serves_the_page_and_stops_on_ctrl_c(tmp_path):
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "CLINIC_DB_URL": f"sqlite:///{tmp_path / 'clinic.db'}", "RASA_AUTH_TOKEN": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.run"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    output = []
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        banner = "".join(output)
        assert f"http://127.0.0.1:{ports['WEB_PORT']}/" in banner, banner
        assert "HTTP API token (generated for this session):" in banner
        page = urllib.request.urlopen(f"http://127.0.0.1:{ports['WEB_PORT']}/", timeout=10).read().decode()
        assert "widget.js" in page and "Clearview Skin Clinic" in page
        assert _listening(ports["RASA_PORT"]) and _listening(ports["ACTION_PORT"])

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        rest, _ = process.communicate(timeout=60)
        assert "Stopped." in rest
        assert process.returncode == 0
        for port in ports.values():
            assert not _listening(port), port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
