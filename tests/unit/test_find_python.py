"""scripts/find_python.sh: picks a Python 3.8-3.10, or fails with a clear message."""

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "find_python.sh"


def _run(path_dirs, python=None):
    env = {"PATH": os.pathsep.join(map(str, path_dirs)), "HOME": os.environ.get("HOME", "/root")}
    if python:
        env["PYTHON"] = python
    return subprocess.run(["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True)


def _fake_python(folder: Path, name: str, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / name
    major, minor = version.split(".")
    exe.write_text(f"#!/bin/sh\necho {major}.{minor}\n")
    exe.chmod(0o755)
    return exe


def test_fails_clearly_when_only_a_newer_python_exists(tmp_path):
    _fake_python(tmp_path / "bin", "python3", "3.11")
    result = _run([tmp_path / "bin", "/usr/bin", "/bin"])
    assert result.returncode == 1
    assert "no Python 3.8, 3.9 or 3.10 found" in result.stderr


def test_a_wrong_python_override_is_named(tmp_path):
    exe = _fake_python(tmp_path / "bin", "python3.11", "3.11")
    result = _run([tmp_path / "bin", "/usr/bin", "/bin"], python=str(exe))
    assert result.returncode == 1 and f"PYTHON={exe}" in result.stderr


def test_finds_a_python_3_10_on_the_path(tmp_path):
    exe = _fake_python(tmp_path / "bin", "python3.10", "3.10")
    result = _run([tmp_path / "bin", "/usr/bin", "/bin"])
    assert result.returncode == 0 and result.stdout.strip() == str(exe)


def test_this_machine_has_one():
    result = subprocess.run(["/bin/bash", str(SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    version = subprocess.run(
        [result.stdout.strip(), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
    ).stdout
    assert version.strip() in ("(3, 8)", "(3, 9)", "(3, 10)")
