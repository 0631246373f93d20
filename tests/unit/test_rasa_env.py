"""Every rasa process can import this project's NLU component and sends nothing out."""

import os

from clinic.paths import REPO_ROOT
from ops.rasa_env import rasa_env


def test_the_repo_is_on_the_path_and_telemetry_is_off():
    env = rasa_env({"PYTHONPATH": "/elsewhere", "HOME": "/root"})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(REPO_ROOT), "/elsewhere"]
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["HOME"] == "/root"
    assert rasa_env({})["PYTHONPATH"] == str(REPO_ROOT)
