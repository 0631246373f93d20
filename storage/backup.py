"""Backups of the two stores while the assistant runs: conversations and bookings.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the whole database in one
step under one read transaction, so the copy is consistent while Rasa and the console keep
writing (in WAL mode they are not even held up). PostgreSQL: `pg_dump` in its custom format,
which reads one snapshot of the database. Each file gets a UTC timestamp in its name and
mode 0600 (it holds the same personal data as the stores), and appears under its final name
only when complete. The README says how to restore.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

from clinic.paths import clinic_db_url, tracker_db_url


class BackupError(RuntimeError):
    """A store could not be copied; the message says which and why (never a password)."""


@dataclass(frozen=True)
class BackupFile:
    store: str  # "conversations", "bookings", or both when they share one database
    path: Path
    size: int


def backup(
    directory: Path,
    tracker_url: Optional[str] = None,
    clinic_url: Optional[str] = None,
    now: Optional[datetime] = None,
) -> List[BackupFile]:
    """Copy both stores into `directory` (made if missing, private to its owner)."""
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stores: Dict[Tuple[str, ...], Tuple[List[str], URL]] = {}
    for name, url in (("conversations", tracker_url or tracker_db_url()), ("bookings", clinic_url or clinic_db_url())):
        parsed = make_url(url)
        # One copy when both stores are one database (one SQLite file, or one PostgreSQL database).
        stores.setdefault(_identity(parsed), ([], parsed))[0].append(name)
    written = []
    for names, url in stores.values():
        store = "-and-".join(names)
        how = _COPIES.get(url.get_backend_name())
        if how is None:
            raise BackupError(f"{store}: no backup for {url.get_backend_name()} databases; use that database's tools")
        suffix, copy = how
        path = _write(directory, f"{store}-{stamp}", suffix, partial(copy, url))
        written.append(BackupFile(store, path, path.stat().st_size))
    return written


def _identity(url: URL) -> Tuple[str, ...]:
    if url.get_backend_name() == "sqlite":
        return ("sqlite", str(Path(url.database or "").resolve()))
    return (url.get_backend_name(), str(url.host), str(url.port or ""), str(url.database), str(url.username))


def _write(directory: Path, stem: str, suffix: str, copy: Callable[[Path], None]) -> Path:
    """Run `copy` into a private .part file, then give it its final name (never overwriting one)."""
    for attempt in range(1, 100):
        final = directory / f"{stem}{'' if attempt == 1 else f'-{attempt}'}{suffix}"
        part = final.with_name(final.name + ".part")
        if final.exists():
            continue
        try:
            os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue  # another backup is writing this name right now
        try:
            copy(part)
            os.chmod(part, 0o600)  # whatever the tool did with it
            os.rename(part, final)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return final
    raise BackupError(f"{directory}: too many backups named {stem}")


def _sqlite_copy(url: URL, target: Path) -> None:
    database = url.database or ""
    if not database or database == ":memory:" or not Path(database).is_file():
        raise BackupError(f"there is no SQLite database at {database or '(no path)'}")
    # mode=rw: never create an empty database where the store was expected.
    source = sqlite3.connect(f"file:{quote(str(Path(database).resolve()))}?mode=rw", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)  # pages=-1: all of it in one step, one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, even from a WAL store
            if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"the copy of {database} failed SQLite's check")
        finally:
            copy.close()
    finally:
        source.close()


def postgres_tool(name: str) -> str:
    """PostgreSQL's `name` (pg_dump, pg_restore): on PATH, else the newest Debian installs."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> Tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.split("/")[4]))

    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if not installed:
        raise BackupError(f"PostgreSQL's {name} was not found: install Debian's postgresql-client")
    return installed[-1]


def _conninfo(url: URL) -> Tuple[str, Dict[str, str]]:
    """libpq connection string without the password, and the environment carrying it (not argv)."""
    values = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    values.update({key: value for key, value in url.query.items() if isinstance(value, str)})
    conninfo = " ".join(f"{key}={_quoted(str(value))}" for key, value in values.items() if value not in (None, ""))
    return conninfo, ({"PGPASSWORD": url.password} if url.password else {})


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pg_dump(url: URL, target: Path) -> None:
    conninfo, secret = _conninfo(url)
    result = subprocess.run(
        [postgres_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={conninfo}"],
        env={**os.environ, **secret},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        why = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"pg_dump of {url.database} on {url.host} failed: {why}")


_COPIES: Dict[str, Tuple[str, Callable[[URL, Path], None]]] = {
    "sqlite": (".sqlite3", _sqlite_copy),
    "postgresql": (".pgdump", _pg_dump),
}
