"""Who may do what over HTTP, for the whole Rasa server (not one channel).

Registered by the REST channel (channels/rest.py), which is always on, as
request middleware on the Rasa server's app:

* Tokens in the query string (``?token=``, Rasa's ``--auth-token`` scheme) are
  refused: they end up in proxy and server logs. When the HTTP API is on it
  is protected by a JWT in the ``Authorization`` header (``SEND_JWT_SECRET``,
  scripts/run.sh).
* Models are only ever loaded from the project's own ``models/`` folder:
  ``PUT /model`` with a path elsewhere, a model server or remote storage is
  refused. Rasa before 3.6.21 could run code from a crafted model
  (CVE-2024-49375); pinning 3.6.21 fixes that, and this keeps the door shut.
* ``GET /`` answers ``{"status": "ok"}``, not Rasa's "Hello from Rasa: 3.6.21":
  health checks work, and nobody learns which version to attack.
* Behind a reverse proxy the client's address comes from Sanic's own proxy
  settings (``SANIC_PROXIES_COUNT``, ``SANIC_REAL_IP_HEADER``,
  ``SANIC_FORWARDED_SECRET``, read by Sanic from the environment). The older
  ``SEND_TRUST_PROXY=1`` means one proxy (``PROXIES_COUNT=1``) when none of
  those is set.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Mapping, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MODELS = (Path(__file__).resolve().parent.parent / "models").resolve()
PROXY_SETTINGS = ("PROXIES_COUNT", "REAL_IP_HEADER", "FORWARDED_SECRET")


def _refuse(status: int, reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


def _model_path_allowed(body: object) -> bool:
    if not isinstance(body, dict):
        return False
    if body.get("model_server") or body.get("remote_storage"):
        return False
    model_file = body.get("model_file")
    if not isinstance(model_file, str):
        return False
    path = Path(model_file)
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    return path.is_relative_to(MODELS)


async def check_access(request: Request) -> Optional[HTTPResponse]:
    """Request middleware: refuse what must never reach Rasa's handlers."""
    if "token" in request.args:
        logger.info("Refused a request with a token in its address.")
        return _refuse(401, "Tokens in the address are not accepted. Send a JWT in the Authorization header.")
    if request.method in ("GET", "HEAD") and request.path == "/":
        return response.json({"status": "ok"})
    if request.method == "PUT" and request.path.rstrip("/") == "/model":
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if not _model_path_allowed(body):
            logger.warning("Refused to load a model from outside models/.")
            return _refuse(403, "Models can only be loaded from the project's models/ folder.")
    return None


def configure_proxies(app, env: Mapping[str, str] = os.environ) -> None:
    """``SEND_TRUST_PROXY=1`` (older setting) means one proxy, unless Sanic's own settings say otherwise."""
    if env.get("SEND_TRUST_PROXY") == "1" and not any(app.config.get(key) for key in PROXY_SETTINGS):
        app.config.PROXIES_COUNT = 1
    configured = {key: app.config.get(key) for key in ("PROXIES_COUNT", "REAL_IP_HEADER") if app.config.get(key)}
    if configured or app.config.get("FORWARDED_SECRET"):
        # The secret itself is never logged.
        logger.info(
            "Client addresses come from proxy headers: %s%s.",
            configured,
            " and Forwarded with the secret" if app.config.get("FORWARDED_SECRET") else "",
        )


def install(app) -> None:
    """Add :func:`check_access` to every route of ``app`` (once), and apply the proxy settings."""
    configure_proxies(app)
    app.register_middleware(check_access, "request")
