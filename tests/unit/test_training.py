import os
from pathlib import Path

from ops.training import current_model, fingerprint, input_files


def _make_project(root: Path) -> None:
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "models").mkdir()
    (root / "config.yml").write_text("language: en\n")
    (root / "domain.yml").write_text("intents: [greet]\n")
    (root / "data" / "nlu" / "a.yml").write_text("nlu: []\n")


def _add_model(root: Path, name: str, stamp: str, mtime: float) -> Path:
    model = root / "models" / f"{name}.tar.gz"
    model.write_bytes(b"model")
    os.utime(model, (mtime, mtime))
    (root / "models" / f"{name}.fingerprint").write_text(stamp + "\n")
    return model


def test_model_trained_from_current_inputs_is_current(tmp_path):
    _make_project(tmp_path)
    model = _add_model(tmp_path, "m1", fingerprint(input_files(tmp_path), tmp_path), 1000)
    assert current_model(tmp_path) == model


def test_any_data_change_makes_the_model_stale(tmp_path):
    _make_project(tmp_path)
    _add_model(tmp_path, "m1", fingerprint(input_files(tmp_path), tmp_path), 1000)
    (tmp_path / "data" / "nlu" / "a.yml").write_text("nlu: [changed]\n")
    assert current_model(tmp_path) is None


def test_a_new_data_file_makes_the_model_stale(tmp_path):
    _make_project(tmp_path)
    _add_model(tmp_path, "m1", fingerprint(input_files(tmp_path), tmp_path), 1000)
    (tmp_path / "data" / "rules.yml").write_text("rules: []\n")
    assert current_model(tmp_path) is None


def test_an_older_model_of_the_same_inputs_is_current_again_after_an_undo(tmp_path):
    _make_project(tmp_path)
    current = fingerprint(input_files(tmp_path), tmp_path)
    old = _add_model(tmp_path, "old", current, 1000)
    _add_model(tmp_path, "new", "something-else", 2000)
    assert current_model(tmp_path) == old


def test_the_newest_of_two_matching_models_is_used(tmp_path):
    _make_project(tmp_path)
    current = fingerprint(input_files(tmp_path), tmp_path)
    _add_model(tmp_path, "old", current, 1000)
    newer = _add_model(tmp_path, "newer", current, 2000)
    assert current_model(tmp_path) == newer


def test_no_model_is_stale(tmp_path):
    _make_project(tmp_path)
    assert current_model(tmp_path) is None
