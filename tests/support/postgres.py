"""A throwaway PostgreSQL server on loopback for the store's contract tests.

Uses Debian's PostgreSQL binaries (the test setup installs the `postgresql` package when
missing). A missing PostgreSQL fails the tests: it is never a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List

from ops.servers import free_port


def _bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    path = candidates[-1]
    if not path or not os.path.exists(path):
        raise RuntimeError(
            f"PostgreSQL's {name} was not found: install Debian's `postgresql` package "
            "(make test does this when it can: scripts/ensure_test_deps.sh)"
        )
    return path


def _as_postgres_user(args: List[str]) -> List[str]:
    # initdb refuses to run as root; CI and these machines run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a fresh cluster in a new temporary folder; yield its URL; stop and remove it."""
    # Its own folder: pytest's tmp folders are private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="clinic-pg-"))
    data = base / "pgdata"
    socket_dir = base / "pgsock"
    data.mkdir(parents=True)
    socket_dir.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (base, data, socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    subprocess.run(
        _as_postgres_user([_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    options = f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres_user([_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "pg.log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres_user([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)
