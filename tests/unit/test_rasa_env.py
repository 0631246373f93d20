"""Every rasa process can import this project's NLU component and sends nothing out."""

import os

from clinic.paths import REPO_ROOT
from ops.rasa_env import rasa_env


def test_the_repo_is_on_the_path_and_telemetry_is_off():
    env = rasa_env({"PYTHONPATH": "/elsewhere", "HOME": "/root"})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(REPO_ROOT), "/elsewhere"]
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["HOME"] == "/root"
    assert rasa_env({})["PYTHONPATH"] == str(REPO_ROOT)


def test_rasas_settings_file_is_written_saying_off_and_a_users_own_is_left_alone(tmp_path):
    import yaml

    settings = tmp_path / ".config" / "rasa" / "global.yml"
    rasa_env({"HOME": str(tmp_path)})
    assert yaml.safe_load(settings.read_text())["metrics"]["enabled"] is False
    settings.write_text("metrics:\n  enabled: true\n")  # the user's choice for other projects
    rasa_env({"HOME": str(tmp_path)})
    assert "enabled: true" in settings.read_text()
