"""The project's Rasa server: Rasa's own command line with a few small patches.

`python -m rasa_server run ...` is `rasa run ...` with the patches below
applied first (scripts/run.sh, scripts/stack.py, and so the tests, `make
bench` and `make load`, start the Rasa server this way). Each patch replaces
one Rasa function with a faster one that behaves the same, and checks at
start that the Rasa function it replaces is still the one it was written
for; if a Rasa upgrade changed it, Rasa's own is kept and a warning logged
(and tests/unit/test_rasa_server.py fails, saying what to re-check).

* :mod:`rasa_server.action_validation`: the action server's responses are
  validated with a JSON schema validator built once, not once per response.
* :mod:`rasa_server.model_loading`: the TensorFlow models are loaded without
  tracing a training graph first (most of the server's start time).
"""

from __future__ import annotations

from typing import List


def apply_patches() -> List[str]:
    """Apply every patch; the names of those applied."""
    from rasa_server import action_validation, model_loading

    return [patch.__name__ for patch in (action_validation, model_loading) if patch.apply()]
