# The action server (python -m actions.server: rasa-sdk with the shared-secret check).
# Build from the repository root:
#   docker build -f deploy/actions.Dockerfile -t send-actions .
# Runs as an unprivileged user. It answers only callers that send SEND_ACTION_SECRET; in
# compose it is on the private network only, behind nginx's unpublished port 8055.
# Not built here: Docker is not available on the project's machines.

FROM python:3.10-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements/ requirements/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install "pip==24.3.1" \
 && /opt/venv/bin/pip install -r requirements/requirements.lock

FROM python:3.10-slim-bookworm
RUN useradd --system --uid 10001 --user-group --home-dir /home/send --create-home send
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    HOME=/home/send \
    SANIC_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY actions/ actions/
COPY channels/ channels/
COPY advice/ advice/
COPY storage/ storage/
COPY enquiries/ enquiries/
COPY insights/ insights/
COPY content/ content/
COPY config.yml domain.yml ./
USER 10001:10001
EXPOSE 5055
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"
CMD ["python", "-m", "actions.server", "--actions", "actions", "--port", "5055"]
