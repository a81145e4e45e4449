"""nginx's configuration for several Rasa servers and action servers: one source for both uses.

* ``render_local(...)``: `make cluster`, the cluster's tests and `make load`
  (scripts/cluster.py): loopback only, a folder of its own, no TLS;
* ``render_production()``: deploy/nginx/nginx.conf for the compose file
  (``python -m scripts.nginx_conf --production > deploy/nginx/nginx.conf``;
  tests/unit/test_deploy.py fails if the committed file differs), with TLS.

The routing rules are the same in both:

* ``/webhooks/`` (REST and WhatsApp) go to the Rasa server with the fewest
  requests in progress. A request whose server dies before answering (a
  crash: the connection breaks) is sent once more to another server
  (``proxy_next_upstream error non_idempotent``). That server waits for the
  dead one's conversation lock to expire (``TICKET_LOCK_LIFETIME``) and
  answers. A server that is only slow is not retried (no ``timeout``): the
  message would be handled twice.
* ``/socket.io/`` (the widget) is sticky: a hash of the client's address
  picks the server, because a socket.io session lives in one server's memory
  and its long-polling requests must all reach that server (a websocket is
  one connection anyway). ``consistent`` hashing moves only a dead server's
  clients, which reconnect with their signed token (the same
  ``SEND_WIDGET_SECRET`` on every server) and continue their conversation.
* ``GET /`` is the health check; everything else (Rasa's HTTP API, which is
  off anyway) gets 404 from nginx.
* The action servers are behind a second listener that only the Rasa servers
  use (loopback here, the private network in compose). Any action server can
  run any action: the callback form's drafts are in Redis. A dead one is
  skipped (connection refused is retried elsewhere); a call in progress when
  one dies is not repeated (it may have stored a callback request), so that
  message gets the guard's apology with the phone numbers.

Access logs hold no client address and no query string, only the time,
method, path, status and timings (the project logs no personal details), and
request and response bodies are kept in memory, never in nginx's temporary
files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_FILE = ROOT / "deploy" / "nginx" / "nginx.conf"

LOG_FORMAT = (
    "log_format send '$time_iso8601 $request_method $uri $status $body_bytes_sent '\n"
    "                    '$request_time $upstream_addr $upstream_response_time';"
)


def _servers(addresses: Sequence[str], options: str = "") -> str:
    return "\n".join(f"        server {address}{' ' + options if options else ''};" for address in addresses)


def _http_block(
    rasa: Sequence[str],
    actions: Sequence[str],
    front_listen: str,
    action_listen: str,
    access_log: str,
    tls: Optional[dict],
    server_name: str,
) -> str:
    """The http { } block: upstreams, the public server, the action servers' listener."""
    fail = "max_fails=1 fail_timeout=10s"
    if tls:
        front = f"""    server {{
        listen {tls["http_listen"]};
        server_name {server_name};
        return 301 https://$host$request_uri;  # published as 80 -> 443
    }}

    server {{
        listen {front_listen} ssl http2;
        server_name {server_name};
        ssl_certificate {tls["certificate"]};
        ssl_certificate_key {tls["key"]};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:tls:10m;
        ssl_session_tickets off;
        add_header Strict-Transport-Security "max-age=31536000" always;
"""
    else:
        front = f"""    server {{
        listen {front_listen};
        server_name {server_name};
"""
    return f"""http {{
    {LOG_FORMAT}
    access_log {access_log};
    server_tokens off;
    client_max_body_size 1m;
    # Messages and replies stay in memory, never in nginx's temporary files.
    client_body_buffer_size 1m;
    proxy_max_temp_file_size 0;
    proxy_http_version 1.1;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}

    # REST and WhatsApp: the server with the fewest requests in progress.
    upstream rasa {{
        least_conn;
{_servers(rasa, fail)}
        keepalive 32;
        keepalive_timeout 4s;  # under Sanic's 5 s, so nginx never reuses a connection Sanic closed
    }}

    # The widget's socket.io: the same client address, the same server.
    upstream rasa_sticky {{
        hash $binary_remote_addr consistent;
{_servers(rasa, fail)}
    }}

    upstream actions {{
        least_conn;
{_servers(actions, fail)}
        keepalive 16;
        keepalive_timeout 4s;
    }}

{front}
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;

        location = / {{
            proxy_set_header Connection "";
            proxy_pass http://rasa;
        }}

        location /webhooks/ {{
            proxy_set_header Connection "";
            proxy_read_timeout 120s;
            proxy_next_upstream error non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_pass http://rasa;
        }}

        location /socket.io/ {{
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 120s;
            proxy_next_upstream error;
            proxy_pass http://rasa_sticky;
        }}

        location / {{
            return 404;
        }}
    }}

    # The action servers: for the Rasa servers only.
    server {{
        listen {action_listen};
        location / {{
            proxy_set_header Connection "";
            proxy_read_timeout 60s;
            proxy_next_upstream error;
            proxy_pass http://actions;
        }}
    }}
}}
"""


