"""Serves the demo page: a plain page standing in for the council's site, with the widget on it.

    python -m web.serve --port 8080 --rasa-url http://localhost:5005

Why a server of its own (and not the Rasa server): the widget is meant to sit
on another site, so the demo shows it from another origin, exactly as the
council's pages will, and the socket.io origin check is exercised for real.

Only web/demo/ and the built web/dist/widget.js are served, never the sources
or node_modules. ``/config.js`` tells the page where the Rasa server is; it is
a script file, not inline, so the page keeps a strict Content-Security-Policy
that shows the council which sources the widget needs.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import sys
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

WEB = Path(__file__).resolve().parent
DEMO = WEB / "demo"
DIST = WEB / "dist"


def widget_config(rasa_url: str) -> dict:
    """What the demo page passes to the widget (the council sets its own)."""
    return {
        "serverUrl": rasa_url,
        "title": "Walsall SEND disagreements helper",
        "privacyUrl": "/privacy.html",
    }


def content_security_policy(rasa_url: str) -> str:
    """A strict policy: the widget needs only its own script and its socket to the Rasa server."""
    parts = urlsplit(rasa_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    origin = f"{parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"connect-src 'self' {origin} {ws_scheme}://{parts.netloc}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class DemoHandler(http.server.SimpleHTTPRequestHandler):
    rasa_url = "http://localhost:5005"

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", content_security_policy(self.rasa_url))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if urlsplit(self.path).path == "/config.js":
            body = f"window.SendWidgetConfig = {json.dumps(widget_config(self.rasa_url))};\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def translate_path(self, path: str) -> str:
        """``/dist/widget.js`` from web/dist, everything else from web/demo."""
        clean = urlsplit(path).path
        if clean == "/dist/widget.js":
            return str(DIST / "widget.js")
        return super().translate_path(path)

    def list_directory(self, path):  # no folder listings
        self.send_error(404, "Not found")
        return None

    def log_message(self, format: str, *args) -> None:  # quiet: `make run` prints what matters
        pass


def make_server(port: int, rasa_url: str, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (DemoHandler,), {"rasa_url": rasa_url.rstrip("/")})
    return http.server.ThreadingHTTPServer((host, port), partial(handler, directory=str(DEMO)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("WIDGET_PORT", 8080)))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://localhost:5005"))
    args = parser.parse_args(argv)
    if not (DIST / "widget.js").exists():
        print("web/dist/widget.js is missing: run `make widget` first.", file=sys.stderr)
        return 1
    server = make_server(args.port, args.rasa_url, args.host)
    print(f"Demo page: http://localhost:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
