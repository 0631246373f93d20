"""A trained scikit-learn object in Rasa's model storage: written at training, read at load;
and the digest that tells Rasa's cache when what it was trained from changed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterable, Optional

import joblib
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save(model_storage: ModelStorage, resource: Resource, file_name: str, value: Any) -> None:
    with model_storage.write_to(resource) as directory:
        joblib.dump(value, directory / file_name)


def load(model_storage: ModelStorage, resource: Resource, file_name: str) -> Optional[Any]:
    """The stored object, or None when this model was never trained with it."""
    try:
        with model_storage.read_from(resource) as directory:
            return joblib.load(directory / file_name)
    except (ValueError, FileNotFoundError):
        return None


def file_digest(paths: Iterable[Path]) -> str:
    """Changes whenever one of the files does, so Rasa retrains a component (fingerprint_addon)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()
