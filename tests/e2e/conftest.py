"""Starts the real action server and Rasa server for the end-to-end tests.

Both run as separate processes on free loopback ports (so a `make run` on
5005/5055 does not clash), with the trained model in models/. Their logs go to
artifacts/e2e/ so a failure can be read after the run.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import List

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "send-assistant.tar.gz"
ARTIFACTS = ROOT / "artifacts" / "e2e"
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {ARTIFACTS}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{name} did not start within {START_TIMEOUT}s; see {ARTIFACTS}")


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    action_process: subprocess.Popen
    rasa_process: subprocess.Popen

    def say(self, sender: str, message, timeout: float = 30) -> requests.Response:
        return requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )

    def talk(self, sender: str, message: str) -> List[dict]:
        response = self.say(sender, message)
        assert response.status_code == 200, response.text
        return response.json()


def start(args: List[str], log_name: str, env: dict) -> subprocess.Popen:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / log_name, "w", encoding="utf-8")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_action_server(port: int, env: dict) -> subprocess.Popen:
    args = [sys.executable, "-m", "rasa", "run", "actions", "--actions", "actions", "--port", str(port)]
    return start(args, "action_server.log", env)


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Servers:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    action_port, rasa_port = free_port(), free_port()
    endpoints = tmp_path_factory.mktemp("config") / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')

    action = start_action_server(action_port, env)
    rasa = start(
        [sys.executable, "-m", "rasa", "run", "--model", str(MODEL), "--endpoints", str(endpoints),
         "--credentials", "credentials.yml", "--port", str(rasa_port), "--interface", "127.0.0.1"],
        "rasa_server.log", env,
    )
    servers = Servers(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", action, rasa)
    try:
        wait_for(f"{servers.action_url}/health", action, "action server")
        wait_for(f"{servers.rasa_url}/", rasa, "Rasa server")
        yield servers
    finally:
        for process in (servers.rasa_process, servers.action_process):
            process.terminate()
        for process in (servers.rasa_process, servers.action_process):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def sender() -> str:
    """A fresh, random conversation id for each test."""
    return f"e2e-{uuid.uuid4().hex}"
