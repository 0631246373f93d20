"""The demo clinic page with the chat widget, for a container: ops/web.py's page on 0.0.0.0.

    python deploy/page_server.py [--port 8080]     RASA_PUBLIC_URL: where browsers reach Rasa

ops.web.start_web_server binds 127.0.0.1 (make run, make cluster); in a container nginx
reaches the page from outside, so this listens on every interface with the same handler,
and the page is the same: filled from the clinic settings on each request.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from clinic.settings import current_settings  # noqa: E402
from ops.web import _Handler  # noqa: E402  (the page's own handler, so nothing differs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    args = parser.parse_args()
    rasa_url = os.environ.get("RASA_PUBLIC_URL", "").rstrip("/")
    if not rasa_url:
        sys.exit("error: set RASA_PUBLIC_URL, the address browsers use for the Rasa server (nginx :5005)")
    handler = partial(_Handler, settings=current_settings, rasa_url=rasa_url)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    print(f"Chat page on {args.host}:{args.port}, talking to {rasa_url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
