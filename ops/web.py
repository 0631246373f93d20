"""The demo clinic page with the chat widget, served on 127.0.0.1:$WEB_PORT.

Standard library only: the page is two static files, filled in from the clinic settings
on every request, so a staff edit to clinic.yml shows on the next page load.
"""

from __future__ import annotations

import html
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict
from urllib.parse import urlsplit

from clinic.limits import MAX_MESSAGE_CHARS
from clinic.paths import WEB_DIR
from clinic.settings import ClinicSettings, current_settings
from clinic.texts import clinic_placeholders

SettingsSource = Callable[[], ClinicSettings]


def page_security_headers(rasa_url: str) -> Dict[str, str]:
    """No inline or foreign script, talk only to this page and the Rasa server. Styles may be
    inline: the widget brings its stylesheet in a <style> element so that a clinic embeds it
    with one <script> tag (a style can't run code)."""
    origin = urlsplit(rasa_url)
    rasa_origin = f"{origin.scheme}://{origin.netloc}" if origin.scheme and origin.netloc else ""
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self' {rasa_origin}".rstrip()
        + "; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; object-src 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def render_page(settings: ClinicSettings, rasa_url: str) -> bytes:
    values: Dict[str, str] = {
        **clinic_placeholders(settings),
        "clinic_phone_e164": settings.phone_e164,
        "rasa_url": rasa_url,
        "max_message_chars": str(MAX_MESSAGE_CHARS),
    }
    page = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    for key, value in values.items():
        page = page.replace("{{" + key + "}}", html.escape(value, quote=True))
    return page.encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, *args: Any, settings: SettingsSource, rasa_url: str, **kwargs: Any) -> None:
        self.settings = settings
        self.rasa_url = rasa_url
        super().__init__(*args, **kwargs)

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._head_only = True  # link checkers and uptime monitors ask with HEAD
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", render_page(self.settings(), self.rasa_url))
        elif path == "/widget.js":
            self._send(200, "text/javascript; charset=utf-8", (WEB_DIR / "widget.js").read_bytes())
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for header, value in page_security_headers(self.rasa_url).items():
            self.send_header(header, value)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if not getattr(self, "_head_only", False):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass  # page views are not logged


def start_web_server(port: int, rasa_url: str, settings: SettingsSource = current_settings) -> ThreadingHTTPServer:
    """Serve the page on 127.0.0.1:`port`; `settings` gives the settings for each request."""
    handler = partial(_Handler, settings=settings, rasa_url=rasa_url)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
