"""`make reload`: train if anything changed, load the model into the running assistant, confirm.

Uses Rasa's `PUT /model` with the HTTP API token, then asks `GET /status` which model is
serving. Where the server is: RASA_URL and RASA_AUTH_TOKEN, or else var/run.json, which
`make run` writes (readable only by its owner) while it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from clinic.paths import REPO_ROOT, RUN_FILE
from ops.training import train_if_stale
from staff import rasa_api


class ReloadError(RuntimeError):
    pass


def write_run_file(rasa_url: str, token: str, path: Path = RUN_FILE, servers: Optional[List[str]] = None) -> None:
    """`servers`: each Rasa server's own address, when several sit behind `rasa_url` (make cluster)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    os.chmod(path, 0o600)  # it holds the session's API token
    record: Dict[str, Any] = {"rasa_url": rasa_url, "token": token, "pid": os.getpid()}
    if servers:
        record["servers"] = servers
    path.write_text(json.dumps(record))


def record_live_model(model: Path, path: Path = RUN_FILE) -> None:
    """Note in the run file which model is live now, so that a server that restarts loads it."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return  # no assistant of ours running here
    record["model"] = str(model.resolve())
    path.write_text(json.dumps(record))


def live_model_of_this_run(path: Path = RUN_FILE) -> Optional[Path]:
    """The model put live since this run started (None: the one it started with)."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if record.get("pid") != os.getpid() or not record.get("model"):
        return None
    return Path(str(record["model"]))


def remove_run_file(path: Path = RUN_FILE) -> None:
    path.unlink(missing_ok=True)


def server_address(run_file: Path = RUN_FILE) -> Tuple[str, str]:
    try:
        return rasa_api.server_address(run_file)
    except rasa_api.RasaApiError as error:
        raise ReloadError(str(error)) from None


def _call(method: str, url: str, body: Optional[Dict[str, Any]] = None, timeout: float = 300) -> Tuple[int, Any]:
    try:
        return rasa_api.call(method, url, body, timeout)
    except rasa_api.RasaApiError as error:
        raise ReloadError(str(error)) from None


def serving_model(rasa_url: str, token: str) -> str:
    status, body = _call("GET", f"{rasa_url}/status?token={token}", timeout=10)
    if status != 200:
        raise ReloadError(f"GET /status answered {status}: {body}")
    return Path(body["model_file"]).name


def load_model(model: Path, rasa_url: str, token: str) -> float:
    """Load `model` into the server at `rasa_url`; returns the seconds it took."""
    started = time.monotonic()
    status, body = _call("PUT", f"{rasa_url}/model?token={token}", {"model_file": str(model.resolve())})
    if status != 204:
        raise ReloadError(f"PUT /model answered {status}: {body}")
    serving = serving_model(rasa_url, token)
    if serving != model.name:
        raise ReloadError(f"the server still serves {serving}, not {model.name}")
    return time.monotonic() - started


def reload(root: Path = REPO_ROOT, force: bool = False, model: Optional[Path] = None) -> Tuple[str, Path]:
    """Train if stale (unless `model` is given) and load it into every Rasa server, one at a
    time (the others keep answering meanwhile); returns (model served before, model now)."""
    _, token = server_address()
    servers = rasa_api.model_servers()
    before = serving_model(servers[0], token)  # fail fast, before training, if a server is not there
    for url in servers[1:]:
        serving_model(url, token)
    if model is None:
        try:
            model = train_if_stale(root)
        except subprocess.CalledProcessError as error:
            raise ReloadError(
                f"training failed (exit code {error.returncode}); the running model is unchanged"
            ) from error
    elif not model.exists():
        raise ReloadError(f"{model} does not exist")
    stale = [url for url in servers if force or serving_model(url, token) != model.name]
    if not stale:
        print(f"The assistant already serves {model.name}; nothing to do.")
        return before, model
    for number, url in enumerate(stale, start=1):
        where = f"server {number} of {len(stale)} ({url})" if len(servers) > 1 else f"the assistant at {url}"
        print(f"Loading {model.name} into {where} (messages wait while it loads, none are lost)...", flush=True)
        seconds = load_model(model, url, token)
        if len(servers) > 1:
            print(f"Live on {where}: {model.name} (loaded in {seconds:.1f} s).", flush=True)
        else:
            print(f"Live: the assistant now serves {model.name} (loaded in {seconds:.1f} s).")
    record_live_model(model)
    return before, model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--force", action="store_true", help="load the model even if it is already serving")
    parser.add_argument("--model", type=Path, help="load this model file instead of training (going back)")
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)  # JSON {before, model} for the console
    args = parser.parse_args()
    started = time.monotonic()
    try:
        before, model = reload(args.root.resolve(), args.force, args.model)
    except ReloadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.result:
        args.result.write_text(json.dumps({"before": before, "model": model.name}))
    print(f"From edit to live: {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
