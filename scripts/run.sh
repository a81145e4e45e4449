#!/usr/bin/env bash
# Starts the action server (port 5055), the Rasa server (port 5005: REST and
# socket.io channels) and the demo page with the website widget (port
# WIDGET_PORT, default 8080), and stops them all on Ctrl-C. With --shell, talks
# to the assistant in this terminal instead of starting the servers.
set -euo pipefail
cd "$(dirname "$0")/.."

export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
RASA=.venv/bin/rasa
# The Rasa server starts through the project's entry point: Rasa's own CLI
# with the small patches in rasa_server/ (e.g. action responses validated by
# a validator built once). The action server has its own (actions/server.py).
RASA_SERVER=(.venv/bin/python -m rasa_server)
MODEL=models/send-assistant.tar.gz
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=5055   # endpoints.yml points the Rasa server here
WIDGET_PORT=${WIDGET_PORT:-8080}
# Browsers may open the widget's socket only from these pages (channels/socketio.py).
export SEND_WIDGET_ORIGINS=${SEND_WIDGET_ORIGINS:-http://localhost:$WIDGET_PORT,http://127.0.0.1:$WIDGET_PORT}

# No HTTP request body over 1 MB reaches any handler (messages are capped
# much lower by channels/guard.py).
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1000000}

# The action server answers only callers that send this secret, which the Rasa
# server does (endpoints.yml, actions/server.py). A random one for this run
# unless one is set.
if [[ -z "${SEND_ACTION_SECRET:-}" ]]; then
  SEND_ACTION_SECRET=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')
fi
export SEND_ACTION_SECRET

# Rasa's HTTP API (trackers, model loading) is off unless SEND_ENABLE_API=1,
# and then it needs a JWT secret: clients send "Authorization: Bearer <JWT>"
# signed with HS256. Never a token in the address (channels/access.py).
api_args=()
if [[ "${SEND_ENABLE_API:-0}" == "1" ]]; then
  if (( ${#SEND_JWT_SECRET} < 32 )); then
    echo "SEND_ENABLE_API=1 needs SEND_JWT_SECRET, at least 32 characters long." >&2
    exit 1
  fi
  api_args=(--enable-api --jwt-secret "$SEND_JWT_SECRET" --jwt-method HS256)
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

# The action server listens on loopback only, and answers only the Rasa server
# (the shared secret above).
SANIC_HOST=127.0.0.1 .venv/bin/python -m actions.server --actions actions --port "$ACTION_PORT" &
pids+=($!)

if [[ "${1:-}" == "--shell" ]]; then
  "${RASA_SERVER[@]}" shell --model "$MODEL" --endpoints endpoints.yml
  exit 0
fi

"${RASA_SERVER[@]}" run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" "${api_args[@]}" &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -sf "http://localhost:$RASA_PORT/" >/dev/null; then break; fi
  sleep 1
done

demo="(not started: run 'make widget' first)"
if [[ -f web/dist/widget.js ]]; then
  .venv/bin/python -m web.serve --port "$WIDGET_PORT" --rasa-url "http://localhost:$RASA_PORT" >/dev/null &
  pids+=($!)
  demo="http://localhost:$WIDGET_PORT/"
fi
cat <<MSG

The assistant is running.

Open the demo page with the website widget: $demo

Or talk to it over the REST channel:
  curl -s -XPOST http://localhost:$RASA_PORT/webhooks/rest/webhook \\
    -H 'Content-Type: application/json' \\
    -d '{"sender": "demo-1", "message": "the council refused to assess my son"}'
Or run 'make shell' in another terminal. Press Ctrl-C to stop all the servers.

MSG
wait -n "${pids[@]}"
