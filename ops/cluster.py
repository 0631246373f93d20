"""`make cluster`: Rasa's documented production topology, on this machine.

    visitors ──► nginx :RASA_PORT ──► Rasa server 1 ─┐          ┌─► PostgreSQL (conversations,
                 (round robin)    └─► Rasa server N ─┼─► action server      bookings, hand-offs)
    chat page ◄─ nginx :WEB_PORT                     └─► Redis (Rasa's lock store: one visitor's
    console   ◄─ nginx :STAFF_PORT ─► staff console          messages in order on any server)

Environment (defaults in brackets): RASA_INSTANCES (2), RASA_PORT (5005), WEB_PORT (8080),
STAFF_PORT (8081), ACTION_PORT (5055), RASA_AUTH_TOKEN / ACTION_SERVER_TOKEN (generated),
TRACKER_DB_URL / CLINIC_DB_URL (a PostgreSQL server this command runs, data in
var/cluster/postgres), REDIS_URL (a Redis server this command runs), CORS_ORIGINS (none besides our own pages),
CLUSTER_MODEL (a model file to serve instead of training; the benchmark's other configs),
CLUSTER_DIR (var/cluster: data, logs, cluster.json; tests use a temporary folder),
TRACKER_WINDOW_EVENTS (60: events of a session a server loads per message, 0 = all).

Every process is supervised: one that dies is restarted with back-off while the others
serve. var/cluster.json lists the Rasa servers once everything answers; Ctrl-C or SIGTERM
stops everything.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from clinic.paths import CLINIC_DB_ENV_VAR, MODELS_DIR, REPO_ROOT, RUN_FILE, VAR_DIR
from clinic.settings import SettingsError, current_settings, load_settings
from clinic.texts import render
from ops import cluster_services as services
from ops.housekeeping import DailyPurge
from ops.reload import remove_run_file, write_run_file
from ops.servers import (
    LOOPBACK,
    ServerConfig,
    action_server_args,
    cors_origins_from_env,
    free_port,
    process_env,
    rasa_server_args,
)
from ops.supervisor import ManagedProcess, ProcessFailedError, http_ok, stop_all, with_model
from ops.training import train_if_stale
from ops.web import start_web_server

# CLUSTER_DIR moves the cluster's data, logs and state files (tests run one in a temporary folder).
CLUSTER_DIR = Path(os.environ.get("CLUSTER_DIR") or VAR_DIR / "cluster")
CLUSTER_FILE = VAR_DIR / "cluster.json" if "CLUSTER_DIR" not in os.environ else CLUSTER_DIR / "cluster.json"
RUN_FILE_HERE = RUN_FILE if "CLUSTER_DIR" not in os.environ else CLUSTER_DIR / "run.json"
ENDPOINTS = REPO_ROOT / "deploy" / "endpoints.yml"
START_TIMEOUT_SECONDS = 240.0
# How long a conversation's lock outlives a server killed while it held it (Rasa's default is
# 60 s): the visitor's retried message waits that long on another server. A message here takes
# well under a second, action calls included, so 10 s still never lets two servers share a turn.
LOCK_LIFETIME_SECONDS = 10


def rasa_status(url: str, token: str) -> Optional[Dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{url}/status?token={token}", timeout=2) as reply:
            return dict(json.loads(reply.read()))
    except (OSError, ValueError):
        return None


def say(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class ClusterPlan:
    """Everything decided before anything starts: ports, tokens, where the data goes."""

    model: Path
    instances: int
    rasa_port: int
    web_port: int
    staff_port: int
    action_port: int
    auth_token: str
    action_token: str
    cors_origins: List[str]
    work: Path = CLUSTER_DIR
    tracker_db_url: Optional[str] = None  # None: our own PostgreSQL
    clinic_db_url: Optional[str] = None
    redis_url: Optional[str] = None  # None: our own Redis
    rasa_ports: List[int] = field(default_factory=list)

    @property
    def public_rasa_url(self) -> str:
        return f"http://{LOOPBACK}:{self.rasa_port}"

    def server_urls(self) -> List[str]:
        return [f"http://{LOOPBACK}:{port}" for port in self.rasa_ports]


def plan_from_env(model: Path) -> ClusterPlan:
    instances = int(os.environ.get("RASA_INSTANCES", "2"))
    if instances < 1:
        raise ValueError("RASA_INSTANCES must be 1 or more")
    return ClusterPlan(
        model=model,
        instances=instances,
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        web_port=int(os.environ.get("WEB_PORT", "8080")),
        staff_port=int(os.environ.get("STAFF_PORT", "8081")),
        action_port=int(os.environ.get("ACTION_PORT", "5055")),
        auth_token=os.environ.get("RASA_AUTH_TOKEN") or secrets.token_urlsafe(24),
        action_token=os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(24),
        cors_origins=cors_origins_from_env(
            int(os.environ.get("WEB_PORT", "8080")), int(os.environ.get("STAFF_PORT", "8081"))
        ),
        tracker_db_url=os.environ.get("TRACKER_DB_URL") or None,
        clinic_db_url=os.environ.get(CLINIC_DB_ENV_VAR) or None,
        redis_url=os.environ.get("REDIS_URL") or None,
        rasa_ports=[free_port() for _ in range(instances)],
    )


class Cluster:
    def __init__(self, plan: ClusterPlan) -> None:
        self.plan = plan
        self.logs = plan.work / "logs"
        self.processes: List[ManagedProcess] = []
        self.rasa: List[ManagedProcess] = []
        self.page_server: Any = None
        self.page_port = free_port()
        self.console_port = free_port()
        self.service_ports: Dict[str, int] = {}  # our own PostgreSQL and Redis, if we run them

    # ---- start -------------------------------------------------------------------------------
    def start(self) -> None:
        plan = self.plan
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        if plan.tracker_db_url is None or plan.clinic_db_url is None:
            pg = services.postgres(plan.work / "postgres", free_port(), self.logs)
            self._run(pg.process, deadline)
            self.service_ports["postgres"] = pg.port
            services.create_databases(pg, ["tracker", "clinic"])
            plan.tracker_db_url = plan.tracker_db_url or pg.url("tracker")
            plan.clinic_db_url = plan.clinic_db_url or pg.url("clinic")
            say(f"PostgreSQL ready on {LOOPBACK}:{pg.port} (data: {plan.work / 'postgres' / 'data'})")
        if plan.redis_url is None:
            redis_process, redis = services.redis(plan.work / "redis", free_port(), self.logs)
            self._run(redis_process, deadline)
            self.service_ports["redis"] = redis.port
            say(f"Redis ready on {LOOPBACK}:{redis.port} (lock store)")
        else:
            redis = services.parse_redis_url(plan.redis_url)
        shared = {
            CLINIC_DB_ENV_VAR: plan.clinic_db_url,
            "ACTION_SERVER_URL": f"http://{LOOPBACK}:{plan.action_port}/webhook",
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_SECONDS),
            # Rasa's lock store, and the rate-limit counts every server shares (storage/rate_limits.py).
            **redis.rasa_env(),
            # Behind nginx every request comes from loopback: the visitor's address is the
            # X-Real-IP nginx sets (the servers listen on loopback only, so nobody else can).
            "SANIC_REAL_IP_HEADER": "X-Real-IP",
        }
        config = ServerConfig(
            model=plan.model,
            action_port=plan.action_port,
            auth_token=plan.auth_token,
            action_token=plan.action_token,
            cors_origins=plan.cors_origins,
            tracker_db_url=plan.tracker_db_url,
        )
        actions = self._managed("actions", action_server_args(config), shared, health=f"{config.action_url}/health")
        self._run(actions, deadline, wait=False)
        for index, port in enumerate(plan.rasa_ports, start=1):
            config.rasa_port = port
            health = f"{config.rasa_url}/status?token={plan.auth_token}"  # answers once the model is in
            rasa = self._managed(f"rasa-{index}", rasa_server_args(config, ENDPOINTS), shared, health=health)
            rasa.before_restart = self._load_the_live_model
            self.rasa.append(rasa)
            self._run(rasa, deadline, wait=False)
        say(f"Starting the action server and {plan.instances} Rasa servers (each loads the model: 20-60 s)...")
        for process in [actions, *self.rasa]:
            process.wait_ready(deadline)
        console_env = {
            **shared,
            "RASA_URL": plan.public_rasa_url,
            "RASA_AUTH_TOKEN": plan.auth_token,
            "RASA_SERVER_URLS": " ".join(plan.server_urls()),  # a model goes live on each
        }
        console = self._managed(
            "console",
            [f"--port={self.console_port}"],
            console_env,
            health=f"http://{LOOPBACK}:{self.console_port}/login",
            module="staff.console",
        )
        self._run(console, deadline)
        self.page_server = start_web_server(self.page_port, plan.public_rasa_url)
        values = {
            "RASA_UPSTREAM_SERVERS": " ".join(
                f"server {LOOPBACK}:{port} max_fails=3 fail_timeout=2s;" for port in plan.rasa_ports
            ),
            "PAGE_UPSTREAM": f"{LOOPBACK}:{self.page_port}",
            "CONSOLE_UPSTREAM": f"{LOOPBACK}:{self.console_port}",
            "LISTEN_HOST": LOOPBACK,
            "RASA_PORT": str(plan.rasa_port),
            "WEB_PORT": str(plan.web_port),
            "STAFF_PORT": str(plan.staff_port),
            "UNAVAILABLE_REPLY": services.unavailable_reply(render("server_failure", current_settings()).text),
        }
        self._run(services.nginx(plan.work / "nginx", values, self.logs), deadline)

    def _managed(
        self, name: str, args: List[str], extra: Dict[str, str], health: str, module: str = "rasa"
    ) -> ManagedProcess:
        kind = "rasa" if name.startswith("rasa") else name
        env = process_env(kind, self.plan.action_token, self.plan.tracker_db_url, extra)
        return ManagedProcess(
            name,
            [sys.executable, "-m", module, *args],
            self.logs / f"{name}.log",
            env=env,
            ready=lambda: http_ok(health),
        )

    def _load_the_live_model(self, process: ManagedProcess) -> None:
        """A Rasa server that comes back loads what the others serve now (a model staff put live
        since the start), not the model the cluster started with."""
        for port in self.plan.rasa_ports:
            status = rasa_status(f"http://{LOOPBACK}:{port}", self.plan.auth_token)
            if status and status.get("model_file"):
                served = Path(str(status["model_file"]))
                live = next((p for p in (served, MODELS_DIR / served.name) if p.is_file()), None)
                if live is not None:
                    process.argv = with_model(process.argv, live)
                return

    def _run(self, process: ManagedProcess, deadline: float, wait: bool = True) -> None:
        self.processes.append(process)
        process.start()
        if wait:
            process.wait_ready(deadline)

    # ---- while running ----------------------------------------------------------------------
    def describe(self) -> Dict[str, Any]:
        """var/cluster.json: what outside checks and tests read (run contract, "Past one process")."""
        return {
            "rasa": [{"pid": p.pid, "port": port} for p, port in zip(self.rasa, self.plan.rasa_ports)],
            "ready": True,
            "load_balancer": self.plan.public_rasa_url,
            "processes": {p.name: {"pid": p.pid, "restarts": p.restarts} for p in self.processes},
            "ports": {"actions": self.plan.action_port, **self.service_ports},
        }

    def write_files(self) -> None:
        CLUSTER_FILE.parent.mkdir(parents=True, exist_ok=True)
        temporary = CLUSTER_FILE.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.describe(), indent=2))
        temporary.replace(CLUSTER_FILE)
        write_run_file(self.plan.public_rasa_url, self.plan.auth_token, RUN_FILE_HERE, servers=self.plan.server_urls())

    def supervise(self) -> None:
        pids = [p.pid for p in self.processes]
        for process in self.processes:
            process.watch(say)
        if [p.pid for p in self.processes] != pids:
            self.write_files()  # a restarted server has a new pid

    def stop(self) -> None:
        if self.page_server is not None:
            self.page_server.shutdown()
        # Front first, so nothing new arrives while the servers behind it stop.
        stop_all(list(reversed(self.processes)))
        CLUSTER_FILE.unlink(missing_ok=True)
        remove_run_file(RUN_FILE_HERE)


def banner(plan: ClusterPlan, token_generated: bool) -> str:
    token = f"{plan.auth_token} (generated for this run)" if token_generated else "the RASA_AUTH_TOKEN you set"
    return f"""
