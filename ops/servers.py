"""Start, watch and stop the action server and the Rasa server as child processes.

`make run`, `make shell` and the end-to-end tests all go through `BotServers`, so the
tests exercise exactly what a visitor gets.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from clinic.limits import MAX_REQUEST_BYTES
from clinic.paths import CREDENTIALS_PATH, TRACKER_DB_ENV_VAR, VAR_DIR
from ops.rasa_env import rasa_env
from ops.supervisor import ManagedProcess, ProcessFailedError, http_ok, stop_all, with_model

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


def page_origins(*ports: Optional[int]) -> List[str]:
    """The browser origins of pages we serve ourselves (the chat page, the console)."""
    return [f"http://{host}:{port}" for port in ports if port for host in (LOOPBACK, "localhost")]


def cors_origins_from_env(web_port: Optional[int], staff_port: Optional[int]) -> List[str]:
    """Who may call the Rasa server from a browser: our own pages, plus CORS_ORIGINS (the
    clinic's site). Any other website's page gets no Access-Control-Allow-Origin."""
    extra = os.environ.get("CORS_ORIGINS", "").split()
    return list(dict.fromkeys([*page_origins(web_port, staff_port), *extra]))


@dataclass
class ServerConfig:
    model: Path
    rasa_port: int = 5005
    action_port: int = 5055
    auth_token: str = ""
    action_token: str = ""
    # Browser origins allowed to call Rasa (cors_origins_from_env); empty: none.
    cors_origins: List[str] = field(default_factory=list)
    work_dir: Path = VAR_DIR
    extra_env: Dict[str, str] = field(default_factory=dict)
    # Where conversations are kept (an SQLAlchemy URL); None: clinic.paths' default.
    tracker_db_url: Optional[str] = None
    # The staff console's port (python -m staff.console); None: no console.
    staff_port: Optional[int] = None
    # Where a test serves the chat page (throwaway); `make run` has WEB_PORT.
    page_port: Optional[int] = None

    @classmethod
    def throwaway(cls, model: Path, work: Path, extra_env: Optional[Dict[str, str]] = None) -> ServerConfig:
        """Servers for a test or a benchmark: free loopback ports, fresh tokens, SQLite stores in `work`
        (never the repo's own conversations or requests); `extra_env` adds to or overrides that.
        A chat page for it goes on `page_port` (the one origin CORS allows). Rate limits are
        off (RATE_LIMIT_*=0): a test or benchmark sends everything from one address; the
        tests of the limits set them back."""
        page_port = free_port()
        return cls(
            page_port=page_port,
            cors_origins=page_origins(page_port),
            model=model,
            rasa_port=free_port(),
            action_port=free_port(),
            auth_token=secrets.token_urlsafe(16),
            action_token=secrets.token_urlsafe(16),
            work_dir=work,
            tracker_db_url=f"sqlite:///{work / 'tracker.db'}",
            extra_env={
                "CLINIC_DB_URL": f"sqlite:///{work / 'clinic.db'}",
                "RATE_LIMIT_PER_SENDER": "0",
                "RATE_LIMIT_PER_CLIENT": "0",
                "RATE_LIMIT_SIGN_INS": "0",
                **(extra_env or {}),
            },
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


def process_env(
    name: str, action_token: str, tracker_db_url: Optional[str], extra_env: Optional[Dict[str, str]] = None
) -> Dict[str, str]:
    """The environment of one of our server processes ("rasa", "actions" or "console")."""
    env = rasa_env({**os.environ, **(extra_env or {})})  # its HOME, PYTHONPATH... as the process will see them
    env.update(
        {
            "SANIC_HOST": LOOPBACK,  # rasa-sdk binds 0.0.0.0 unless told otherwise
            # Sanic's default is 100 MB; every server of ours refuses more with 413.
            "SANIC_REQUEST_MAX_SIZE": str(MAX_REQUEST_BYTES),
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
    """Both servers (and the console) for one run; use as a context manager or call start()/stop().

    Each is a ManagedProcess: `watch()`, called every second by `make run`, restarts one that
    died, with back-off and a log line, while the others keep serving. A Rasa server that comes
    back loads the model put live since the start (`live_model`, from var/run.json).
    """

    def __init__(self, config: ServerConfig, live_model: Optional[Callable[[], Optional[Path]]] = None) -> None:
        self.config = config
        self.log_dir = config.work_dir / "logs"
        self.processes: Dict[str, ManagedProcess] = {}
        self.live_model = live_model

    def _env(self, name: str) -> Dict[str, str]:
        return process_env(name, self.config.action_token, self.config.tracker_db_url, self.config.extra_env)

    def _spawn(self, name: str, args: List[str], ready_url: str, module: str = "rasa") -> ManagedProcess:
        process = ManagedProcess(
            name,
            [sys.executable, "-m", module, *args],
            self.log_dir / f"{name}.log",
            env=self._env(name),
            ready=lambda: http_ok(ready_url),
        )
        self.processes[name] = process
        process.start()
        return process

    def start(self, timeout: float = 180.0) -> BotServers:
        cfg = self.config
        endpoints = render_endpoints(cfg.work_dir / "endpoints.yml", cfg.action_port, cfg.action_token)
        actions = self._spawn("actions", action_server_args(cfg), f"{cfg.action_url}/health")
        rasa = self._spawn("rasa", rasa_server_args(cfg, endpoints), f"{cfg.rasa_url}/status?token={cfg.auth_token}")
        rasa.before_restart = self._load_the_live_model
        deadline = time.monotonic() + timeout
        try:
            actions.wait_ready(deadline)
            rasa.wait_ready(deadline)
            if cfg.staff_port:
                self._spawn("console", [f"--port={cfg.staff_port}"], f"{cfg.staff_url}/login", "staff.console")
                self.processes["console"].wait_ready(deadline)
        except ProcessFailedError as error:
            self.stop()
            raise ServerFailedError(str(error)) from None
        return self

    def _load_the_live_model(self, process: ManagedProcess) -> None:
        live = self.live_model() if self.live_model else None
        if live is not None and live.is_file():
            process.argv = with_model(process.argv, live)

    def pid(self, name: str) -> int:
        """The process id of a started server ("rasa", "actions", "console")."""
        pid = self.processes[name].pid
        if pid is None:
            raise ServerFailedError(f"{name} server was never started")
        return pid

    def check_alive(self) -> None:
        """For runs that must not go on without a server (benchmarks): raise if one died."""
        for name, process in self.processes.items():
            if not process.running():
                code = process.popen.returncode if process.popen else None
                self.stop()
                raise ServerFailedError(f"{name} server exited with code {code}; see {process.log_path}")

    def watch(self, say: Callable[[str], None]) -> None:
        """Restart any server that died (after its back-off); the others keep serving."""
        for process in self.processes.values():
            process.watch(say)

    def stop(self, grace: float = 10.0) -> None:
        stop_all(list(reversed(self.processes.values())), grace)

    def __enter__(self) -> BotServers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
