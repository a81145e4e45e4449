"""A fake of Twilio's Messages API on loopback, for offline tests of the WhatsApp channel.

It answers ``POST /2010-04-01/Accounts/<sid>/Messages.json`` the way Twilio
does (201 and the message as JSON, with a ``sid``), after checking the basic
auth, and records each message's form fields. It can be told to fail the next
requests with an HTTP status (500, 429...) or by dropping the connection, to
test retries. It runs in a thread, so the code under test can be anywhere:
in this process or in a Rasa server started by the test.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional, Union
from urllib.parse import parse_qs

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json$")
DROP = "drop"  # in fail_next: close the connection without answering

Failure = Union[int, str]


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: List[Dict[str, str]] = []  # accepted messages' form fields
        self.attempts = 0  # every request to the Messages API, failed or not
        self._failures: List[Failure] = []
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, *failures: Failure) -> None:
        """The next requests fail, in order: an HTTP status, or DROP to close the connection."""
        with self._lock:
            self._failures.extend(failures)

    def sent_to(self, to: str) -> List[Dict[str, str]]:
        with self._lock:
            return [m for m in self.messages if m.get("To") == to]

    def wait_for(
        self,
        to: str,
        count: int = 1,
        timeout: float = 30,
        settle: float = 1.5,
        until: Optional[Callable[[List[Dict[str, str]]], bool]] = None,
    ) -> List[Dict[str, str]]:
        """The messages to ``to`` once there are ``count`` (and ``until`` holds) and no more arrive for ``settle`` s."""
        deadline = time.monotonic() + timeout
        seen, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            sent = self.sent_to(to)
            if len(sent) != seen:
                seen, quiet_since = len(sent), time.monotonic()
            ready = len(sent) >= count and (until is None or until(sent))
            if ready and time.monotonic() - quiet_since >= settle:
                return sent
            time.sleep(0.1)
        return self.sent_to(to)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fields = {
                    k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()
                }
                match = MESSAGES_PATH.match(self.path)
                if not match:
                    return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
                expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                if match.group(1) != fake.account_sid or self.headers.get("Authorization") != expected:
                    return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                with fake._lock:
                    fake.attempts += 1
                    failure = fake._failures.pop(0) if fake._failures else None
                if failure == DROP:
                    self.close_connection = True
                    self.connection.close()
                    return
                if failure is not None:
                    return self._json(failure, {"code": 20000 + failure, "message": "Failure", "status": failure})
                if not fields.get("To") or not fields.get("From") or not fields.get("Body"):
                    return self._json(400, {"code": 21602, "message": "Message body is required.", "status": 400})
                sid = f"SM{next(fake._sids):032x}"
                with fake._lock:
                    fake.messages.append(fields)
                self._json(
                    201,
                    {
                        "sid": sid,
                        "account_sid": fake.account_sid,
                        "to": fields["To"],
                        "from": fields["From"],
                        "body": fields["Body"],
                        "status": "queued",
                        "num_segments": "1",
                        "num_media": "0",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "price": None,
                        "error_code": None,
                        "date_created": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
                        "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}.json",
                    },
                )

        return Handler
