"""Talking to the running Rasa server's HTTP API (token-protected), for the console and ops.

Where the server is: RASA_URL and RASA_AUTH_TOKEN, or else var/run.json, which `make run`
writes (readable only by its owner) while it runs.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from clinic.paths import RUN_FILE


class RasaApiError(RuntimeError):
    """The assistant's server could not be reached or refused the call."""


def server_address(run_file: Path = RUN_FILE) -> Tuple[str, str]:
    url, token = os.environ.get("RASA_URL"), os.environ.get("RASA_AUTH_TOKEN")
    if url and token:
        return url.rstrip("/"), token
    if run_file.exists():
        running = json.loads(run_file.read_text())
        return str(running["rasa_url"]), str(running["token"])
    raise RasaApiError("no running assistant found: start it with `make run` (or set RASA_URL and RASA_AUTH_TOKEN)")


def model_servers(run_file: Path = RUN_FILE) -> List[str]:
    """Every Rasa server a new model must reach: RASA_SERVER_URLS (space-separated), else the
    "servers" `make cluster` writes in var/run.json, else the one server of server_address()."""
    configured = os.environ.get("RASA_SERVER_URLS", "").split()
    if configured:
        return [url.rstrip("/") for url in configured]
    if not os.environ.get("RASA_URL") and run_file.exists():
        servers = json.loads(run_file.read_text()).get("servers")
        if servers:
            return [str(url).rstrip("/") for url in servers]
    return [server_address(run_file)[0]]


def call(method: str, url: str, body: Optional[Any] = None, timeout: float = 300) -> Tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, OSError) as error:
        raise RasaApiError(f"can't reach the assistant at {url.split('?')[0]}: {error}") from error


def append_events(sender_id: str, events: List[Dict[str, Any]]) -> None:
    """Add events to a conversation, under Rasa's own lock (POST /conversations/{id}/tracker/events)."""
    rasa_url, token = server_address()
    quoted = urllib.parse.quote(sender_id, safe="")
    status, body = call(
        "POST", f"{rasa_url}/conversations/{quoted}/tracker/events?token={urllib.parse.quote(token)}", events, 30
    )
    if status != 200:
        raise RasaApiError(f"the assistant refused the change ({status}): {str(body)[:200]}")
