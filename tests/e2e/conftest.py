"""Both servers on free loopback ports, with test settings and fresh tokens, once per session."""

import json
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import yaml

from clinic.paths import REPO_ROOT
from ops.servers import BotServers, ServerConfig, free_port
from ops.training import current_model

TEST_PHONE = "(212) 555-0199"
TEST_PRICE = "$321 per session"


@pytest.fixture(scope="session")
def bot(tmp_path_factory) -> Iterator["Bot"]:
    with running_bot(tmp_path_factory.mktemp("bot")) as running:
        yield running


@pytest.fixture
def disposable_bot(tmp_path) -> Iterator["Bot"]:
    """A bot of its own, for a test that stops its servers."""
    with running_bot(tmp_path) as running:
        yield running


@contextmanager
def running_bot(
    work: Path,
    tracker_db_url: str = "",
    clinic_db_url: str = "",
    extra_env: Optional[Dict[str, str]] = None,
    console: bool = False,
) -> Iterator["Bot"]:
    """Both servers with the test settings; SQLite stores in `work` unless URLs are given.
    `extra_env` adds to the servers' environment (e.g. rate limits); `console` adds the console."""
    model = current_model(REPO_ROOT)
    if model is None:
        pytest.fail("No current model: run `make train` first (make e2e does).", pytrace=False)
    settings = yaml.safe_load((REPO_ROOT / "clinic.yml").read_text())
    settings.update(phone=TEST_PHONE, prices=[{"item": "Micro-needling", "price": TEST_PRICE}])
    settings_file = work / "clinic.yml"
    settings_file.write_text(yaml.safe_dump(settings))
    config = ServerConfig.throwaway(
        model,
        work,
        {
            "CLINIC_SETTINGS": str(settings_file),
            **({"CLINIC_DB_URL": clinic_db_url} if clinic_db_url else {}),
            **(extra_env or {}),
        },
    )
    if console:
        config.staff_port = free_port()
    if tracker_db_url:
        config.tracker_db_url = tracker_db_url
    with BotServers(config) as servers:
        yield Bot(servers)


class Bot:
    def __init__(self, servers: BotServers) -> None:
        self.servers = servers
        self.config = servers.config
        self.settings_file = Path(servers.config.extra_env["CLINIC_SETTINGS"])

    def request(
        self, method: str, url: str, body: Optional[Any] = None, raw: Optional[bytes] = None
    ) -> Tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        status, messages = self.request(
            "POST", f"{self.config.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text}
        )
        assert status == 200, messages
        return messages

    def parse(self, text: str) -> Dict[str, Any]:
        status, parsed = self.request(
            "POST", f"{self.config.rasa_url}/model/parse?token={self.config.auth_token}", {"text": text}
        )
        assert status == 200, parsed
        return parsed

    def tracker(self, sender: str) -> Dict[str, Any]:
        status, tracker = self.request(
            "GET", f"{self.config.rasa_url}/conversations/{sender}/tracker?token={self.config.auth_token}"
        )
        assert status == 200, tracker
        return tracker

    @property
    def db_url(self) -> str:
        return self.config.extra_env["CLINIC_DB_URL"]

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.servers.log_dir.glob("*.log"))
