"""Saving staff edits to the files the assistant reads: atomically, and never over someone else's edit.

Every edit starts from a *version* (a hash of the file as the editor saw it). Saving checks
the file still has that version, under a lock, and replaces it in one step (write a temporary
file beside it, fsync, rename), so a reader sees the old file or the new one, never half of
one, and two staff saving at once cannot lose either edit: the second is told the file
changed and shown it again.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Tuple


class EditConflictError(RuntimeError):
    """The file changed since the editor read it; nothing was written."""


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_versioned(path: Path) -> Tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    return text, version_of(text)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_atomically(path: Path, text: str, expected_version: str) -> str:
    """Replace `path` with `text` if it still has `expected_version`; returns the new version."""
    with _locked(path):
        current = version_of(path.read_text(encoding="utf-8")) if path.exists() else ""
        if current != expected_version:
            raise EditConflictError(f"{path.name} was changed by someone else since you opened it")
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return version_of(text)
