"""Child processes that are started, watched, restarted with back-off and stopped together.

`make cluster` runs a dozen processes; when one dies (a crash, an out-of-memory kill, a
test's kill -9) the others keep serving and this one comes back by itself, with a log line
saying so. Back-off doubles from 1 s to 30 s while a process keeps dying, and resets once
it has stayed up for a minute.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from clinic.paths import REPO_ROOT

FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0


class ProcessFailedError(RuntimeError):
    pass


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return int(reply.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class ManagedProcess:
    """One child process: its command, environment, log file and how to tell it is ready."""

    name: str
    argv: List[str]
    log_path: Path
    env: Dict[str, str] = field(default_factory=lambda: dict(os.environ))
    ready: Optional[Callable[[], bool]] = None  # None: ready as soon as it runs
    # Called before a restart, to bring the command up to date (the model put live since).
    before_restart: Optional[Callable[[ManagedProcess], None]] = None
    cwd: Path = REPO_ROOT
    popen: Optional[subprocess.Popen[bytes]] = None
    restarts: int = 0
    _backoff: float = FIRST_BACKOFF_SECONDS
    _started_at: float = 0.0
    _restart_at: Optional[float] = None

    @property
    def pid(self) -> Optional[int]:
        return self.popen.pid if self.popen else None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the supervisor, which stops the group
            )
        self._started_at = time.monotonic()
        self._restart_at = None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not self.running():
                code = self.popen.returncode if self.popen else None
                raise ProcessFailedError(f"{self.name} exited with code {code} while starting; see {self.log_path}")
            if self.ready is None or self.ready():
                return
            time.sleep(0.3)
        raise ProcessFailedError(f"{self.name} was not ready in time; see {self.log_path}")

    def watch(self, say: Callable[[str], None]) -> None:
        """Called every tick: notices a death, and restarts after the back-off."""
        now = time.monotonic()
        if self.running():
            if now - self._started_at > STABLE_AFTER_SECONDS:
                self._backoff = FIRST_BACKOFF_SECONDS
            return
        if self._restart_at is None:
            code = self.popen.returncode if self.popen else None
            say(f"{self.name} exited (code {code}); restarting in {self._backoff:.0f} s (log: {self.log_path})")
            self._restart_at = now + self._backoff
            self._backoff = min(self._backoff * 2, MAX_BACKOFF_SECONDS)
        elif now >= self._restart_at:
            self.restarts += 1
            if self.before_restart is not None:
                try:
                    self.before_restart(self)
                except Exception as error:  # restart with the old command rather than not at all
                    say(f"{self.name}: could not update its command before the restart ({error})")
            self.start()
            say(f"{self.name} restarted (pid {self.pid})")

    def signal_group(self, signum: int) -> None:
        if self.running() and self.popen is not None:
            try:
                os.killpg(self.popen.pid, signum)
            except ProcessLookupError:
                pass

    def stop(self, grace: float = 10.0) -> None:
        self.signal_group(signal.SIGTERM)
        self.join(grace)

    def join(self, grace: float) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait()


def with_model(argv: List[str], model: Path) -> List[str]:
    """A `rasa run` command line that loads `model` (for a server restarted after a go-live)."""
    return [f"--model={model}" if arg.startswith("--model=") else arg for arg in argv]


def stop_all(processes: List[ManagedProcess], grace: float = 10.0) -> None:
    """SIGTERM to every group first, then wait: they shut down side by side, not one by one."""
    for process in processes:
        process.signal_group(signal.SIGTERM)
    for process in processes:
        process.join(grace)
