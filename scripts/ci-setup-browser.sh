#!/usr/bin/env bash
# What the website widget and its browser tests need on a fresh machine:
# Debian's Chromium (Playwright drives it; Playwright's own browser download
# needs internet we do not have) and the widget, built from web/ with npm
# (socket.io-client, esbuild, axe-core from web/package-lock.json).
# Idempotent: installs only what is missing, rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null

make --no-print-directory widget
