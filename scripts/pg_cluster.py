"""A throwaway PostgreSQL server for tests: ``with temporary_postgres() as url:``.

The storage code must work on the PostgreSQL the council will run in
production, not only on SQLite, so the tests start a real server. It is a
fresh cluster in a temporary folder (``initdb`` + ``pg_ctl start``), listening
on 127.0.0.1 only, on a free port, with trust authentication for local
connections, and it is stopped and deleted on exit. When we run as root (CI),
the PostgreSQL programs run as the ``postgres`` user, because PostgreSQL
refuses to run as root.

If ``SEND_TEST_POSTGRES_URL`` is set (for example
``postgresql://postgres@127.0.0.1:5432/postgres``), that server is used
instead and no cluster is started.

Missing PostgreSQL programs are an error, never a reason to skip: run
``scripts/ci-setup-postgres.sh`` (apt-get install postgresql) first.

``python -m scripts.pg_cluster`` starts one and prints its URL; Ctrl-C or
``kill`` stops it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator, List, Optional

URL_VARIABLE = "SEND_TEST_POSTGRES_URL"
BIN_GLOB = "/usr/lib/postgresql/*/bin"
OS_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL programs, or the server would not start."""


def find_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl."""
    candidates = [
        Path(path)
        for path in glob.glob(BIN_GLOB)
        if (Path(path) / "initdb").exists() and (Path(path) / "pg_ctl").exists()
    ]
    if candidates:
        return max(candidates, key=lambda path: _version(path.parent.name))
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    raise PostgresUnavailable(
        f"PostgreSQL is not installed (no initdb/pg_ctl under {BIN_GLOB} or on PATH). "
        "Run scripts/ci-setup-postgres.sh (apt-get install -y postgresql), "
        f"or set {URL_VARIABLE} to a server's URL."
    )


def _version(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in name.split("."))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres_user() -> List[str]:
    """Command prefix: run as the postgres OS user when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(OS_USER)
    except KeyError as error:
        raise PostgresUnavailable(
            f"running as root but there is no '{OS_USER}' user to run PostgreSQL as; "
            "install the postgresql package (it creates the user)"
        ) from error
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root but `runuser` (util-linux) is missing")
    return [runuser, "-u", OS_USER, "--"]


def _run(args: List[str], what: str, log: Optional[Path] = None) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip()[-2000:]
        if log is not None and log.exists():
            tail += "\n--- server log ---\n" + log.read_text(errors="replace")[-2000:]
        raise PostgresUnavailable(f"{what} failed ({result.returncode}):\n{tail}")


class Cluster:
    """A throwaway cluster that a test can stop and start again (a database outage)."""

    def __init__(self, bin_dir: Path, prefix: List[str], root: Path, durable: bool = False) -> None:
        # durable: fsync and synchronous commits on, as in production (`make load` on the
        # cluster measures with them); off by default, which is faster for tests.
        self.bin_dir, self.prefix, self.root, self.durable = bin_dir, prefix, root, durable
        self.data, self.log = root / "data", root / "server.log"
        self.port: Optional[int] = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        _run(
            self.prefix
            + [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
        )

    def start(self) -> None:
        """Start the server: on a free port the first time, then on the same port."""
        for _attempt in range(3):  # another process may take the free port first
            port = self.port or _free_port()
            options = f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
            if not self.durable:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            try:
                _run(
                    self.prefix
                    + [
                        str(self.bin_dir / "pg_ctl"),
                        "-D",
                        str(self.data),
                        "-l",
                        str(self.log),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ],
                    "pg_ctl start",
                    self.log,
                )
                self.port = port
                return
            except PostgresUnavailable:
                if _attempt == 2 or self.port:
                    raise
                time.sleep(0.5)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server. "fast" (an outage in a test) keeps what was committed;
        "immediate" (clean-up) may not, since these clusters run without fsync."""
        subprocess.run(
            self.prefix + [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            capture_output=True,
            timeout=60,
        )


@contextlib.contextmanager
def controllable_postgres(durable: bool = False) -> Iterator[Cluster]:
    """A running throwaway cluster, stopped and deleted on exit (``durable``: see :class:`Cluster`)."""
    bin_dir = find_bin_dir()
    prefix = _as_postgres_user()
    # Under /tmp, not pytest's private temp folder: the postgres user must reach it.
    root = Path(tempfile.mkdtemp(prefix="send-pg-", dir="/tmp"))
    try:
        if prefix:
            shutil.chown(root, user=OS_USER, group=None)
        cluster = Cluster(bin_dir, prefix, root, durable)
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """The URL of a running PostgreSQL server, for the duration of the block.

    The URL names the ``postgres`` database as superuser ``postgres`` with no
    password (trust on loopback). Use :func:`fresh_database` for an isolated
    database per test.
    """
    external = os.environ.get(URL_VARIABLE)
    if external:
        yield external
        return
    with controllable_postgres() as cluster:
        yield cluster.url


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on that server; dropped (even if still in use) on exit."""
    import sqlalchemy as sa  # only the tests need it here

    name = f"send_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(server_url).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


def main() -> None:
    # Ctrl-C or `kill` stops the server and deletes its folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with temporary_postgres() as url:
        print(url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
