#!/usr/bin/env bash
# Every check `make test` runs, in order; all run even if one fails, and the
# script fails if any did. pytest runs last so its summary closes the output.
set -uo pipefail
cd "$(dirname "$0")/.."

export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
RASA=.venv/bin/rasa
PY=.venv/bin/python
MODEL=models/send-assistant.tar.gz
mkdir -p results
failed=()

step() {  # step NAME COMMAND...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; failed+=("$name"); fi
}

quiet() {  # run a noisy Rasa command, keep its log, show the tail on failure
  local log=$1; shift
  if "$@" >"$log" 2>&1; then return 0; fi
  tail -n 40 "$log"; return 1
}

step "dependencies are consistent (pip check)" .venv/bin/pip check
step "lint and format (ruff; make lint)" bash -c '.venv/bin/ruff check . && .venv/bin/ruff format --check .'
step "types (mypy; make typecheck)" .venv/bin/mypy
step "content files" "$PY" -m advice.content_check
step "held-out sets: pinned, no near-copies in training (scripts/leakage.py)" "$PY" scripts/leakage.py
step "training data (rasa data validate)" \
  quiet results/validate.log "$RASA" data validate --fail-on-warnings
step "dialogue test stories (rasa test core)" \
  quiet results/test_core.log "$RASA" test core --model "$MODEL" --stories tests/stories \
  --out results/core --fail-on-prediction-errors
step "NLU on both held-out sets, fallback stages, cross-validation (make evaluate; gated)" \
  "$PY" scripts/evaluate.py --model "$MODEL" --gate
step "unit and end-to-end tests (pytest)" "$PY" -m pytest tests

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All checks passed."
