"""Putting staff edits live: the steps in order, a failed step stops everything before the live
model changes, the models put live are remembered so one click goes back."""

import json
import subprocess
import threading
from pathlib import Path

import pytest

from staff.go_live import GoLive, GoLiveError


class FakeCommands:
    """Stands in for ops.check / ops.training / ops.story_tests / ops.reload; records calls."""

    def __init__(self, fail_on=None, serving="model-1.tar.gz", new="model-2.tar.gz", gate=None):
        self.calls = []
        self.fail_on = fail_on
        self.serving, self.new = serving, new
        self.gate = gate

    def __call__(self, command, root):
        module = command[2]
        self.calls.append(command)
        if self.gate is not None and module == "ops.training":
            self.gate.wait(5)
        if module == self.fail_on:
            return subprocess.CompletedProcess(command, 1, "", "FAILED story: faq what_is\n")
        if module == "ops.reload":
            if "--result" in command:
                Path(command[command.index("--result") + 1]).write_text(
                    json.dumps({"before": self.serving, "model": self.new})
                )
        return subprocess.CompletedProcess(command, 0, "ok", "")


def _modules(fake):
    return [c[2] for c in fake.calls]


def test_a_good_run_checks_trains_tests_and_goes_live(tmp_path):
    fake, audit = FakeCommands(), []
    state_dir = tmp_path / "state"  # made on first use
    job = GoLive(root=tmp_path, state_dir=state_dir, runner=fake, on_live=lambda *a: audit.append(a))
    assert job.start("maria", "2 questions taught")
    state = job.wait(10)
    assert state.state == "live" and state.model == "model-2.tar.gz"
    assert _modules(fake) == ["ops.check", "ops.training", "ops.story_tests", "ops.reload"]
    assert all(str(tmp_path) in c for c in fake.calls)  # every step on this project folder
    assert audit == [("maria", "model-1.tar.gz", "model-2.tar.gz")]
    assert [h["model"] for h in job.history()] == ["model-1.tar.gz", "model-2.tar.gz"]
    status = job.status()
    assert (
        status["progress"] == 100
        and status["can_go_back"]
        and status["steps_done"]
        == [
            "check",
            "train",
            "stories",
            "live",
        ]
    )
    assert set(json.loads((state_dir / "go_live_timings.json").read_text())) == {"check", "train", "stories", "live"}


def test_failed_story_tests_leave_the_live_model_alone_and_say_why(tmp_path):
    fake = FakeCommands(fail_on="ops.story_tests")
    job = GoLive(root=tmp_path, state_dir=tmp_path, runner=fake)
    job.start("maria", "answer edited")
    state = job.wait(10)
    assert state.state == "failed" and "ops.reload" not in _modules(fake)
    assert state.message == "The new model failed its test conversations, so it was not put live."
    assert "FAILED story" in state.details and job.history() == []


def test_failed_checks_train_nothing(tmp_path):
    fake = FakeCommands(fail_on="ops.check")
    job = GoLive(root=tmp_path, state_dir=tmp_path, runner=fake)
    job.start("maria", "x")
    assert job.wait(10).state == "failed" and _modules(fake) == ["ops.check"]


def test_one_job_at_a_time_and_the_estimate_comes_from_the_last_run(tmp_path):
    (tmp_path / "go_live_timings.json").write_text(json.dumps({"check": 10, "train": 50, "stories": 30, "live": 5}))
    gate = threading.Event()
    job = GoLive(root=tmp_path, state_dir=tmp_path, runner=FakeCommands(gate=gate))
    assert job.start("maria", "first")
    assert job.status()["estimate"] == 95
    assert not job.start("omar", "second")  # refused while the first runs
    with pytest.raises(GoLiveError, match="running"):
        job.go_back("omar")
    gate.set()
    assert job.wait(10).state == "live"


def test_going_back_loads_the_previous_model(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "model-1.tar.gz").write_bytes(b"x")
    fake, audit = FakeCommands(), []
    job = GoLive(root=tmp_path, state_dir=tmp_path, runner=fake, on_live=lambda *a: audit.append(a))
    with pytest.raises(GoLiveError, match="no earlier model"):
        job.go_back("maria")
    job.start("maria", "x")
    job.wait(10)
    assert job.go_back("maria") == "model-1.tar.gz"
    reload = fake.calls[-1]
    assert reload[2] == "ops.reload" and reload[reload.index("--model") + 1] == str(
        tmp_path / "models" / "model-1.tar.gz"
    )
    assert audit[-1] == ("maria", "model-2.tar.gz", "model-1.tar.gz")
    assert [h["model"] for h in job.history()] == ["model-1.tar.gz"] and not job.status()["can_go_back"]
    assert job.status()["state"] == "idle"  # the panel no longer says the newer model is live