The clinic assistant is running as a cluster: {plan.instances} Rasa servers behind nginx.
  Chat page:      http://{LOOPBACK}:{plan.web_port}/
  Webhook / API:  {plan.public_rasa_url}/webhooks/rest/webhook   (load balanced; API token: {token})
  Staff console:  http://{LOOPBACK}:{plan.staff_port}/
  Rasa servers:   {", ".join(plan.server_urls())}
  State:          {CLUSTER_FILE}   Logs: {CLUSTER_DIR / "logs"}/
A server that dies is restarted by itself. Press Ctrl-C to stop everything.
"""


def main() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        load_settings()
    except SettingsError as error:
        sys.exit(f"error: clinic settings: {error}")
    token_generated = not os.environ.get("RASA_AUTH_TOKEN")
    try:
        model = Path(os.environ["CLUSTER_MODEL"]) if os.environ.get("CLUSTER_MODEL") else train_if_stale()
        plan = plan_from_env(model)
    except ValueError as error:
        sys.exit(f"error: {error}")
    cluster = Cluster(plan)
    started = time.monotonic()
    try:
        try:
            cluster.start()
        except (ProcessFailedError, services.MissingPackageError, RuntimeError, OSError) as error:
            sys.exit(f"error: {error}")
        cluster.write_files()
        say(f"Ready in {time.monotonic() - started:.0f} s.")
        print(banner(plan, token_generated), flush=True)
        purge = DailyPurge(plan.tracker_db_url, plan.clinic_db_url, say)
        while True:
            time.sleep(0.5)
            cluster.supervise()
            purge.tick()
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    finally:
        cluster.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
