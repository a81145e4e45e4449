"""Starts the action server so that it answers the Rasa server and no one else.

    SEND_ACTION_SECRET=... python -m actions.server --actions actions --port 5055

rasa-sdk's server runs any action for any caller that can reach it. It listens
on loopback only, but any process on the machine could still call it: store a
callback request, or run the form's actions with made-up slots. So every
request except ``GET /health`` must carry the shared secret
``SEND_ACTION_SECRET`` in the ``X-Send-Action-Secret`` header, compared in
constant time; anything else gets 401 and runs nothing. The Rasa server sends
the header (``endpoints.yml``: ``action_endpoint.headers``, where Rasa fills
in ``${SEND_ACTION_SECRET}`` from the environment). ``scripts/run.sh`` and
``scripts/stack.py`` generate a random secret when none is set.

This is rasa-sdk's own ``run`` (rasa_sdk/endpoint.py) with the check added to
its Sanic app, and the same command-line options as ``rasa run actions``.
Without a secret it refuses to start. ``SANIC_HOST`` is the address it
listens on (default 127.0.0.1).
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from typing import Optional, Sequence

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

SECRET_VARIABLE = "SEND_ACTION_SECRET"
HEADER = "X-Send-Action-Secret"
MIN_SECRET_CHARS = 32
OPEN_PATHS = frozenset({"/health"})


def require_secret(app: Sanic, secret: str) -> None:
    """Refuse (401) every request to ``app`` but the health check that lacks ``secret``."""
    expected = secret.encode("utf-8")

    async def check_secret(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        given = (request.headers.get(HEADER) or "").encode("utf-8", "replace")
        if hmac.compare_digest(given, expected):
            return None
        logger.warning("A call to the action server without the right secret was refused.")
        return response.json({"error": f"The {HEADER} header is missing or wrong."}, status=401)

    app.register_middleware(check_secret, "request")


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = create_argument_parser().parse_args(argv)
    secret = os.environ.get(SECRET_VARIABLE, "")
    if len(secret) < MIN_SECRET_CHARS:
        print(
            f"{SECRET_VARIABLE} must be set, at least {MIN_SECRET_CHARS} characters long; the Rasa server "
            "sends the same value (endpoints.yml). scripts/run.sh generates one.",
            file=sys.stderr,
        )
        return 2
    # As rasa_sdk.__main__.main_from_args.
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    # As rasa_sdk.endpoint.run, with the secret check.
    app = create_app(args.actions or "actions", cors_origins=args.cors, auto_reload=args.auto_reload)
    require_secret(app, secret)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("Action server on %s:%s; callers must send %s.", host, args.port, HEADER)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
