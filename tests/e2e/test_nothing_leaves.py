"""Nothing leaves the machine: every process the project starts, watched by Python's audit
hooks (tests/support/netwatch), makes no name lookup and no connection outside loopback.

Rasa Open Source turns telemetry on by default and, with it, crash reports to an outside
error-reporting service; `ops/rasa_env.py` turns both off for every `rasa` process. Checked
here for a start with a conversation (Rasa, the action server, the console), a training run,
and a training run that crashes inside Rasa (the case its crash reporter sends).
"""

import json
import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Dict

import pytest

from clinic.paths import REPO_ROOT
from ops.servers import BotServers, ServerConfig
from ops.training import current_model

NETWATCH = REPO_ROOT / "tests" / "support" / "netwatch"
DOMAIN = 'version: "3.1"\nintents:\n- greet\n- goodbye\n'
NLU = (
    'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello\n    - good morning\n'
    "- intent: goodbye\n  examples: |\n    - bye\n    - see you\n    - goodbye\n"
)
CONFIG = (
    "recipe: default.v1\nlanguage: en\npipeline:\n- name: WhitespaceTokenizer\n- name: CountVectorsFeaturizer\n"
    "- name: DIETClassifier\n  epochs: {epochs}\npolicies: []\nassistant_id: netwatch-test\n"
)


@pytest.fixture
def watched(tmp_path) -> Dict[str, str]:
    """The environment that loads the watcher into every Python process, with a fresh HOME
    (where Rasa would write its telemetry settings)."""
    (tmp_path / "home").mkdir()
    return {
        "PYTHONPATH": os.pathsep.join([str(NETWATCH), str(REPO_ROOT)]),
        "NETWATCH_LOG": str(tmp_path / "outside.log"),
        "HOME": str(tmp_path / "home"),
    }


def _outside(watched: Dict[str, str]) -> str:
    log = Path(watched["NETWATCH_LOG"])
    return log.read_text() if log.exists() else ""


def _telemetry_settings(watched: Dict[str, str]) -> str:
    path = Path(watched["HOME"]) / ".config" / "rasa" / "global.yml"
    return path.read_text() if path.exists() else ""


def _train(project: Path, watched: Dict[str, str], epochs: object) -> subprocess.CompletedProcess:
    (project / "data").mkdir(parents=True)
    (project / "domain.yml").write_text(DOMAIN)
    (project / "data" / "nlu.yml").write_text(NLU)
    (project / "config.yml").write_text(CONFIG.format(epochs=epochs))
    return subprocess.run(
        [sys.executable, "-m", "ops.training", "--root", str(project), "--force"],
        cwd=REPO_ROOT,
        env={**os.environ, **watched},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_watcher_sees_an_outside_lookup(watched):
    """The check can fail: a lookup of an outside name is recorded."""
    subprocess.run(
        [sys.executable, "-c", "import socket\ntry: socket.getaddrinfo('example.invalid', 443)\nexcept OSError: pass"],
        env={**os.environ, **watched},
        check=True,
    )
    assert "example.invalid" in _outside(watched)


def test_a_training_run_and_a_crash_inside_rasa_send_nothing(tmp_path, watched):
    trained = _train(tmp_path / "good", watched, epochs=1)
    assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-2000:]
    # A value Rasa's own code chokes on (not a RasaException): what its crash reporter sends.
    crashed = _train(tmp_path / "bad", watched, epochs="notanumber")
    assert crashed.returncode != 0
    assert "Traceback" in crashed.stdout + crashed.stderr
    assert _outside(watched) == ""
    assert "enabled: true" not in _telemetry_settings(watched)


def test_a_start_and_a_conversation_send_nothing(tmp_path, watched):
    model = current_model(REPO_ROOT)
    if model is None:
        pytest.fail("No current model: run `make train` first (make e2e does).", pytrace=False)
    config = ServerConfig.throwaway(model, tmp_path, watched)
    config.staff_port = config.page_port  # the console too
    with BotServers(config) as servers:
        sender = "netwatch-" + secrets.token_hex(4)
        for text in ("hi", "what is micro-needling", "I'd like to book", "Jane Doe", "stop"):
            request = urllib.request.Request(
                f"{servers.config.rasa_url}/webhooks/rest/webhook",
                data=json.dumps({"sender": sender, "message": text}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60) as reply:
                assert json.loads(reply.read()), text
        with urllib.request.urlopen(f"{servers.config.staff_url}/login", timeout=30) as page:
            assert page.status == 200
    assert _outside(watched) == ""
    assert "enabled: true" not in _telemetry_settings(watched)