def render_local(
    rasa_ports: Sequence[int],
    action_ports: Sequence[int],
    port: int,
    action_port: int,
    prefix: Path,
    as_root: bool = False,
) -> str:
    """The cluster's nginx on this machine: loopback only, everything in ``prefix``, in the foreground."""
    user = "user nobody nogroup;\n" if as_root else ""
    temp = "\n".join(
        f"    {name}_temp_path {prefix / 'temp' / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    http = _http_block(
        [f"127.0.0.1:{p}" for p in rasa_ports],
        [f"127.0.0.1:{p}" for p in action_ports],
        f"127.0.0.1:{port}",
        f"127.0.0.1:{action_port}",
        f"{prefix / 'access.log'} send",
        None,
        "localhost",
    )
    http = http.replace("http {\n", "http {\n" + temp + "\n", 1)
    return f"""# Generated by scripts/nginx_conf.py for scripts/cluster.py; do not edit.
{user}worker_processes 1;
daemon off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{
    worker_connections 2048;
}}
{http}"""


def render_production() -> str:
    """deploy/nginx/nginx.conf: the compose file's nginx, TLS on 443, services by name."""
    http = _http_block(
        ["rasa:5005"],
        ["actions:5055"],
        "8443",
        "8055",
        "/dev/stdout send",
        {"http_listen": "8080", "certificate": "/etc/nginx/tls/cert.pem", "key": "/etc/nginx/tls/key.pem"},
        "_",
    )
    return f"""# nginx in front of the Rasa servers and the action servers (deploy/compose.yml),
# for the unprivileged nginx image (runs as a non-root user: ports 8080 and 8443,
# published as 80 and 443).
# Generated by `python -m scripts.nginx_conf --production`; edit scripts/nginx_conf.py,
# not this file (tests/unit/test_deploy.py checks they agree, and runs `nginx -t` on it).
#
# TLS: put the certificate and key in deploy/nginx/tls/ (cert.pem, key.pem; mounted read-only).
# The Rasa servers (service "rasa", any number of replicas) and the action servers
# (service "actions") are found by name on the private network when nginx starts:
# restart nginx after scaling either. Port 8055 is for the Rasa servers only and is
# not published. Logs go to stdout/stderr (docker logs), without client addresses.
# If another load balancer is in front of this nginx, add its address with
# set_real_ip_from and real_ip_header X-Forwarded-For, so the widget's sticky hash
# and the guard see the family's address, and set SANIC_PROXIES_COUNT=2.
worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events {{
    worker_connections 2048;
}}
{http}"""


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--production", action="store_true", help="print deploy/nginx/nginx.conf")
    args = parser.parse_args(argv)
    if not args.production:
        parser.error("the local configuration is written by scripts/cluster.py; use --production")
    sys.stdout.write(render_production())
    return 0


if __name__ == "__main__":
    sys.exit(main())
