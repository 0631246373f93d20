"""Faults with real processes, through `make run`'s own entry point (python -m ops.run).

Both stores live on a small filesystem of their own (a tmpfs mounted for this module), so
that "the disk is full" and "the disk is read-only" are real: the same errors SQLite gets
on a clinic's server, not a mock.
"""

import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml

from clinic.paths import REPO_ROOT
from ops.servers import free_port

PHONE = "(212) 555-0177"
NAME = "Faulty Tester"


class Assistant:
    def __init__(self, process: subprocess.Popen, ports: Dict[str, int], token: str, out: Path, store: Path) -> None:
        self.process, self.ports, self.token, self.out, self.store = process, ports, token, out, store

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.ports['RASA_PORT']}"

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def say(self, sender: str, text: str) -> Tuple[str, float]:
        """What the visitor sees (all texts joined) and how long it took."""
        request = urllib.request.Request(
            f"{self.rasa}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as reply:
            assert reply.status == 200
            messages: List[Dict[str, Any]] = json.loads(reply.read())
        return "\n".join(m.get("text", "") for m in messages), time.monotonic() - started

    def tracker(self, sender: str) -> Dict[str, Any]:
        url = f"{self.rasa}/conversations/{sender}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as reply:
            return json.loads(reply.read())

    def pid(self, name: str) -> int:
        """The process serving `name`'s port, found by its command line (make run's child)."""
        port = self.ports["ACTION_PORT" if name == "actions" else "RASA_PORT"]
        wanted = f"--port={port}"
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    argv = (entry / "cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if wanted.encode() in argv and (b"actions" in argv) == (name == "actions"):
                    return int(entry.name)
        raise AssertionError(f"no {name} process on port {port}")

    def wait_for_output(self, text: str, after: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output()[after:]:
                return
            assert self.process.poll() is None, f"make run exited:\n{self.output()[-3000:]}"
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not printed in {timeout} s:\n{self.output()[-3000:]}")

    def wait_until_answering(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.rasa}/status?token={self.token}", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        else:
            raise AssertionError("Rasa did not come back")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.ports['ACTION_PORT']}/health", timeout=5):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise AssertionError("the action server did not come back")

    def stored_requests(self) -> List[Tuple[str, str]]:
        with sqlite3.connect(f"file:{self.store / 'clinic.db'}?mode=ro", uri=True) as db:
            return list(db.execute("SELECT reference, name FROM booking_requests WHERE name = ?", (NAME,)))


@pytest.fixture(scope="module")
def store_disk(tmp_path_factory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("store-disk")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0755", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"these fault tests mount a small filesystem (tmpfs) and need root: {mounted.stderr.strip()}",
            pytrace=False,
        )
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, store_disk) -> Iterator[Assistant]:
    work = tmp_path_factory.mktemp("faults")
    settings = yaml.safe_load((REPO_ROOT / "clinic.yml").read_text())
    settings["phone"] = PHONE
    (work / "clinic.yml").write_text(yaml.safe_dump(settings))
    ports = {name: free_port() for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT", "STAFF_PORT")}
    token = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "RASA_AUTH_TOKEN": token,
        "CLINIC_SETTINGS": str(work / "clinic.yml"),
        "CLINIC_DB_URL": f"sqlite:///{store_disk / 'clinic.db'}",
        "TRACKER_DB_URL": f"sqlite:///{store_disk / 'tracker.db'}",
        "RATE_LIMIT_PER_SENDER": "0",
        "RATE_LIMIT_PER_CLIENT": "0",
        # The tracker store closes its SQLite connections after a second without messages,
        # so the disk can be remounted read-only (Linux refuses while a file is open to write).
        "TRACKER_DB_IDLE_SECONDS": "1",
    }
    out = work / "run.out"
    with open(out, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ops.run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Assistant(process, ports, token, out, store_disk)
    try:
        running.wait_for_output("Press Ctrl-C", 0, timeout=240)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _remount_read_only(path: Path, timeout: float = 20) -> None:
    """Once the servers have let go of the files they write (the tracker store after its idle
    second), the disk turns read-only under them, as a failing disk does."""
    deadline = time.monotonic() + timeout
    while True:
        remount = subprocess.run(["mount", "-o", "remount,ro", str(path)], capture_output=True, text=True)
        if remount.returncode == 0:
            return
        assert "busy" in remount.stderr and time.monotonic() < deadline, remount.stderr
        time.sleep(0.5)


def _sender(kind: str) -> str:
    return f"fault-{kind}-{secrets.token_hex(4)}"


def test_a_killed_action_server_the_visitor_gets_the_phone_within_5_s_then_it_continues(assistant):
    sender = _sender("actions")
    assert "collagen" in assistant.say(sender, "what is micro-needling")[0]
    mark = len(assistant.output())
    os.kill(assistant.pid("actions"), signal.SIGKILL)
    reply, seconds = assistant.say(sender, "I'd like to book an appointment")
    assert PHONE in reply and seconds < 5, (reply, seconds)
    # Answers that need no action keep coming meanwhile; a new visitor (whose conversation
    # starts with a custom action) gets the phone, not silence.
    assert "sunscreen" in assistant.say(sender, "what is recovery like")[0]
    assert PHONE in assistant.say(_sender("new"), "what is micro-needling")[0]
    assistant.wait_for_output("actions exited (code -9); restarting", mark)
    assistant.wait_for_output("actions restarted", mark)
    assistant.wait_until_answering()
    assert "What's your name?" in assistant.say(sender, "I'd like to book an appointment")[0]
    assert assistant.process.poll() is None  # make run itself never stopped


def test_rasa_killed_mid_form_comes_back_and_the_form_goes_on_at_the_same_question(assistant):
    sender = _sender("rasa")
    assert "What's your name?" in assistant.say(sender, "I'd like to book")[0]
    assert "phone number" in assistant.say(sender, NAME)[0]
    mark = len(assistant.output())
    os.kill(assistant.pid("rasa"), signal.SIGKILL)
    assistant.wait_for_output("rasa exited (code -9); restarting", mark)
    assistant.wait_for_output("rasa restarted", mark)
    assistant.wait_until_answering()
    assert "When would you like to come in?" in assistant.say(sender, "(212) 555 0123")[0]


def _to_the_confirm_question(assistant: Assistant, sender: str) -> None:
    assert "What's your name?" in assistant.say(sender, "I'd like to book")[0]
    assert "phone number" in assistant.say(sender, NAME)[0]
    assert "When would you like to come in?" in assistant.say(sender, "(212) 555 0123")[0]
    assert "pregnant" in assistant.say(sender, "next tuesday afternoon")[0]
    assert "+12125550123" in assistant.say(sender, "/deny")[0]


def test_bookings_store_down_while_confirming_phone_now_and_stored_once_when_confirmed_again(assistant):
    sender = _sender("confirm")
    _to_the_confirm_question(assistant, sender)
    database = assistant.store / "clinic.db"
    database.rename(database.with_name("clinic.db.away"))
    database.mkdir()  # a path SQLite can't open: the database is gone for the moment
    try:
        reply = assistant.say(sender, "yes")[0]
    finally:
        database.rmdir()
        database.with_name("clinic.db.away").rename(database)
    assert "couldn't save your booking request" in reply and PHONE in reply
    assert assistant.stored_requests() == []  # nothing half-written
    assert assistant.tracker(sender)["slots"]["requested_slot"] == "confirm_booking"
    done = assistant.say(sender, "yes")[0]
    [(reference, _)] = assistant.stored_requests()
    assert reference in done
    assistant.say(sender, "yes")  # a doubled confirmation
    assert len(assistant.stored_requests()) == 1


@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_a_full_or_read_only_disk_still_answers_questions_and_declines_bookings_plainly(assistant, disk):
    filler = assistant.store / "filler"
    if disk == "read-only":
        _remount_read_only(assistant.store)
    else:
        with open(filler, "wb") as fill:
            try:
                while True:
                    fill.write(b"\0" * 65536)
                    fill.flush()
            except OSError:
                pass  # no space left: that was the point
    try:
        sender = _sender(disk)
        assert "collagen" in assistant.say(sender, "what is micro-needling")[0]
        reply = assistant.say(sender, "I'd like to book an appointment")[0]
        assert "can't take a booking or call-back request here right now" in reply and PHONE in reply
        assert "sunscreen" in assistant.say(sender, "what is recovery like")[0]
    finally:
        if disk == "read-only":
            subprocess.run(["mount", "-o", "remount,rw", str(assistant.store)], check=True)
        else:
            filler.unlink()
    assert "What's your name?" in assistant.say(_sender("after"), "I'd like to book")[0]
    assert shutil.disk_usage(assistant.store).free > 1_000_000
