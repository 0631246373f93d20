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

import requests

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
            # Tests sign in often, all from one address; tests/e2e/test_hostile_input.py checks the limit.
            env={"RATE_LIMIT_SIGN_INS": "0", **env},
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


def csrf_token(html: str) -> str:
    """The hidden csrf_token of the first form on a page."""
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def signed_in(url: str, name: str, password: str) -> requests.Session:
    """A staff member signed in through the sign-in form, as the browser does (303 and a session)."""
    session = requests.Session()
    token = csrf_token(session.get(url + "/login", timeout=10).text)
    reply = session.post(
        url + "/login",
        data={"username": name, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert reply.status_code == 303, reply.text
    return session


def add_staff_user(env: Dict[str, str], name: str, password: str, admin: bool = False) -> None:
    """`python -m staff user add NAME` as the run contract says: the password on standard input."""
    subprocess.run(
        [sys.executable, "-m", "staff", "user", "add", name, *(["--admin"] if admin else [])],
        cwd=REPO_ROOT,
        env=env,
        input=password + "\n",
        check=True,
        capture_output=True,
        text=True,
    )
