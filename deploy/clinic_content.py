"""The clinic's editable files in a deployment: one shared folder that every container reads.

    python deploy/clinic_content.py seed CONTENT          every container, before its server starts
    python deploy/clinic_content.py live-model CONTENT    the model a Rasa server starts with
    python deploy/clinic_content.py bake-model SRC DST    docker build: the model for the image's data

Why a shared folder: staff change the clinic's details, texts and training data in the
console, and go-live trains a model there and loads it into every Rasa server by its path
(PUT /model). So the Rasa servers, the action server, the page and the console must all see
the same clinic.yml, messages.yml and models/, at the same path: CONTENT/project (a volume
in compose, a ReadWriteMany claim in Kubernetes). The image's copy seeds it the first time
only; after that the folder holds the truth, and a newer image never overwrites staff edits
(it says so in the log when its own training data differs, so a release merges on purpose).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ops.training import fingerprint, input_files  # noqa: E402  (the fingerprint `make train` writes)

# What the console edits and what go-live reads under its --root (ops.check, ops.training,
# ops.story_tests), copied; the code whose texts `ops.check` reads there, linked to the image.
EDITABLE = ("config.yml", "domain.yml", "data", "tests/stories", "clinic.yml", "messages.yml")
LINKED = ("actions", "channels", "clinic", "web")
SEEDED_FROM = ".seeded-from"  # the image data's fingerprint at seeding
SEEDED_MODEL = ".seeded-model"  # the model that served before any go-live
HISTORY = "live_models.json"  # staff/go_live.py's record of the models put live, newest last


def model_stamp(model: Path) -> Path:
    return model.with_name(model.name[: -len(".tar.gz")] + ".fingerprint")


def models_newest_first(folder: Path) -> List[Path]:
    return sorted(folder.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime, reverse=True)


def bake_model(source: Path, target: Path, root: Path = ROOT) -> Path:
    """Copy the newest model trained from exactly `root`'s config, domain and data (and its
    fingerprint, so the console sees it as current) into `target`."""
    wanted = fingerprint(input_files(root), root)
    for model in models_newest_first(source):
        stamp = model_stamp(model)
        if stamp.exists() and stamp.read_text().strip() == wanted:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(model, target / model.name)
            shutil.copy2(stamp, target / stamp.name)
            return target / model.name
    raise SystemExit(
        f"error: no model in {source} was trained from this config, domain and data: run `make train`, then build again"
    )


def seed(content: Path, root: Path = ROOT) -> Path:
    """Create CONTENT/project from the image the first time; returns it."""
    project, state = content / "project", content / "state"
    state.mkdir(parents=True, exist_ok=True)
    image_data = fingerprint(input_files(root), root)
    if project.exists():
        seeded_from = project / SEEDED_FROM
        if seeded_from.exists() and seeded_from.read_text().strip() != image_data:
            print(
                f"note: this image's training data differs from the one {project} was seeded from; "
                "the folder (with staff edits) is kept and serves",
                flush=True,
            )
        return project
    staging = Path(tempfile.mkdtemp(prefix=".seed-", dir=content))
    try:
        for name in EDITABLE:
            source, target = root / name, staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)
        for name in LINKED:
            (staging / name).symlink_to(root / name)
        models = staging / "models"
        if (root / "models").is_dir():
            shutil.copytree(root / "models", models)
        models.mkdir(exist_ok=True)
        baked = models_newest_first(models)
        (staging / SEEDED_MODEL).write_text(baked[0].name if baked else "")
        (staging / SEEDED_FROM).write_text(image_data + "\n")
        staging.chmod(0o755)
        try:
            os.rename(staging, project)  # atomic: of several containers starting at once, one wins
            print(f"Seeded {project} from the image.", flush=True)
        except OSError:
            if not project.exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return project


def live_model(content: Path) -> Path:
    """The model put live last (go-live's history), else the seeded one, else the newest."""
    project = content / "project"
    models = project / "models"
    try:
        history = json.loads((content / "state" / HISTORY).read_text())
    except (OSError, ValueError):
        history = []
    names: List[Optional[str]] = [str(history[-1].get("model") or "")] if history else []
    seeded = project / SEEDED_MODEL
    names.append(seeded.read_text().strip() if seeded.exists() else None)
    for name in names:
        if name and (models / name).is_file():
            return models / name
    newest = models_newest_first(models)
    if newest:
        return newest[0]
    raise SystemExit(f"error: no model in {models}: build the image after `make train`, or copy a model there")


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed").add_argument("content", type=Path)
    commands.add_parser("live-model").add_argument("content", type=Path)
    bake = commands.add_parser("bake-model")
    bake.add_argument("source", type=Path)
    bake.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    if args.command == "seed":
        seed(args.content)
    elif args.command == "live-model":
        print(live_model(args.content))
    else:
        print(f"Baked {bake_model(args.source, args.target)} into the image.")


if __name__ == "__main__":
    main()
