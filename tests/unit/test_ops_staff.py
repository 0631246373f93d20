"""Where conversations are kept, how Rasa's own loader finds the store, and `make reload`."""

import asyncio
import stat

import pytest
import yaml
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from channels.tracker_store import ClinicSQLTrackerStore, rasa_fields
from clinic.paths import REPO_ROOT
from ops import reload as reload_module
from ops.servers import render_endpoints
from storage.conversations import TrackerReader


def test_rendered_endpoints_name_the_store_and_leave_the_database_to_one_place(tmp_path):
    path = render_endpoints(tmp_path / "endpoints.yml", 5055, "secret")
    rendered = yaml.safe_load(path.read_text())
    assert rendered["tracker_store"] == {"type": "channels.tracker_store.ClinicSQLTrackerStore"}
    assert rendered["action_endpoint"]["token"] == "secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "token" not in yaml.safe_load(render_endpoints(tmp_path / "e.yml", 5055, "").read_text())["action_endpoint"]


def test_postgres_url_is_split_into_rasa_fields():
    url = "postgresql+psycopg2://clinic:s%40cret@db.internal:5433/rasa?sslmode=require"
    assert rasa_fields(url) == {
        "dialect": "postgresql+psycopg2",
        "host": "db.internal",
        "port": 5433,
        "db": "rasa",
        "username": "clinic",
        "password": "s@cret",
        "query": {"sslmode": "require"},
    }


def _save_and_read_back(store, sender="visitor-1"):
    tracker = DialogueStateTracker.from_events(
        sender, [ActionExecuted("action_listen"), UserUttered("what is micro-needling?", {"name": "faq"})]
    )
    asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender)).latest_message.text


@pytest.mark.parametrize("endpoints_extra", ["", "  url: {url}\n"])
def test_rasas_own_loader_builds_the_store_where_staff_commands_read(tmp_path, monkeypatch, endpoints_extra):
    """Rasa hands a custom store's `url` over as `host`; with TRACKER_DB_URL set, or a url in
    the endpoints file, the server and the staff commands use one database."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    monkeypatch.setenv("TRACKER_DB_URL", "" if endpoints_extra else url)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: channels.tracker_store.ClinicSQLTrackerStore\n" + endpoints_extra.format(url=url)
    )
    store = TrackerStore.create(read_endpoint_config(str(endpoints), "tracker_store"), Domain.empty())
    assert isinstance(store._tracker_store if hasattr(store, "_tracker_store") else store, ClinicSQLTrackerStore)
    assert _save_and_read_back(store) == "what is micro-needling?"
    assert [c.sender_id for c in TrackerReader(url).conversations()] == ["visitor-1"]


def test_the_committed_endpoints_file_uses_the_same_default_as_the_staff_commands(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    config = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "tracker_store")
    assert set(config.kwargs) == set() and config.url is None  # nothing but the type
    from clinic.paths import tracker_db_url

    assert tracker_db_url() == f"sqlite:///{REPO_ROOT / 'var' / 'tracker.db'}"


def test_reload_finds_the_server_from_the_run_file(tmp_path, monkeypatch):
    monkeypatch.delenv("RASA_URL", raising=False)
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    run_file = tmp_path / "run.json"
    with pytest.raises(reload_module.ReloadError, match="make run"):
        reload_module.server_address(run_file)
    reload_module.write_run_file("http://127.0.0.1:5999", "tok", run_file)
    assert stat.S_IMODE(run_file.stat().st_mode) == 0o600
    assert reload_module.server_address(run_file) == ("http://127.0.0.1:5999", "tok")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:6000/")
    monkeypatch.setenv("RASA_AUTH_TOKEN", "other")
    assert reload_module.server_address(run_file) == ("http://127.0.0.1:6000", "other")
    reload_module.remove_run_file(run_file)
    assert not run_file.exists()


def test_a_new_model_goes_to_every_server_make_cluster_lists(tmp_path, monkeypatch):
    from staff import rasa_api

    for name in ("RASA_URL", "RASA_AUTH_TOKEN", "RASA_SERVER_URLS"):
        monkeypatch.delenv(name, raising=False)
    run_file = tmp_path / "run.json"
    reload_module.write_run_file("http://127.0.0.1:5005", "tok", run_file)  # make run: one server
    assert rasa_api.model_servers(run_file) == ["http://127.0.0.1:5005"]
    servers = ["http://127.0.0.1:5105", "http://127.0.0.1:5106/"]
    reload_module.write_run_file("http://127.0.0.1:5005", "tok", run_file, servers=servers)  # make cluster
    assert rasa_api.model_servers(run_file) == ["http://127.0.0.1:5105", "http://127.0.0.1:5106"]
    monkeypatch.setenv("RASA_SERVER_URLS", "http://a:1 http://b:2")  # the console's environment
    assert rasa_api.model_servers(run_file) == ["http://a:1", "http://b:2"]


def test_reload_says_clearly_when_no_server_answers(monkeypatch):
    from ops.servers import free_port

    with pytest.raises(reload_module.ReloadError, match="can't reach the assistant"):
        reload_module.serving_model(f"http://127.0.0.1:{free_port()}", "tok")
