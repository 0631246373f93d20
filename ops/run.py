"""`make run` / `make shell`: train if stale, start both servers, say where to chat.

Environment (defaults in brackets): RASA_PORT (5005), ACTION_PORT (5055), WEB_PORT (8080),
STAFF_PORT (8081, the staff console),
RASA_AUTH_TOKEN
(generated for the session and printed when unset), ACTION_SERVER_TOKEN (generated when
unset), CORS_ORIGINS (none; space-separated origins, besides the chat page's and the console's,
allowed to call Rasa from a browser: the clinic's own site),
CLINIC_SETTINGS (clinic.yml), TRACKER_DB_URL (SQLAlchemy URL where conversations are kept;
sqlite:///var/tracker.db), RATE_LIMIT_PER_SENDER / RATE_LIMIT_PER_CLIENT / RATE_LIMIT_SIGN_INS
(clinic.yml's rate_limits for this run; 0 = off).

A server that dies is restarted with back-off and a line here; the others keep serving.
Once a day, conversations and requests older than clinic.yml's `retention` are deleted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import time

from clinic.paths import settings_path
from clinic.settings import SettingsError, load_settings
from ops.chat import chat_loop
from ops.housekeeping import DailyPurge
from ops.reload import live_model_of_this_run, remove_run_file, write_run_file
from ops.servers import BotServers, ServerConfig, ServerFailedError, cors_origins_from_env
from ops.training import train_if_stale
from ops.web import start_web_server


def _config_from_env() -> tuple[ServerConfig, bool]:
    auth_token = os.environ.get("RASA_AUTH_TOKEN", "")
    generated = not auth_token
    staff_port = int(os.environ.get("STAFF_PORT", "8081"))
    config = ServerConfig(
        model=train_if_stale(),
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        action_port=int(os.environ.get("ACTION_PORT", "5055")),
        auth_token=auth_token or secrets.token_urlsafe(24),
        action_token=os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(24),
        cors_origins=cors_origins_from_env(_web_port(), staff_port),
        tracker_db_url=os.environ.get("TRACKER_DB_URL") or None,
        staff_port=staff_port,
    )
    return config, generated


def _web_port() -> int:
    return int(os.environ.get("WEB_PORT", "8080"))


def _say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


def _banner(config: ServerConfig, token_generated: bool, web_url: str) -> str:
    token_line = (
        f"HTTP API token (generated for this session): {config.auth_token}"
        if token_generated
        else "HTTP API token: the RASA_AUTH_TOKEN you set"
    )
    return f"""
The clinic assistant is running.
  Chat page:       {web_url}   (open it in a browser; the widget is in the corner)
  Chat over REST:  curl -s -X POST {config.rasa_url}/webhooks/rest/webhook \\
                     -H 'Content-Type: application/json' -d '{{"sender":"me","message":"hi"}}'
  Staff console:   {config.staff_url}/   (accounts: .venv/bin/python -m staff user add NAME [--admin])
  Terminal chat:   make shell   (starts its own servers; stop this one first or set other ports)
  HTTP API:        {config.rasa_url}/status?token=...   {token_line}
  Logs:            var/logs/rasa.log, var/logs/actions.log, var/logs/console.log
Press Ctrl-C to stop them all.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chat", action="store_true", help="chat in this terminal, then stop")
    args = parser.parse_args()
    # Ctrl-C must stop everything even when started from a shell that ignores SIGINT for
    # background jobs (Python keeps an inherited "ignore"); SIGTERM does the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        load_settings()  # a bad settings file stops here, before anything starts
    except SettingsError as error:
        sys.exit(f"error: clinic settings: {error}")
    print(f"Clinic settings: {settings_path()}")
    config, token_generated = _config_from_env()
    if args.chat:
        config.staff_port = None  # the terminal chat needs no console
    print("Starting the action server and the Rasa server (about 15-30 s)...", flush=True)
    started = time.monotonic()
    servers = BotServers(config, live_model=live_model_of_this_run)
    try:
        servers.start()
    except ServerFailedError as error:
        sys.exit(f"error: {error}")
    print(f"Ready in {time.monotonic() - started:.0f} s.")
    write_run_file(config.rasa_url, config.auth_token)  # lets `make reload` find this server
    web = None
    try:
        if args.chat:
            chat_loop(config.rasa_url)
            return
        web_port = _web_port()
        try:
            web = start_web_server(web_port, config.rasa_url)
        except OSError as error:
            sys.exit(f"error: can't serve the chat page on port {web_port} ({error.strerror}); set WEB_PORT")
        print(_banner(config, token_generated, f"http://127.0.0.1:{web_port}/"), flush=True)
        purge = DailyPurge(config.tracker_db_url, os.environ.get("CLINIC_DB_URL") or None, _say)
        while True:
            time.sleep(1)
            servers.watch(_say)
            purge.tick()
    except KeyboardInterrupt:
        print("\nStopping...")
    finally:
        if web is not None:
            web.shutdown()
        servers.stop()
        remove_run_file()
        print("Stopped.")


if __name__ == "__main__":
    main()
