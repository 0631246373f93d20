"""Start, watch and stop the action server and the Rasa server as child processes.

`make run`, `make shell` and the end-to-end tests all go through `BotServers`, so the
tests exercise exactly what a visitor gets.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from clinic.paths import CREDENTIALS_PATH, REPO_ROOT, TRACKER_DB_ENV_VAR, VAR_DIR
from ops.rasa_env import rasa_env

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def render_endpoints(path: Path, action_port: int, action_token: str) -> Path:
    """Write the endpoints file Rasa uses, from the port and token of this run.

    The tracker store finds its database itself (TRACKER_DB_URL, passed in the server's
    environment, or the default in clinic.paths), exactly as the staff commands do.
    """
    lines = [
        "# Written by ops/servers.py for this run; edit endpoints.yml for the defaults.",
        "action_endpoint:",
        f'  url: "http://{LOOPBACK}:{action_port}/webhook"',
    ]
    if action_token:
        lines.append(f"  token: {json.dumps(action_token)}")
    lines += ["tracker_store:", "  type: channels.tracker_store.ClinicSQLTrackerStore"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # it holds the shared secret
    return path


@dataclass
class ServerConfig:
    model: Path
    rasa_port: int = 5005
    action_port: int = 5055
    auth_token: str = ""
    action_token: str = ""
    cors_origins: List[str] = field(default_factory=lambda: ["*"])
    work_dir: Path = VAR_DIR
    extra_env: Dict[str, str] = field(default_factory=dict)
    # Where conversations are kept (an SQLAlchemy URL); None: clinic.paths' default.
    tracker_db_url: Optional[str] = None
    # The staff console's port (python -m staff.console); None: no console.
    staff_port: Optional[int] = None

    @classmethod
    def throwaway(cls, model: Path, work: Path, extra_env: Optional[Dict[str, str]] = None) -> ServerConfig:
        """Servers for a test or a benchmark: free loopback ports, fresh tokens, SQLite stores in `work`
        (never the repo's own conversations or requests); `extra_env` adds to or overrides that."""
        return cls(
            model=model,
            rasa_port=free_port(),
            action_port=free_port(),
            auth_token=secrets.token_urlsafe(16),
            action_token=secrets.token_urlsafe(16),
            work_dir=work,
            tracker_db_url=f"sqlite:///{work / 'tracker.db'}",
            extra_env={"CLINIC_DB_URL": f"sqlite:///{work / 'clinic.db'}", **(extra_env or {})},
        )

    @property
    def rasa_url(self) -> str:
        return f"http://{LOOPBACK}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{LOOPBACK}:{self.action_port}"

    @property
    def staff_url(self) -> str:
        return f"http://{LOOPBACK}:{self.staff_port}"


def action_server_args(cfg: ServerConfig) -> List[str]:
    return ["run", "actions", "--actions=actions", f"--port={cfg.action_port}"]


def rasa_server_args(cfg: ServerConfig, endpoints: Path) -> List[str]:
    """`rasa run` arguments. Every value is attached with `=`: a generated token can begin
    with "-" and would otherwise be read as an option (about one start in 64)."""
    args = [
        "run",
        "--enable-api",
        f"--auth-token={cfg.auth_token}",
        f"--interface={LOOPBACK}",
        f"--port={cfg.rasa_port}",
        f"--model={cfg.model}",
        f"--endpoints={endpoints}",
        f"--credentials={CREDENTIALS_PATH}",
    ]
    # --cors takes several values, so it can't use "="; origins are URLs or "*", never "-...".
    return [*args, "--cors", *cfg.cors_origins] if cfg.cors_origins else args


class ServerFailedError(RuntimeError):
    pass


def _get(url: str, timeout: float = 2.0) -> Optional[int]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return None


def process_env(
    name: str, action_token: str, tracker_db_url: Optional[str], extra_env: Optional[Dict[str, str]] = None
) -> Dict[str, str]:
    """The environment of one of our server processes ("rasa", "actions" or "console")."""
    env = rasa_env()
    env.update(
        {
            "SANIC_HOST": LOOPBACK,  # rasa-sdk binds 0.0.0.0 unless told otherwise
            "ACTION_SERVER_TOKEN": action_token,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if tracker_db_url:
        env[TRACKER_DB_ENV_VAR] = tracker_db_url
    if name == "rasa":
        env.update(
            {
                # One message's TensorFlow ops are tiny: handing them to thread pools
                # costs more than it saves, and on 2 cores the pools fight the event
                # loop. (Not for the action server: Rasa's CLI imports TensorFlow when
                # it sees these, ~350 MB for a server that never uses it.)
                "TF_INTRA_OP_PARALLELISM_THREADS": "1",
                "TF_INTER_OP_PARALLELISM_THREADS": "1",
                # glibc gives each thread its own malloc arena; fewer arenas, less RSS.
                "MALLOC_ARENA_MAX": "2",
            }
        )
    env.update(extra_env or {})
    return env


class BotServers:
    """Both servers for one run; use as a context manager or call start()/stop()."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.log_dir = config.work_dir / "logs"
        self.processes: Dict[str, subprocess.Popen[bytes]] = {}

    def _env(self, name: str) -> Dict[str, str]:
        return process_env(name, self.config.action_token, self.config.tracker_db_url, self.config.extra_env)

    def _spawn(self, name: str, args: List[str], module: str = "rasa") -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=REPO_ROOT,
            env=self._env(name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C goes to the supervisor, which stops children
        )
        log.close()

    def start(self, timeout: float = 180.0) -> BotServers:
        cfg = self.config
        endpoints = render_endpoints(cfg.work_dir / "endpoints.yml", cfg.action_port, cfg.action_token)
        self._spawn("actions", action_server_args(cfg))
        self._spawn("rasa", rasa_server_args(cfg, endpoints))
        deadline = time.monotonic() + timeout
        self._wait_until("actions", f"{cfg.action_url}/health", deadline)
        self._wait_until("rasa", f"{cfg.rasa_url}/status?token={cfg.auth_token}", deadline)
        if cfg.staff_port:
            self._spawn("console", [f"--port={cfg.staff_port}"], module="staff.console")
            self._wait_until("console", f"{cfg.staff_url}/login", deadline)
        return self

    def _wait_until(self, name: str, url: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            self.check_alive()
            if _get(url) == 200:
                return
            time.sleep(0.5)
        self.stop()
        raise ServerFailedError(f"{name} server not ready in time; see {self.log_dir / (name + '.log')}")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                self.stop()
                raise ServerFailedError(
                    f"{name} server exited with code {process.returncode}; see {self.log_dir / (name + '.log')}"
                )

    def stop(self, grace: float = 10.0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> BotServers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
