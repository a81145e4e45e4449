#!/usr/bin/env bash
# Prints the path of a Python that Rasa 3.6 can run on (3.8, 3.9 or 3.10).
# Rasa 3.6 does not support 3.11+, which is often the machine's default.
# Order: the version pyenv selects through .python-version, then python3.10,
# python3.9, python3.8 on the PATH. Exits 1 with advice when none is found.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null; }
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  p=$(pyenv which python 2>/dev/null) && candidates+=("$p")
fi
for v in python3.10 python3.9 python3.8; do
  p=$(command -v "$v" 2>/dev/null) && candidates+=("$p")
done
for p in "${candidates[@]}"; do
  if ok "$p"; then echo "$p"; exit 0; fi
done
cat >&2 <<'MSG'
No suitable Python found. Rasa 3.6 needs Python 3.8, 3.9 or 3.10.
Install one, for example:
  pyenv install 3.10.13        (this project's .python-version selects it)
  or your system's python3.10 and python3.10-venv packages.
Then run the command again.
MSG
exit 1
