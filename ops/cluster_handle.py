"""`make cluster`'s entry point (python -m ops.cluster) run as a child process on free loopback
ports in a folder of its own, for the tests and the benchmark; and a client that sends a
message the way the widget does (one retry with the same message id)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from clinic.paths import REPO_ROOT
from ops.servers import free_port

START_TIMEOUT_SECONDS = 300.0


@dataclass
class Reply:
    status: int
    messages: List[Dict[str, Any]]
    retried: bool
    message_id: str

    @property
    def text(self) -> str:
        return " ".join(str(m.get("text", "")) for m in self.messages)


def post_json(url: str, body: Any, timeout: float = 60.0) -> Tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null")
        except ValueError:
            return error.code, raw.decode(errors="replace")


def get_json(url: str, timeout: float = 30.0) -> Tuple[int, Any]:
    """(status, the body as JSON, or None when it is not JSON); status 0: no answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            raw = reply.read()
            try:
                return reply.status, json.loads(raw or b"null")
            except ValueError:
                return reply.status, None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError):
        return 0, None


def send_like_the_widget(base_url: str, sender: str, text: str, message_id: Optional[str] = None) -> Reply:
    """POST a message; on no answer (connection error, 502-504) wait 1 s and send it once more
    with the same id and "retry": true, exactly as web/widget.js does."""
    message_id = message_id or secrets.token_hex(12)
    body: Dict[str, Any] = {"sender": sender, "message": text, "message_id": message_id}
    url = f"{base_url}/webhooks/rest/webhook"
    for attempt in (0, 1):
        try:
            status, messages = post_json(url, body)
        except (urllib.error.URLError, OSError, ValueError):
            status, messages = 0, None
        if status == 200 or not (status == 0 or 502 <= status <= 504) or attempt == 1:
            return Reply(status, messages if isinstance(messages, list) else [], attempt == 1, message_id)
        time.sleep(1.0)
        body["retry"] = True
    raise AssertionError("unreachable")


class RunningCluster:
    def __init__(self, work: Path, ports: Dict[str, int], token: str, process: subprocess.Popen[bytes]) -> None:
        self.work = work
        self.ports = ports
        self.token = token
        self.process = process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['RASA_PORT']}"

    def state(self) -> Dict[str, Any]:
        return dict(json.loads((self.work / "cluster.json").read_text()))

    def server_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.state()['rasa'][index]['port']}"

    def rasa_pid(self, index: int) -> int:
        return int(self.state()["rasa"][index]["pid"])

    def process_group(self, name: str) -> int:
        return int(self.state()["processes"][name]["pid"])

    def kill(self, name: str) -> None:
        """kill -9 a supervised process and everything it started."""
        os.killpg(self.process_group(name), signal.SIGKILL)

    def tracker(self, sender: str) -> Dict[str, Any]:
        status, tracker = get_json(f"{self.url}/conversations/{sender}/tracker?token={self.token}")
        assert status == 200, status
        return dict(tracker)

    def wait_all_serving(self, timeout: float = 180.0) -> None:
        """Every Rasa server answers /status (a restarted one has loaded its model)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = len(self.state()["rasa"])
            if all(get_json(f"{self.server_url(i)}/status?token={self.token}")[0] == 200 for i in range(count)):
                return
            time.sleep(1)
        raise AssertionError(f"the Rasa servers were not all serving within {timeout:.0f} s")

    def clinic_db_url(self) -> str:
        password = (self.work / "postgres" / "password").read_text().strip()
        port = self.state()["ports"]["postgres"]
        return f"postgresql+psycopg2://clinic:{password}@127.0.0.1:{port}/clinic"

    def nginx_errors(self, lines: int = 12) -> str:
        """The load balancer's last error lines, for a failing test's message."""
        log = self.work / "logs" / "nginx.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in (self.work / "logs").glob("*.log"))


def new_cluster_folder() -> Path:
    """A temporary folder the cluster's PostgreSQL (its own system user) can reach; pytest's
    and root's private temporary folders are closed to it."""
    work = Path(tempfile.mkdtemp(prefix="clinic-cluster-"))
    os.chmod(work, 0o755)
    return work


@contextmanager
def running_cluster(work: Path, extra_env: Dict[str, str], instances: int = 2) -> Iterator[RunningCluster]:
    ports = {name: free_port() for name in ("RASA_PORT", "WEB_PORT", "STAFF_PORT", "ACTION_PORT")}
    token = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "RASA_INSTANCES": str(instances),
        "RASA_AUTH_TOKEN": token,
        "CLUSTER_DIR": str(work),
        # A test or benchmark sends everything from one address; those about limits set them.
        "RATE_LIMIT_PER_SENDER": "0",
        "RATE_LIMIT_PER_CLIENT": "0",
        "RATE_LIMIT_SIGN_INS": "0",
        **extra_env,
    }
    for name in ("TRACKER_DB_URL", "CLINIC_DB_URL", "REDIS_URL", "RASA_URL", "RASA_SERVER_URLS"):
        if name not in extra_env:
            env.pop(name, None)
    log = open(work / "cluster.out", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.cluster"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    cluster = RunningCluster(work, ports, token, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not (work / "cluster.json").exists():
            if process.poll() is not None:
                raise AssertionError(
                    f"make cluster exited with {process.returncode}:\n{(work / 'cluster.out').read_text()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"make cluster not ready in time:\n{(work / 'cluster.out').read_text()}")
            time.sleep(0.5)
        yield cluster
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
