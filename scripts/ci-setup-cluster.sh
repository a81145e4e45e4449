#!/usr/bin/env bash
# Install what the cluster needs (Debian/Ubuntu), if missing: redis-server
# (shared conversation locks, rate limits, WhatsApp memory, callback drafts)
# and nginx (the load balancer in front of the Rasa and action servers). The
# cluster's scripts and tests start their own instances on loopback
# (scripts/redis_server.py, scripts/cluster.py); the packages' default
# services are not needed, and are stopped if the install started them.
# Idempotent: does nothing when both programs exist.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" || -x "/usr/bin/$1" ]]; }

if have redis-server && have nginx; then
  echo "Cluster: $(redis-server --version | cut -d' ' -f1-3), $(nginx -v 2>&1) (already installed)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "redis-server/nginx missing; run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends redis-server nginx >/dev/null
# Where services start on install (not in a container), stop the defaults: port 80
# and 6379 are not ours, and a Redis that snapshots to disk must not hold drafts.
for service in nginx redis-server; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    $SUDO systemctl stop "$service" || true
    $SUDO systemctl disable "$service" >/dev/null 2>&1 || true
  fi
done
have redis-server && have nginx || { echo "redis-server or nginx missing after the install" >&2; exit 1; }
echo "Cluster: $(redis-server --version | cut -d' ' -f1-3), $(nginx -v 2>&1) (installed)"
