"""The staff console as a real process on a free loopback port, for the end-to-end tests."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Sequence

from clinic.paths import REPO_ROOT
from ops.servers import free_port


@contextmanager
def running_console(env: Dict[str, str], log: Path, args: Sequence[str] = ()) -> Iterator[str]:
    """Start `python -m staff.console` with `env`, wait until it answers, yield its URL, stop it."""
    port = free_port()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "staff.console", f"--port={port}", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/login", timeout=2)
                    break
                except (urllib.error.URLError, OSError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError("the console did not start:\n" + log.read_text()) from None
                    time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)
