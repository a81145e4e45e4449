"""Several Rasa servers and action servers behind nginx, sharing PostgreSQL and Redis.

    make cluster                       # 2 Rasa servers, 2 action servers
    make cluster CLUSTER=3 ACTIONS=2   # or: make run CLUSTER=3

This is how Rasa scales out: any Rasa server can answer any message, because
everything a conversation needs is shared:

* **PostgreSQL** holds the conversations (the redacting tracker store) and
  the callback requests, and the WhatsApp message ids already answered;
  a throwaway server from scripts/pg_cluster.py, or ``SEND_DATABASE_URL``;
* **Redis** (scripts/redis_server.py: loopback, a random password, nothing
  on disk) holds Rasa's conversation locks, so two servers never handle one
  conversation at once, and what used to live in one process: the guard's
  rate limits, the WhatsApp channel's offered options, the callback form's
  drafts (storage/redis_state.py, chosen by ``SEND_REDIS_URL``);
* **nginx** (scripts/nginx_conf.py) is the one address families use: REST
  and WhatsApp to the least busy Rasa server, the widget's socket.io sticky
  by client address, and, on a second loopback port, the action servers for
  the Rasa servers;
* the secrets every server must share are set once here, for all:
  ``SEND_ACTION_SECRET`` (Rasa to action servers), ``SEND_WIDGET_SECRET``
  (widget tokens are checked by whichever server the widget reconnects to),
  random for this run unless set.

:func:`running_cluster` is used by `make cluster`, the cluster's end-to-end
tests (tests/e2e/test_cluster.py) and `make load CLUSTER=2`. Everything
listens on 127.0.0.1. Logs go to the given folder (artifacts/cluster/).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.nginx_conf import render_local  # noqa: E402
from scripts.pg_cluster import Cluster as PostgresCluster  # noqa: E402
from scripts.pg_cluster import controllable_postgres
from scripts.redis_server import RedisServer, temporary_redis  # noqa: E402
from scripts.stack import ROOT, Server, action_command, free_port, rasa_command  # noqa: E402

MODEL = ROOT / "models" / "send-assistant.tar.gz"
# How long a conversation stays locked by a Rasa server that died while
# answering it (Rasa's TICKET_LOCK_LIFETIME, default 60 s): then another server
# answers. Above the longest time one message takes (seconds, under load).
LOCK_LIFETIME_SECONDS = 20


def nginx_program() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if path is None:
        raise RuntimeError("nginx is not installed: run scripts/ci-setup-cluster.sh (apt-get install -y nginx)")
    return path


@dataclass
class Nginx:
    """nginx in the foreground, with its configuration and logs in ``prefix``."""

    prefix: Path
    port: int
    action_port: int
    rasa_ports: List[int]
    action_ports: List[int]
    process: Optional[subprocess.Popen] = None

    @property
    def config(self) -> Path:
        return self.prefix / "nginx.conf"

    def write_config(self) -> None:
        as_root = os.geteuid() == 0
        (self.prefix / "temp").mkdir(parents=True, exist_ok=True)
        if as_root:  # the workers run as nobody: they may pass through, not read
            self.prefix.chmod(0o711)
            shutil.chown(self.prefix / "temp", user="nobody")
        self.config.write_text(
            render_local(self.rasa_ports, self.action_ports, self.port, self.action_port, self.prefix, as_root),
            encoding="utf-8",
        )

    def test_config(self) -> None:
        result = subprocess.run(
            [nginx_program(), "-t", "-q", "-p", str(self.prefix), "-c", str(self.config)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{result.stderr}")

    def start(self) -> None:
        self.write_config()
        self.test_config()
        log = open(self.prefix / "nginx.out", "a", encoding="utf-8")  # noqa: SIM115 - nginx writes to it while it runs
        self.process = subprocess.Popen(
            [nginx_program(), "-p", str(self.prefix), "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish requests in progress
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class RunningCluster:
    url: str  # nginx: the one address families use
    rasa: List[Server]
    actions: List[Server]
    rasa_urls: List[str]
    redis: RedisServer
    nginx: Nginx
    database_url: str
    postgres: Optional[PostgresCluster]
    env: Dict[str, str] = field(default_factory=dict)

    def say(self, sender: str, message, timeout: float = 60, via: Optional[int] = None) -> requests.Response:
        """One REST message through nginx, or straight to Rasa server ``via`` (0, 1, ...)."""
        base = self.url if via is None else self.rasa_urls[via]
        return requests.post(
            f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
        )

    def talk(self, sender: str, message: str, via: Optional[int] = None) -> List[dict]:
        response = self.say(sender, message, via=via)
        assert response.status_code == 200, response.text
        return response.json()

    def kill_rasa(self, index: int) -> None:
        """SIGKILL one Rasa server, as a crash would."""
        self.rasa[index].stop(kill=True)

    def start_rasa(self, index: int, wait: bool = True) -> None:
        self.rasa[index].start()
        if wait:
            self.rasa[index].wait_until_up()


def _endpoints(path: Path, action_port: int, redis: RedisServer, rasa_lock_store: bool = False) -> None:
    """As endpoints.yml, with the action servers behind nginx's second port.

    ``rasa_lock_store``: Rasa's own RedisLockStore instead of ours, only to show
    its race (README, "Several Rasa servers"); never for real use.
    """
    lock_store = (
        (f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {redis.port}\n  password: {redis.password}\n  db: 0\n")
        if rasa_lock_store
        else "lock_store:\n  type: storage.lock_store.ConversationLockStore\n"
    )
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  headers:\n    X-Send-Action-Secret: ${SEND_ACTION_SECRET}\n"
        "tracker_store:\n  type: storage.tracker_store.RedactingSQLTrackerStore\n" + lock_store,
        encoding="utf-8",
    )
    path.chmod(0o600)


@contextlib.contextmanager
def running_cluster(
    model: Path = MODEL,
    log_dir: Path = ROOT / "artifacts" / "cluster",
    rasa_servers: int = 2,
    action_servers: int = 2,
    env: Optional[Dict[str, str]] = None,
    action_env: Optional[Dict[str, str]] = None,
    database_url: Optional[str] = None,
    durable_database: bool = False,
    port: Optional[int] = None,
    rasa_lock_store: bool = False,
) -> Iterator[RunningCluster]:
    """Everything up and answering through nginx; all stopped on exit.

    ``env`` adds to every server's environment, ``action_env`` to the action
    servers'. Without ``database_url`` a throwaway PostgreSQL is started
    (``durable_database``: with fsync, as in production). ``port`` is nginx's
    (default a free one).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        postgres: Optional[PostgresCluster] = None
        if database_url is None:
            postgres = stack.enter_context(controllable_postgres(durable=durable_database))
            database_url = postgres.url
        redis = stack.enter_context(temporary_redis())
        rasa_ports = [free_port() for _ in range(rasa_servers)]
        action_ports = [free_port() for _ in range(action_servers)]
        nginx = Nginx(
            Path(tempfile.mkdtemp(prefix="send-nginx-", dir="/tmp")),
            port or free_port(),
            free_port(),
            rasa_ports,
            action_ports,
        )
        stack.callback(shutil.rmtree, nginx.prefix, True)
        stack.callback(_keep_nginx_logs, nginx.prefix, log_dir)
        shared = {
            **os.environ,
            "SEND_DATABASE_URL": database_url,
            "SEND_REDIS_URL": redis.url,
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "SANIC_REQUEST_MAX_SIZE": "1000000",
            "SEND_ACTION_SECRET": os.environ.get("SEND_ACTION_SECRET") or secrets.token_hex(32),
            "SEND_WIDGET_SECRET": os.environ.get("SEND_WIDGET_SECRET") or secrets.token_hex(32),
            "TICKET_LOCK_LIFETIME": os.environ.get("TICKET_LOCK_LIFETIME") or str(LOCK_LIFETIME_SECONDS),
            **(env or {}),
        }
        endpoints = log_dir / "cluster_endpoints.yml"
        _endpoints(endpoints, nginx.action_port, redis, rasa_lock_store)
        actions = [
            Server(
                f"action server {n + 1}",
                [*action_command(), "--actions", "actions", "--port", str(p)],
                {**shared, "SANIC_HOST": "127.0.0.1", **(action_env or {})},
                log_dir / f"action_server_{n + 1}.log",
                f"http://127.0.0.1:{p}/health",
            )
            for n, p in enumerate(action_ports)
        ]
        rasa_env = {**shared, "SANIC_PROXIES_COUNT": "1"}  # nginx appends the client to X-Forwarded-For
        rasa = [
            Server(
                f"Rasa server {n + 1}",
                [
                    *rasa_command(),
                    "run",
                    "--model",
                    str(model),
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    str(ROOT / "credentials.yml"),
                    "--port",
                    str(p),
                    "--interface",
                    "127.0.0.1",
                ],
                rasa_env,
                log_dir / f"rasa_server_{n + 1}.log",
                f"http://127.0.0.1:{p}/",
            )
            for n, p in enumerate(rasa_ports)
        ]
        for server in actions + rasa:
            server.log_path.unlink(missing_ok=True)
            server.start()
            stack.callback(server.stop)
        stack.callback(nginx.stop)
        nginx.start()
        # The Rasa servers load their models at the same time; wait for all.
        with ThreadPoolExecutor(len(actions) + len(rasa)) as pool:
            for result in [pool.submit(server.wait_until_up) for server in actions + rasa]:
                result.result()
        _wait_for_nginx(f"http://127.0.0.1:{nginx.port}/", nginx)
        yield RunningCluster(
            url=f"http://127.0.0.1:{nginx.port}",
            rasa=rasa,
            actions=actions,
            rasa_urls=[f"http://127.0.0.1:{p}" for p in rasa_ports],
            redis=redis,
            nginx=nginx,
            database_url=database_url,
            postgres=postgres,
            env=shared,
        )


