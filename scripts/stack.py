"""Start the real action server and Rasa server on free loopback ports.

Shared by the end-to-end tests, the benchmark and the load test, so all
exercise exactly the stack that `make run` starts: the Rasa server through the
project's entry point (`python -m rasa_server`, Rasa's CLI with the patches in
rasa_server/). Logs go to the given folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import requests

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 240


def rss_mb(pid: int) -> float:
    """A process's resident memory in MB (for the benchmark and the load test)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rasa_command(root: Path = ROOT) -> List[str]:
    """The command that starts the Rasa server of the tree at ``root``.

    The project's entry point; Rasa's own CLI for a tree that has none (an
    older commit that `make bench` compares against).
    """
    module = "rasa_server" if (root / "rasa_server" / "__main__.py").exists() else "rasa"
    return [sys.executable, "-m", module]


def action_command(root: Path = ROOT) -> List[str]:
    """The command that starts the action server of the tree at ``root`` (its own entry
    point, which checks the shared secret; rasa-sdk's for an older commit without one)."""
    if (root / "actions" / "server.py").exists():
        return [sys.executable, "-m", "actions.server"]
    return [sys.executable, "-m", "rasa", "run", "actions"]


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (from /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def stop_process(process: Optional[subprocess.Popen], kill: bool = False, timeout: float = 20) -> None:
    """TERM (or KILL, as a crash would) a started process and wait for it; KILL if TERM is not enough."""
    if process is None or process.poll() is not None:
        return
    (process.kill if kill else process.terminate)()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Server:
    """One server process: how to start it, and how to tell it is up."""

    name: str
    args: List[str]
    env: Dict[str, str]
    log_path: Path
    health_url: str
    process: Optional[subprocess.Popen] = None
    cwd: Path = ROOT

    def start(self) -> None:
        log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - the server writes to it while it runs
        self.process = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def wait_until_up(self) -> None:
        _wait_for(self.health_url, self.process, self.name, self.log_path.parent)  # type: ignore[arg-type]  # after start()

    def stop(self, kill: bool = False) -> None:
        """TERM (or KILL, as a crash would) and wait for the process to end."""
        stop_process(self.process, kill)


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    rasa: Server
    action: Server
    database_url: str

    @property
    def rasa_process(self) -> subprocess.Popen:
        return self.rasa.process  # type: ignore[return-value]  # started

    @property
    def action_process(self) -> subprocess.Popen:
        return self.action.process  # type: ignore[return-value]  # started

    def restart_rasa(self, kill: bool = True) -> None:
        """Kill the Rasa server (SIGKILL by default, like a crash) and start it again."""
        self.rasa.stop(kill=kill)
        self.rasa.start()
        self.rasa.wait_until_up()

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


@contextlib.contextmanager
def running_stack(
    model: Path,
    log_dir: Path,
    name: str = "stack",
    env: Optional[Dict[str, str]] = None,
    endpoints_extra: str = "",
    credentials: Optional[Path] = None,
    database_url: Optional[str] = None,
    action_env: Optional[Dict[str, str]] = None,
    rasa_args: Sequence[str] = (),
    root: Path = ROOT,
) -> Iterator[Stack]:
    """Both servers up and answering; stopped on exit.

    ``env`` adds to both servers' environment (limits, credentials),
    ``action_env`` to the action server's only, ``rasa_args`` to the Rasa
    server's command line (e.g. the HTTP API with a JWT secret); ``endpoints_extra`` is YAML
    appended to the generated endpoints file. Conversations and callback
    requests go to ``database_url``; by default a fresh SQLite file in
    ``log_dir`` (as `make run`, which uses var/). ``root`` is the source tree
    both servers run from (another commit's worktree, for `make bench`);
    ``credentials`` defaults to its credentials.yml.
    """
    credentials = credentials or root / "credentials.yml"
    log_dir.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        db_file = log_dir / f"{name}.db"
        db_file.unlink(missing_ok=True)
        database_url = f"sqlite:///{db_file}"
    env = {
        **os.environ,
        "SEND_DATABASE_URL": database_url,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SANIC_HOST": "127.0.0.1",  # the action server listens on loopback only
        "SANIC_REQUEST_MAX_SIZE": "1000000",  # as scripts/run.sh
        # The secret between the two servers (actions/server.py), random as in scripts/run.sh.
        "SEND_ACTION_SECRET": os.environ.get("SEND_ACTION_SECRET") or secrets.token_hex(32),
        **(env or {}),
    }
    action_port, rasa_port = free_port(), free_port()
    endpoints = log_dir / f"{name}_endpoints.yml"
    # As endpoints.yml, with this stack's port; Rasa fills the secret in from its environment.
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  headers:\n    X-Send-Action-Secret: ${SEND_ACTION_SECRET}\n"
        "tracker_store:\n  type: storage.tracker_store.RedactingSQLTrackerStore\n"
        "lock_store:\n  type: storage.lock_store.ConversationLockStore\n"
        f"{endpoints_extra}"
    )
    rasa_url, action_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
    action = Server(
        "action server",
        [*action_command(root), "--actions", "actions", "--port", str(action_port)],
        {**env, **(action_env or {})},
        log_dir / f"{name}_action_server.log",
        f"{action_url}/health",
        cwd=root,
    )
    rasa = Server(
        "Rasa server",
        [
            *rasa_command(root),
            "run",
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
            *rasa_args,
        ],
        env,
        log_dir / f"{name}_rasa_server.log",
        f"{rasa_url}/",
        cwd=root,
    )
    for server in (action, rasa):
        server.log_path.unlink(missing_ok=True)
        server.start()
    stack = Stack(rasa_url, action_url, rasa, action, database_url)
    try:
        action.wait_until_up()
        rasa.wait_until_up()
        yield stack
    finally:
        rasa.stop()
        action.stop()
