"""The demo page server serves the demo and the widget, and nothing else."""

from __future__ import annotations

import threading

import pytest
import requests

from web.serve import make_server


@pytest.fixture(scope="module")
def demo():
    server = make_server(0, "http://127.0.0.1:5999/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_demo_page_with_a_strict_policy(demo):
    page = requests.get(f"{demo}/", timeout=5)
    assert page.status_code == 200
    assert '<script src="/dist/widget.js"' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self' http://127.0.0.1:5999 ws://127.0.0.1:5999" in policy


def test_config_points_the_widget_at_the_rasa_server(demo):
    config = requests.get(f"{demo}/config.js", timeout=5)
    assert config.headers["Content-Type"].startswith("text/javascript")
    assert '"serverUrl": "http://127.0.0.1:5999"' in config.text


@pytest.mark.parametrize(
    "path",
    [
        "/package.json",
        "/serve.py",
        "/../serve.py",
        "/%2e%2e/serve.py",
        "/node_modules/axe-core/axe.min.js",
        "/src/widget.js",
        "/dist/",
        "/dist/other.js",
    ],
)
def test_serves_nothing_outside_the_demo(demo, path):
    assert requests.get(f"{demo}{path}", timeout=5).status_code == 404
