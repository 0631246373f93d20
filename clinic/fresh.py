"""A file the running assistant reads, re-read when staff save it: no process needs a restart.

One mechanism for clinic.yml, messages.yml and red_flags.yml. The file's modification time
is checked on each use (a stat, microseconds); a changed file is parsed again. A broken edit
keeps the last good content in use and logs why, so a typo never takes the assistant down;
with no good content yet (start-up), the error is raised.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Dict, Generic, Tuple, Type, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


class FreshFile(Generic[T]):
    def __init__(self, load: Callable[[Path], T], errors: Tuple[Type[Exception], ...], what: str) -> None:
        self._load = load
        self._errors = errors
        self._what = what  # for the log: "clinic settings", "messages"...
        self._loaded: Dict[Path, Tuple[int, T]] = {}

    def get(self, path: Path) -> T:
        path = Path(path)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = -1
        known = self._loaded.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            content = self._load(path)
        except self._errors as error:
            if known is None:
                raise
            logger.error("%s not reloaded, the previous ones stay in use: %s", self._what, error)
            content = known[1]
        self._loaded[path] = (stamp, content)
        return content

    def forget(self) -> None:
        self._loaded.clear()