def _keep_nginx_logs(prefix: Path, log_dir: Path) -> None:
    """nginx's logs outlive its folder (artifacts/...), for reading after a failure."""
    for name in ("access.log", "error.log"):
        if (prefix / name).exists():
            shutil.copyfile(prefix / name, log_dir / f"nginx_{name}")


def _wait_for_nginx(url: str, nginx: Nginx, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nginx.process is not None and nginx.process.poll() is not None:
            raise RuntimeError(f"nginx exited; see {nginx.prefix}/error.log")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nginx did not answer within {timeout}s")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", type=int, default=2, help="Rasa servers (default 2)")
    parser.add_argument("--actions", type=int, default=2, help="action servers (default 2)")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("RASA_PORT", 5005)),
        help="nginx's port: the one address (default 5005, RASA_PORT)",
    )
    parser.add_argument("--widget-port", type=int, default=int(os.environ.get("WIDGET_PORT", 8080)))
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print(f"{MODEL} is missing: run `make train` first", file=sys.stderr)
        return 2
    origins = f"http://localhost:{args.widget_port},http://127.0.0.1:{args.widget_port}"
    env = {"SEND_WIDGET_ORIGINS": os.environ.get("SEND_WIDGET_ORIGINS") or origins}
    database = os.environ.get("SEND_DATABASE_URL")
    print(
        f"Starting {args.rasa} Rasa servers, {args.actions} action servers, Redis, "
        f"{'your PostgreSQL' if database else 'a throwaway PostgreSQL'} and nginx "
        "(logs in artifacts/cluster/)...",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    demo: Optional[subprocess.Popen] = None
    try:
        with running_cluster(
            rasa_servers=args.rasa,
            action_servers=args.actions,
            env=env,
            database_url=database,
            durable_database=True,
            port=args.port,
        ) as cluster:
            page = "(not started: run 'make widget' first)"
            if (ROOT / "web" / "dist" / "widget.js").exists():
                demo = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "web.serve",
                        "--port",
                        str(args.widget_port),
                        "--rasa-url",
                        f"http://localhost:{args.port}",
                    ],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                page = f"http://localhost:{args.widget_port}/"
            kept = (
                "in your database (SEND_DATABASE_URL)"
                if database
                else "in a throwaway PostgreSQL, deleted when the cluster stops (set SEND_DATABASE_URL to keep them)"
            )
            print(
                f"""
The cluster is running: {args.rasa} Rasa servers and {args.actions} action servers behind nginx.

The one address to use: http://localhost:{args.port}
  REST:      curl -s -XPOST http://localhost:{args.port}/webhooks/rest/webhook \\
               -H 'Content-Type: application/json' \\
               -d '{{"sender": "demo-1", "message": "the council refused to assess my son"}}'
  Widget:    socket.io at http://localhost:{args.port}/socket.io (demo page: {page})
  WhatsApp:  http://localhost:{args.port}/webhooks/whatsapp/webhook (when its credentials are set)

Conversations and callback requests are kept {kept}.
Press Ctrl-C to stop everything.
""",
                flush=True,
            )
            while (
                all(s.process.poll() is None for s in cluster.rasa + cluster.actions)
                and cluster.nginx.process.poll() is None
            ):
                time.sleep(1)
            print("A server stopped; stopping the cluster (see artifacts/cluster/).", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if demo is not None:
            demo.terminate()
        print("Stopped.")


if __name__ == "__main__":
    sys.exit(main())
