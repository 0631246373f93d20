"""The servers `make cluster` runs beside Rasa, from Debian's packages: PostgreSQL, Redis, nginx.

Each function returns a `ManagedProcess` (run in the foreground, so the supervisor sees it
die and restarts it) and what the others need to reach it. PostgreSQL's data stays under
var/cluster/postgres between runs (conversations and requests survive a restart); Redis
keeps only locks, so it keeps nothing on disk.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlparse

from ops.supervisor import ManagedProcess

LOOPBACK = "127.0.0.1"
NGINX_TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "clinic.conf.template"
TEMPLATE_KEYS = (
    "RASA_UPSTREAM_SERVERS",
    "PAGE_UPSTREAM",
    "CONSOLE_UPSTREAM",
    "LISTEN_HOST",
    "RASA_PORT",
    "WEB_PORT",
    "STAFF_PORT",
    "UNAVAILABLE_REPLY",
)


class MissingPackageError(RuntimeError):
    pass


def port_answers(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _binary(name: str, package: str, pattern: Optional[str] = None) -> str:
    found = sorted(glob.glob(pattern)) if pattern else []
    path = (
        found[-1]
        if found
        else shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else "")
    )
    if not path:
        raise MissingPackageError(
            f"{name} was not found: install Debian's `{package}` package "
            "(`make cluster` does this itself when it runs as root or with sudo: scripts/ensure_cluster_deps.sh)"
        )
    return path


def _as_postgres(args: List[str]) -> List[str]:
    # PostgreSQL refuses to run as root; these machines and CI run as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _give_to_postgres(*paths: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in paths:
            os.chown(path, user.pw_uid, user.pw_gid)


@dataclass
class Postgres:
    process: ManagedProcess
    port: int
    password: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://clinic:{self.password}@{LOOPBACK}:{self.port}/{database}"


def postgres(base: Path, port: int, log_dir: Path) -> Postgres:
    """A PostgreSQL server whose data lives in `base` (created on the first run), as user
    `clinic` with a password kept beside it (readable only by its owner)."""
    data, sockets, password_file = base / "data", base / "sockets", base / "password"
    base.mkdir(parents=True, exist_ok=True)
    sockets.mkdir(exist_ok=True)
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(24))
    _give_to_postgres(base, sockets, password_file)
    os.chmod(password_file, 0o600)
    password = password_file.read_text().strip()
    if not (data / "PG_VERSION").exists():
        data.mkdir(exist_ok=True)
        _give_to_postgres(data)
        initdb = _binary("initdb", "postgresql", "/usr/lib/postgresql/*/bin/initdb")
        subprocess.run(
            _as_postgres(
                [initdb, "-D", str(data), "-U", "clinic", f"--pwfile={password_file}", "--auth-host=scram-sha-256"]
                + ["--auth-local=peer", "--encoding=UTF8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
    binary = _binary("postgres", "postgresql", "/usr/lib/postgresql/*/bin/postgres")
    argv = _as_postgres(
        [binary, "-D", str(data), "-p", str(port), "-k", str(sockets), "-c", f"listen_addresses={LOOPBACK}"]
    )
    process = ManagedProcess("postgres", argv, log_dir / "postgres.log", ready=lambda: port_answers(port))
    return Postgres(process, port, password)


def create_databases(server: Postgres, names: List[str]) -> None:
    """CREATE DATABASE for each name that does not exist yet."""
    import psycopg2  # Rasa's own PostgreSQL driver (psycopg2-binary)

    connection = psycopg2.connect(
        host=LOOPBACK, port=server.port, user="clinic", password=server.password, dbname="postgres"
    )
    connection.autocommit = True  # CREATE DATABASE can't run in a transaction
    try:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


@dataclass
class RedisAddress:
    host: str
    port: int
    db: int
    password: str

    def rasa_env(self) -> Dict[str, str]:
        """The variables deploy/endpoints.yml reads for Rasa's Redis lock store."""
        return {
            "REDIS_HOST": self.host,
            "REDIS_PORT": str(self.port),
            "REDIS_DB": str(self.db),
            "REDIS_PASSWORD": self.password,
        }


def parse_redis_url(url: str) -> RedisAddress:
    """redis://[:password@]host[:port][/db] into Rasa's lock store fields."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "") or not parsed.hostname:
        raise ValueError(f"REDIS_URL must look like redis://:password@host:6379/0, not {url!r}")
    db = parsed.path.strip("/") or "0"
    if not db.isdigit():
        raise ValueError(f"REDIS_URL's database must be a number, not {db!r}")
    return RedisAddress(parsed.hostname, parsed.port or 6379, int(db), parsed.password or "")


def redis(base: Path, port: int, log_dir: Path) -> tuple[ManagedProcess, RedisAddress]:
    """A Redis server for the lock store only: no persistence, a fresh password each run."""
    base.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    config = base / "redis.conf"  # the password in a file, not in `ps` output
    config.write_text(
        "\n".join(
            [
                f"bind {LOOPBACK}",
                f"port {port}",
                f"requirepass {password}",
                'save ""',
                "appendonly no",
                f"dir {base}",
                "daemonize no",
                "loglevel warning",
            ]
        )
        + "\n"
    )
    os.chmod(config, 0o600)
    argv = [_binary("redis-server", "redis-server"), str(config)]
    process = ManagedProcess("redis", argv, log_dir / "redis.log", ready=lambda: port_answers(port))
    return process, RedisAddress(LOOPBACK, port, 0, password)


def render_nginx_site(values: Dict[str, str], template: Path = NGINX_TEMPLATE) -> str:
    """Fill the ${NAME} values of the shared template (the same that deploy/compose.yaml uses)."""
    text = template.read_text()
    for key in TEMPLATE_KEYS:
        text = text.replace("${" + key + "}", values[key])
    return text


def unavailable_reply(text: str) -> str:
    """The chat-shaped body nginx answers when no Rasa server does (inside single quotes)."""
    return json.dumps([{"recipient_id": "", "text": text}]).replace("'", "\u2019")


def nginx(base: Path, values: Dict[str, str], log_dir: Path) -> ManagedProcess:
    """nginx in the foreground with its own prefix under `base`: no system config is touched."""
    for sub in ("temp", "logs"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    (base / "clinic.conf").write_text(render_nginx_site(values))
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    if os.geteuid() == 0:
        entry = pwd.getpwnam("www-data")
        os.chown(base / "temp", entry.pw_uid, entry.pw_gid)
    temp = base / "temp"
    (base / "nginx.conf").write_text(
        f"""# Written by ops/cluster.py for this run; the site itself is deploy/nginx/clinic.conf.template.
{user}worker_processes 1;
pid {base / "nginx.pid"};
error_log {log_dir / "nginx.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;  # URLs carry visitors' conversation ids; not logged
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server_tokens off;
    include {base / "clinic.conf"};
}}
"""
    )
    binary = _binary("nginx", "nginx")
    argv = [binary, "-p", str(base), "-c", str(base / "nginx.conf"), "-g", "daemon off;"]
    check = subprocess.run([*argv[:-2], "-t"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused the generated configuration:\n{check.stderr}")
    port = int(values["RASA_PORT"])
    return ManagedProcess("nginx", argv, log_dir / "nginx.out.log", ready=lambda: port_answers(port))
