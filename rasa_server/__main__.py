"""`python -m rasa_server ARGS` runs `rasa ARGS` with the project's patches (see rasa_server/__init__.py)."""

from __future__ import annotations

import sys

from rasa_server import apply_patches


def main() -> None:
    apply_patches()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"  # Rasa's help and error messages name its own command
    rasa_main()


if __name__ == "__main__":
    main()
