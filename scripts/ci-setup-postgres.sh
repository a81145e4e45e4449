#!/usr/bin/env bash
# Install PostgreSQL's server programs if they are missing (Debian/Ubuntu), so
# the storage tests can start a throwaway cluster (scripts/pg_cluster.py).
# Idempotent: does nothing when /usr/lib/postgresql/*/bin/initdb exists.
# The tests start and stop their own server; nothing is left running, and the
# package's default cluster is not needed.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "PostgreSQL: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1) (already installed)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "PostgreSQL missing; run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tzdata too: office hours need /usr/share/zoneinfo/Europe/London.
$SUDO apt-get install -y -qq --no-install-recommends postgresql tzdata >/dev/null
# Debian may start its default cluster on port 5432; the tests do not use it.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
  || { echo "PostgreSQL install did not provide initdb" >&2; exit 1; }
echo "PostgreSQL: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1) (installed)"
