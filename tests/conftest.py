"""Shared fixtures: a valid settings mapping and a way to write variants of it."""

import copy
import shutil
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml

from clinic.paths import REPO_ROOT


@pytest.fixture
def settings_data() -> Dict[str, Any]:
    """The committed clinic.yml as a dict, to change one field at a time."""
    return copy.deepcopy(yaml.safe_load((REPO_ROOT / "clinic.yml").read_text()))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the texts and training data that a test may break."""
    for name in ("domain.yml", "messages.yml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    return tmp_path


@pytest.fixture
def write_settings(tmp_path: Path) -> Callable[[Dict[str, Any]], Path]:
    def write(data: Dict[str, Any]) -> Path:
        path = tmp_path / "clinic.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write
