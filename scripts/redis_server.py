"""A throwaway Redis server for the cluster and its tests: ``with temporary_redis() as server:``.

Several Rasa servers share their conversation locks, and the servers share
the guard's rate limits, the WhatsApp channel's offered options and the
callback form's drafts, through Redis (storage/redis_state.py). The tests
and `make cluster` start a real one: Debian's ``redis-server``, on 127.0.0.1
only, on a free port, with a random password, in a temporary folder, stopped
and deleted on exit. Run ``scripts/ci-setup-cluster.sh`` first (apt-get
install redis-server nginx); a missing program is an error, never a skip.

It never writes to disk: no RDB snapshots (``save ""``), no append-only file.
The drafts hold a family's contact details before they consent, and must be
gone when Redis stops (README, "Running for a council"). A restart therefore
empties it, which the cluster's tests do on purpose (:meth:`RedisServer.restart`).

The password is in the config file (mode 0600), not on the command line,
where ``ps`` would show it to every user of the machine.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional

from scripts.stack import stop_process

PROGRAM = "redis-server"


class RedisUnavailable(RuntimeError):
    """No redis-server program, or it would not start."""


def find_program() -> str:
    path = shutil.which(PROGRAM) or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if path is None:
        raise RedisUnavailable(
            "redis-server is not installed: run scripts/ci-setup-cluster.sh (apt-get install -y redis-server)"
        )
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One redis-server process that a test can stop and start again on the same port."""

    def __init__(self, root: Path, port: Optional[int] = None, password: Optional[str] = None) -> None:
        self.root = root
        self.port = port or _free_port()
        self.password = password or secrets.token_hex(24)
        self.log = root / "redis.log"
        self.config = root / "redis.conf"
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def _write_config(self) -> None:
        self.config.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {self.port}",
                    "protected-mode yes",
                    f"requirepass {self.password}",
                    f"dir {self.root}",
                    # Nothing on disk: drafts hold contact details before consent.
                    'save ""',
                    "appendonly no",
                    # Every key the assistant writes has an expiry; refuse rather than
                    # silently drop a conversation lock when memory runs out.
                    "maxmemory 256mb",
                    "maxmemory-policy noeviction",
                    f"logfile {self.log}",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        self.config.chmod(0o600)

    def start(self, timeout: float = 20) -> None:
        self._write_config()
        self.process = subprocess.Popen(
            [find_program(), str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
                raise RedisUnavailable(f"redis-server exited with {self.process.returncode}:\n{tail}")
            if self.ping():
                return
            time.sleep(0.1)
        self.stop()
        raise RedisUnavailable(f"redis-server did not answer within {timeout}s; see {self.log}")

    def ping(self) -> bool:
        """True if the server answers PING with this password."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(f"AUTH {self.password}\r\nPING\r\n".encode())
                data = b""
                while data.count(b"\r\n") < 2:
                    chunk = sock.recv(100)
                    if not chunk:
                        return False
                    data += chunk
                return data.endswith(b"+PONG\r\n")
        except OSError:
            return False

    def stop(self, kill: bool = False) -> None:
        """TERM (or KILL) and wait; everything in it is gone (it keeps nothing on disk)."""
        stop_process(self.process, kill)

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop, stay down a while, start again on the same port and password (empty)."""
        self.stop()
        time.sleep(down_seconds)
        self.start()


@contextlib.contextmanager
def temporary_redis() -> Iterator[RedisServer]:
    """A running throwaway Redis, stopped and deleted on exit."""
    root = Path(tempfile.mkdtemp(prefix="send-redis-", dir="/tmp"))
    os.chmod(root, 0o700)
    server = RedisServer(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    """``python -m scripts.redis_server``: start one and print its URL (Ctrl-C stops it)."""
    with temporary_redis() as server:
        print(server.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
