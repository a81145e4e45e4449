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
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MODELS = (Path(__file__).resolve().parent.parent / "models").resolve()


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
    if request.method == "PUT" and request.path.rstrip("/") == "/model":
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if not _model_path_allowed(body):
            logger.warning("Refused to load a model from outside models/.")
            return _refuse(403, "Models can only be loaded from the project's models/ folder.")
    return None


def install(app) -> None:
    """Add :func:`check_access` to every route of ``app`` (once)."""
    app.register_middleware(check_access, "request")
