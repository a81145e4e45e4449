"""deploy/: what can be checked without Docker or Kubernetes (neither runs here).

* the compose file's nginx configuration is the one scripts/nginx_conf.py
  renders (one source for the cluster and for deploy), and real nginx accepts
  it (`nginx -t`, with a throwaway self-signed certificate);
* the compose file and the Helm values parse, and keep the safe defaults:
  only nginx publishes ports, telemetry and Rasa's HTTP API off, secrets only
  as ``${VAR}`` references or Kubernetes Secret references;
* each Dockerfile ends as a non-root user and copies only files that exist.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts import nginx_conf

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "SID")
REFERENCE = re.compile(r"^\$\{[A-Z][A-Z0-9_]*(:?[-?][^}]*)?\}$")


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return load(DEPLOY / "compose.yml")


@pytest.fixture(scope="module")
def rasa_values() -> dict:
    return load(DEPLOY / "helm" / "rasa-values.yaml")


@pytest.fixture(scope="module")
def action_values() -> dict:
    return load(DEPLOY / "helm" / "action-server-values.yaml")


# --- nginx ------------------------------------------------------------------------------------


def test_the_committed_nginx_config_is_the_rendered_one():
    committed = nginx_conf.PRODUCTION_FILE.read_text(encoding="utf-8")
    assert committed == nginx_conf.render_production(), (
        "run: python -m scripts.nginx_conf --production > deploy/nginx/nginx.conf"
    )


def test_nginx_accepts_the_deploy_config(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: run scripts/ci-setup-cluster.sh")
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=test",
            "-keyout",
            str(tls / "key.pem"),
            "-out",
            str(tls / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    # The services' names resolve only inside compose's network: loopback stands in for them.
    config = nginx_conf.PRODUCTION_FILE.read_text(encoding="utf-8")
    config = (
        config.replace("rasa:5005", "127.0.0.1:5005")
        .replace("actions:5055", "127.0.0.1:5055")
        .replace("/etc/nginx/tls/", f"{tls}/")
        .replace("/tmp/nginx.pid", str(tmp_path / "nginx.pid"))
    )
    assert str(tls) in config and "127.0.0.1:5005" in config
    (tmp_path / "nginx.conf").write_text(config, encoding="utf-8")
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_deploy_config_has_tls_and_no_client_addresses_in_logs():
    config = nginx_conf.render_production()
    assert "listen 8443 ssl" in config and "ssl_protocols TLSv1.2 TLSv1.3;" in config
    assert "return 301 https://" in config  # plain HTTP only redirects
    log_format = config[config.index("log_format") : config.index(";", config.index("log_format"))]
    assert "$remote_addr" not in log_format and "$request_uri" not in log_format and "$args" not in log_format


# --- compose ----------------------------------------------------------------------------------


def test_only_nginx_publishes_ports(compose):
    services = compose["services"]
    assert set(services) >= {"nginx", "rasa", "actions", "postgres", "redis"}
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    assert all("expose" not in s or name != "actions" for name, s in services.items())


def test_postgres_and_redis_are_only_on_the_internal_network(compose):
    assert compose["networks"]["private"]["internal"] is True
    for name in ("postgres", "redis"):
        assert compose["services"][name]["networks"] == ["private"]


def _environment(service: dict) -> dict:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment as a mapping"
    return {key: str(value) for key, value in env.items()}


def test_telemetry_off_and_api_off(compose):
    for name in ("rasa", "actions"):
        assert _environment(compose["services"][name])["RASA_TELEMETRY_ENABLED"] == "false"
    dockerfile = "\n".join(
        line
        for line in (DEPLOY / "rasa.Dockerfile").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    assert "RASA_TELEMETRY_ENABLED=false" in dockerfile and 'CMD ["python", "-m", "rasa_server", "run"' in dockerfile
    assert "--enable-api" not in dockerfile and "--debug" not in dockerfile
    assert "command" not in compose["services"]["rasa"]  # the image's CMD: no API


def test_secrets_only_from_the_environment(compose):
    checked = 0
    for name, service in compose["services"].items():
        for key, value in _environment(service).items():
            if any(word in key for word in SECRET_WORDS):
                assert REFERENCE.match(value), f"{name}: {key} must be a ${{VAR}} reference, not {value!r}"
                checked += 1
            if "://" in value and "@" in value:  # credentials in a URL: the password is a reference
                password = value.split("://", 1)[1].rsplit("@", 1)[0].split(":", 1)[1]
                assert REFERENCE.match(password), f"{name}: {key} holds a literal password"
                checked += 1
    assert checked >= 10
    redis_command = " ".join(compose["services"]["redis"]["command"])
    assert "--requirepass ${REDIS_PASSWORD" in redis_command


def test_the_model_is_mounted_read_only(compose):
    assert "../models:/app/models:ro" in compose["services"]["rasa"]["volumes"]
    assert all(v.endswith(":ro") for v in compose["services"]["nginx"]["volumes"])


def test_env_example_has_no_values_for_secrets():
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            if any(word in key for word in SECRET_WORDS):
                assert value == "", f"{key} has a value in env.example"


def test_the_rasa_servers_use_the_deploy_endpoints():
    endpoints = load(DEPLOY / "endpoints.yml")
    assert endpoints["action_endpoint"]["url"] == "http://nginx:8055/webhook"
    assert endpoints["action_endpoint"]["headers"]["X-Send-Action-Secret"] == "${SEND_ACTION_SECRET}"
    assert endpoints["lock_store"]["type"] == "storage.lock_store.ConversationLockStore"
    assert endpoints["tracker_store"]["type"] == "storage.tracker_store.RedactingSQLTrackerStore"
    assert "8055" not in " ".join(load(DEPLOY / "compose.yml")["services"]["nginx"]["ports"])


# --- Dockerfiles ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rasa.Dockerfile", "actions.Dockerfile"])
def test_dockerfiles_run_as_a_non_root_user(name):
    text = (DEPLOY / name).read_text(encoding="utf-8")
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    final = stages[-1]
    users = re.findall(r"^USER\s+(\S+)", final, flags=re.M)
    assert users, f"{name}: no USER in the final stage"
    assert users[-1].split(":")[0] not in ("root", "0"), f"{name} ends as root"
    assert "useradd" in text


@pytest.mark.parametrize("name", ["rasa.Dockerfile", "actions.Dockerfile"])
def test_dockerfiles_copy_files_that_exist(name):
    text = (DEPLOY / name).read_text(encoding="utf-8")
    sources = []
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            sources += line.split()[1:-1]
    assert sources
    for source in sources:
        if source == "models/send-assistant.tar.gz":
            continue  # made by `make train`, not committed (the with-model target)
        assert (ROOT / source).exists(), f"{name} copies {source}, which is not in the repository"


def test_the_model_can_be_baked_in_for_kubernetes():
    text = (DEPLOY / "rasa.Dockerfile").read_text(encoding="utf-8")
    assert "AS with-model" in text and "COPY models/send-assistant.tar.gz" in text


# --- Helm values (Rasa's charts) ---------------------------------------------------------------


def test_helm_values_for_the_rasa_servers_are_safe(rasa_values):
    settings = rasa_values["applicationSettings"]
    assert settings["enableAPI"] is False
    assert settings["telemetry"]["enabled"] is False
    assert settings["debugMode"] is False
    assert settings["initialModel"] == ""  # nothing downloaded: the model is in the image
    assert rasa_values["command"] == ["python", "-m", "rasa_server"]
    assert "--enable-api" not in rasa_values["args"] and "--auth-token" not in " ".join(rasa_values["args"])
    assert rasa_values["securityContext"]["runAsNonRoot"] is True
    assert rasa_values["podSecurityContext"]["runAsUser"] != 0
    assert rasa_values["ingress"]["tls"], "TLS at the ingress"
    assert rasa_values["service"]["type"] == "ClusterIP"
    endpoints = settings["endpoints"]["additionalEndpoints"]
    assert endpoints["action_endpoint"]["headers"]["X-Send-Action-Secret"] == "${SEND_ACTION_SECRET}"
    assert endpoints["lock_store"]["type"] == "storage.lock_store.ConversationLockStore"
    assert rasa_values["postgresql"]["install"] is False and rasa_values["redis"]["install"] is False


def test_helm_values_for_the_action_servers_are_safe(action_values):
    assert action_values["applicationSettings"]["telemetry"]["enabled"] is False
    assert action_values["service"]["type"] == "ClusterIP"
    assert action_values["ingress"]["enabled"] is False
    assert action_values["securityContext"]["runAsNonRoot"] is True
    assert action_values["command"] == ["python", "-m", "actions.server"]


@pytest.mark.parametrize("values_name", ["rasa_values", "action_values"])
def test_helm_secrets_come_from_a_kubernetes_secret(values_name, request):
    values = request.getfixturevalue(values_name)
    secret_like = [
        e for e in values["extraEnv"] if any(w in e["name"] for w in SECRET_WORDS) or e["name"].endswith("_URL")
    ]
    assert len(secret_like) >= 3
    for entry in secret_like:
        assert "value" not in entry, f"{entry['name']} must come from a Secret"
        assert entry["valueFrom"]["secretKeyRef"]["name"] == "send-secrets"
    text = yaml.safe_dump(values)
    assert "password:" not in text.lower().replace("smtp-password", "")
