"""Access: the HTTP API is off unless a JWT secret protects it, models load only
from models/, the action server is reachable on loopback only and only with the
shared secret, and ``GET /`` does not announce Rasa's version."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import jwt
import pytest
import requests

from scripts.stack import ROOT, running_stack
from tests.e2e.conftest import ARTIFACTS, MODEL

pytestmark = pytest.mark.e2e

SECRET = "test-only-secret-" + "x" * 32


def non_loopback_addresses():
    """This machine's own addresses other than 127.x (from the routing table)."""
    addresses = set()
    for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
        addresses.add(info[4][0])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent
            addresses.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in addresses if not a.startswith("127."))


def test_the_http_api_is_off_by_default(servers):
    assert requests.get(f"{servers.rasa_url}/status", timeout=10).status_code == 404
    response = requests.put(f"{servers.rasa_url}/model", json={"model_file": "/tmp/evil.tar.gz"}, timeout=10)
    assert response.status_code in (403, 404)


def test_the_root_answers_a_plain_status_not_the_rasa_version(servers):
    response = requests.get(f"{servers.rasa_url}/", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "rasa" not in response.text.lower() and "3.6" not in response.text
    assert "rasa" not in response.headers.get("server", "").lower()


# What the Rasa server sends the action server to run one action (its tracker, trimmed).
ACTION_CALL = {
    "next_action": "action_fallback_help",
    "sender_id": "access-check",
    "tracker": {
        "sender_id": "access-check",
        "slots": {},
        "latest_message": {"text": "hi", "intent_ranking": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    },
    "domain": {},
    "version": "3.6.21",
}


def test_the_action_server_answers_only_with_the_shared_secret(servers):
    url = servers.action_url
    secret = servers.action.env["SEND_ACTION_SECRET"]
    refused = {
        "no secret": {},
        "a wrong secret": {"X-Send-Action-Secret": "not-the-secret-" + "x" * 40},
        "the secret with one character changed": {
            "X-Send-Action-Secret": secret[:-1] + ("0" if secret[-1] != "0" else "1")
        },
        "the secret as a bearer token": {"Authorization": f"Bearer {secret}"},
    }
    for name, headers in refused.items():
        for method, path, body in (("post", "/webhook", ACTION_CALL), ("get", "/actions", None)):
            response = requests.request(method, f"{url}{path}", json=body, headers=headers, timeout=10)
            assert response.status_code == 401, f"{name} {path}: {response.status_code}"
            assert "hi" not in response.text and "action_" not in response.text
    ok = requests.post(f"{url}/webhook", json=ACTION_CALL, headers={"X-Send-Action-Secret": secret}, timeout=30)
    assert ok.status_code == 200, ok.text
    assert ok.json()["responses"], "the action ran and answered"
    assert requests.get(f"{url}/actions", headers={"X-Send-Action-Secret": secret}, timeout=10).status_code == 200
    # The health check stays open (scripts/stack.py waits on it), and says nothing else.
    assert requests.get(f"{url}/health", timeout=10).json() == {"status": "ok"}


def test_the_action_server_will_not_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k != "SEND_ACTION_SECRET"}
    for secret in (None, "too-short"):
        if secret:
            env["SEND_ACTION_SECRET"] = secret
        done = subprocess.run(
            [sys.executable, "-m", "actions.server", "--port", "1"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2
        assert "SEND_ACTION_SECRET must be set" in done.stderr


def test_a_token_in_the_address_is_refused(servers):
    response = requests.get(f"{servers.rasa_url}/?token=abc", timeout=10)
    assert response.status_code == 401


def test_the_action_server_is_not_reachable_from_other_hosts(servers):
    port = int(servers.action_url.rsplit(":", 1)[1])
    addresses = non_loopback_addresses()
    assert addresses, "this machine has no non-loopback address to test from"
    for address in addresses:
        with socket.socket() as client:
            client.settimeout(3)
            assert client.connect_ex((address, port)) != 0, f"action server answers on {address}"
    assert requests.get(f"{servers.action_url}/health", timeout=10).status_code == 200


@pytest.fixture(scope="module")
def api_stack():
    with running_stack(
        MODEL, ARTIFACTS, name="api", rasa_args=["--enable-api", "--jwt-secret", SECRET, "--jwt-method", "HS256"]
    ) as stack:
        yield stack


def bearer(secret: str) -> dict:
    token = jwt.encode(
        {"user": {"username": "council-admin", "role": "admin"}, "exp": int(time.time()) + 300},
        secret,
        algorithm="HS256",
    )
    return {"Authorization": f"Bearer {token}"}


def test_the_api_needs_a_jwt_signed_with_the_secret(api_stack):
    url = f"{api_stack.rasa_url}/status"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers=bearer("another-secret-" + "y" * 32), timeout=10).status_code == 401
    assert requests.get(f"{url}?token={SECRET}", timeout=10).status_code == 401
    assert requests.get(url, headers=bearer(SECRET), timeout=10).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"model_file": "/tmp/evil.tar.gz"},
        {"model_file": str(ROOT / "models" / ".." / "evil.tar.gz")},
        {"model_server": {"url": "http://127.0.0.1:9/model.tar.gz"}},
        {"model_file": str(MODEL), "remote_storage": "aws"},
    ],
)
def test_models_load_only_from_the_models_folder(api_stack, body):
    response = requests.put(f"{api_stack.rasa_url}/model", json=body, headers=bearer(SECRET), timeout=30)
    assert response.status_code == 403
    # The assistant still answers with its own model.
    replies = api_stack.talk("access-check", "the council refused to assess my son")
    assert any("SEND35a" in (r.get("text") or "") for r in replies)
