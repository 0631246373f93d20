"""Put staff edits live: check the data, train, test the conversations, load the model; or go back.

One job at a time, in a background thread of the console, through the same commands as
`make check`, `make train`, `make stories` and `make reload`. A failed step leaves the
live model untouched and says why in plain words. Each step's duration is kept, so the
next run shows an estimate. The models put live are remembered, newest last, so one
click loads the previous one again.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from clinic.paths import REPO_ROOT, VAR_DIR

logger = logging.getLogger(__name__)
# (key, what staff read while it runs, what they read if it fails)
STEPS = (
    ("check", "Checking the training data", "The data checks found a problem, so nothing was trained"),
    ("train", "Training the assistant", "Training failed, so nothing changed for visitors"),
    ("stories", "Testing the conversations", "The new model failed its test conversations, so it was not put live"),
    ("live", "Putting it live", "The new model could not be loaded, so the assistant still answers as before"),
)
DEFAULT_ESTIMATES = {"check": 25.0, "train": 120.0, "stories": 90.0, "live": 10.0}
Runner = Callable[[Sequence[str], Path], "subprocess.CompletedProcess[str]"]


def run_command(command: Sequence[str], root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800)


class GoLiveError(RuntimeError):
    """Going live or back could not start or finish; the message is for staff."""


@dataclass
class JobState:
    state: str = "idle"  # idle, running, live, failed
    step: str = ""
    step_title: str = ""
    started_at: float = 0.0
    finished_at: float = 0.0
    by: str = ""
    why: str = ""  # what the job is for ("3 questions taught")
    message: str = ""  # the outcome in plain words
    details: str = ""  # the end of the failing command's output, for whoever fixes it
    model: str = ""
    estimate: float = 0.0  # seconds, for the whole job
    steps_done: List[str] = field(default_factory=list)

    def as_dict(self, now: Optional[float] = None) -> Dict[str, object]:
        now = now or time.time()
        elapsed = (self.finished_at or now) - self.started_at if self.started_at else 0.0
        values = asdict(self)
        values.update(elapsed=round(elapsed), estimate=round(self.estimate), steps=[s[1] for s in STEPS])
        values["progress"] = (
            100 if self.state == "live" else min(95, round(100 * elapsed / self.estimate)) if self.estimate else 0
        )
        return values


class GoLive:
    def __init__(
        self,
        root: Path = REPO_ROOT,
        state_dir: Path = VAR_DIR,
        runner: Runner = run_command,
        on_live: Optional[Callable[[str, str, str], None]] = None,
    ) -> None:
        self.root = root
        self.timings_path = state_dir / "go_live_timings.json"
        self.history_path = state_dir / "live_models.json"
        self.runner = runner
        self.on_live = on_live  # (who, previous model, new model): the audit log
        self._lock = threading.Lock()
        self.job = JobState()

    # -- what the page shows ------------------------------------------------------------
    def status(self) -> Dict[str, object]:
        with self._lock:
            values = self.job.as_dict()
        values["history"] = self.history()[-5:]
        values["can_go_back"] = len(self.history()) >= 2 and self.job.state != "running"
        return values

    def history(self) -> List[Dict[str, str]]:
        try:
            return list(json.loads(self.history_path.read_text()))
        except (OSError, ValueError):
            return []

    # -- starting ---------------------------------------------------------------------
    def start(self, by: str, why: str) -> bool:
        """Start a job unless one runs; False when one is already running."""
        with self._lock:
            if self.job.state == "running":
                return False
            estimates = self._estimates()
            self.job = JobState(
                state="running", started_at=time.time(), by=by, why=why, estimate=sum(estimates.values())
            )
        threading.Thread(target=self._run, name="go-live", daemon=True).start()
        return True

    def wait(self, timeout: float = 1800) -> JobState:
        """Block until the running job ends (tests and the CLI)."""
        deadline = time.monotonic() + timeout
        while self.job.state == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.job

    # -- the steps ----------------------------------------------------------------------
    def _commands(self, result: Path) -> Dict[str, List[str]]:
        python, root = sys.executable, str(self.root)
        return {
            "check": [python, "-m", "ops.check", "--root", root],
            "train": [python, "-m", "ops.training", "--root", root],
            "stories": [python, "-m", "ops.story_tests", "--root", root],
            "live": [python, "-m", "ops.reload", "--root", root, "--result", str(result)],
        }

    def _run(self) -> None:
        timings: Dict[str, float] = {}
        result_file = self.history_path.with_name("go_live_result.json")
        result_file.parent.mkdir(parents=True, exist_ok=True)
        result_file.unlink(missing_ok=True)
        commands = self._commands(result_file)
        for key, title, failure in STEPS:
            with self._lock:
                self.job.step, self.job.step_title = key, title
            started = time.monotonic()
            try:
                result = self.runner(commands[key], self.root)
            except (OSError, subprocess.SubprocessError) as error:
                return self._fail(failure, str(error))
            if result.returncode != 0:
                return self._fail(failure, ((result.stdout or "") + (result.stderr or ""))[-4000:])
            timings[key] = time.monotonic() - started
            with self._lock:
                self.job.steps_done.append(key)
        try:
            served = json.loads(result_file.read_text())
        except (OSError, ValueError):
            return self._fail("The model was loaded but did not say which it is; check the assistant", "")
        self._remember(served["before"], served["model"])
        self._save_timings(timings)
        with self._lock:
            self.job.model = served["model"]
            self.job.state, self.job.finished_at = "live", time.time()
            self.job.message = f"Live: the assistant now uses what you changed (model {served['model']})."
        if self.on_live:
            self.on_live(self.job.by, served["before"], served["model"])

    def go_back(self, by: str) -> str:
        """Load the model that was live before the current one; returns its name."""
        with self._lock:
            if self.job.state == "running":
                raise GoLiveError("a training is running; wait for it to finish")
        history = self.history()
        if len(history) < 2:
            raise GoLiveError("there is no earlier model to go back to")
        current, previous = history[-1]["model"], history[-2]["model"]
        path = self.root / "models" / previous
        if not path.exists():
            raise GoLiveError(f"the earlier model {previous} is no longer in models/")
        command = [sys.executable, "-m", "ops.reload", "--root", str(self.root), "--model", str(path), "--force"]
        result = self.runner(command, self.root)
        if result.returncode != 0:
            raise GoLiveError("the earlier model could not be loaded: " + (result.stderr or "")[-500:])
        self._write_history(history[:-1])
        with self._lock:
            self.job = JobState()  # the last job's "live" no longer holds
        if self.on_live:
            self.on_live(by, current, previous)
        return previous

    def _fail(self, message: str, details: str) -> None:
        logger.error("going live failed at %s: %s\n%s", self.job.step, message, details)
        with self._lock:
            self.job.state, self.job.finished_at = "failed", time.time()
            self.job.message = message + "."
            self.job.details = details

    # -- remembered between runs -----------------------------------------------------------
    def _estimates(self) -> Dict[str, float]:
        try:
            known = json.loads(self.timings_path.read_text())
        except (OSError, ValueError):
            known = {}
        return {key: float(known.get(key, DEFAULT_ESTIMATES[key])) for key, _, _ in STEPS}

    def _save_timings(self, timings: Dict[str, float]) -> None:
        self.timings_path.parent.mkdir(parents=True, exist_ok=True)
        self.timings_path.write_text(json.dumps({k: round(v, 1) for k, v in timings.items()}))

    def _remember(self, previous: str, model: str) -> None:
        history = self.history()
        if not history:
            history = [{"model": previous, "at": ""}]
        history.append({"model": model, "at": time.strftime("%Y-%m-%d %H:%M", time.gmtime())})
        self._write_history(history[-20:])

    def _write_history(self, history: List[Dict[str, str]]) -> None:
        self.history_path.parent.mkdir(parents=True, exist_ok=True)
        self.history_path.write_text(json.dumps(history))
