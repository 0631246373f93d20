"""Train only when config, domain or training data changed since the newest model.

A fingerprint of those files is stored next to the model (models/<name>.fingerprint);
comparing it takes milliseconds, where `rasa train` needs ~20 s just to decide.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List, Optional

from clinic.paths import REPO_ROOT
from ops.rasa_env import rasa_env

TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "corpora", "components")


def input_files(root: Path = REPO_ROOT) -> List[Path]:
    files: List[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_dir():  # data/*.yml, and corpora/*.tsv (the domain gate's negatives)
            # components/*.py: the pipeline's own components learn in code Rasa can't fingerprint.
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".tsv", ".py")))
        elif path.exists():
            files.append(path)
    return files


def fingerprint(files: Iterable[Path], root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def newest_model(models_dir: Path) -> Optional[Path]:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def _fingerprint_file(model: Path) -> Path:
    return model.with_name(model.name[: -len(".tar.gz")] + ".fingerprint")


def current_model(root: Path = REPO_ROOT) -> Optional[Path]:
    """The newest model trained from exactly the current inputs, else None.

    Any model counts, not only the newest: after an edit is undone, the model trained
    before it is current again and serves without training.
    """
    wanted = fingerprint(input_files(root), root)
    models = sorted((root / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for model in models:
        stamp = _fingerprint_file(model)
        if stamp.exists() and stamp.read_text().strip() == wanted:
            return model
    return None


def train_if_stale(root: Path = REPO_ROOT, force: bool = False) -> Path:
    model = None if force else current_model(root)
    if model is not None:
        print(f"Model is current: {model.relative_to(root)} (no training needed)")
        return model

    def print_fn(message: str) -> None:
        print(message, flush=True)

    print_fn("Training the model (config, domain or data changed); this takes about half a minute...")
    started = time.monotonic()
    before = fingerprint(input_files(root), root)
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--out=models"],
        cwd=root,
        env=rasa_env(),
        check=True,
    )
    model = newest_model(root / "models")
    if model is None:
        raise SystemExit("error: rasa train finished but models/ holds no model")
    _fingerprint_file(model).write_text(before + "\n")
    print_fn(f"Trained {model.relative_to(root)} in {time.monotonic() - started:.0f} s")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if the model is current")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        train_if_stale(args.root.resolve(), force=args.force)
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"error: rasa train failed with exit code {error.returncode}") from None


if __name__ == "__main__":
    main()
