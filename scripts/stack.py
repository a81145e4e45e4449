"""Start the real action server and Rasa server on free loopback ports.

Shared by the end-to-end tests and the benchmark, so both exercise exactly
the stack that `make run` starts. Logs go to the given folder.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, name: str, log_dir: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log_dir}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{name} did not start within {START_TIMEOUT}s; see {log_dir}")


@dataclass
class Stack:
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


def _start(args: List[str], log_path: Path, env: dict) -> subprocess.Popen:
    log = open(log_path, "w", encoding="utf-8")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def running_stack(
    model: Path,
    log_dir: Path,
    name: str = "stack",
    env: Optional[Dict[str, str]] = None,
    endpoints_extra: str = "",
    credentials: Path = ROOT / "credentials.yml",
) -> Iterator[Stack]:
    """Both servers up and answering; stopped on exit.

    ``env`` adds to the servers' environment (limits, credentials);
    ``endpoints_extra`` is YAML appended to the generated endpoints file
    (e.g. a tracker store).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SANIC_HOST": "127.0.0.1",  # the action server listens on loopback only
        **(env or {}),
    }
    action_port, rasa_port = free_port(), free_port()
    endpoints = log_dir / f"{name}_endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n{endpoints_extra}'
    )
    python = sys.executable
    action = _start(
        [python, "-m", "rasa", "run", "actions", "--actions", "actions", "--port", str(action_port)],
        log_dir / f"{name}_action_server.log", env,
    )
    rasa = _start(
        [python, "-m", "rasa", "run", "--model", str(model), "--endpoints", str(endpoints),
         "--credentials", str(credentials), "--port", str(rasa_port), "--interface", "127.0.0.1"],
        log_dir / f"{name}_rasa_server.log", env,
    )
    stack = Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", action, rasa)
    try:
        _wait_for(f"{stack.action_url}/health", action, "action server", log_dir)
        _wait_for(f"{stack.rasa_url}/", rasa, "Rasa server", log_dir)
        yield stack
    finally:
        for process in (rasa, action):
            process.terminate()
        for process in (rasa, action):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
