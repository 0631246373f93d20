"""Where `make run` keeps conversations and how `make reload` finds the running server."""
import json
import stat

import pytest
import yaml

from ops import reload as reload_module
from ops.servers import render_endpoints


def test_sqlite_tracker_store_is_rendered_for_rasa(tmp_path):
    path = render_endpoints(tmp_path / "endpoints.yml", 5055, "secret", f"sqlite:///{tmp_path}/tracker.db")
    rendered = yaml.safe_load(path.read_text())
    assert rendered["tracker_store"] == {"type": "channels.tracker_store.ClinicSQLTrackerStore", "dialect": "sqlite", "db": f"{tmp_path}/tracker.db"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_postgres_tracker_store_url_is_split_into_rasa_fields(tmp_path):
    url = "postgresql+psycopg2://clinic:s%40cret@db.internal:5433/rasa?sslmode=require"
    rendered = yaml.safe_load(render_endpoints(tmp_path / "e.yml", 5055, "", url).read_text())
    assert rendered["tracker_store"] == {
        "type": "channels.tracker_store.ClinicSQLTrackerStore", "dialect": "postgresql+psycopg2", "host": "db.internal", "port": 5433,
        "db": "rasa", "username": "clinic", "password": "s@cret", "query": {"sslmode": "require"},
    }
    assert "token" not in rendered["action_endpoint"]


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


def test_reload_says_clearly_when_no_server_answers(monkeypatch):
    from ops.servers import free_port

    with pytest.raises(reload_module.ReloadError, match="can't reach the assistant"):
        reload_module.serving_model(f"http://127.0.0.1:{free_port()}", "tok")
