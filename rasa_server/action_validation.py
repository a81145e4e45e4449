"""Validate the action server's responses with a JSON schema validator built once.

Replaces ``rasa.core.actions.action.RemoteAction._validate_action_result``
(Rasa 3.6.21). Rasa's version calls ``jsonschema.validate(result, schema)``
for every response of the action server, that is for every custom action of
every message. ``jsonschema.validate`` first checks the *schema itself*
against its meta-schema (``check_schema``, resolving the meta-schema's
``$dynamicRef``s) and builds a new validator, and only then validates the
small response: under load that was 42% of the Rasa server's CPU (issue 12).

The schema is a constant (``RemoteAction.action_response_format_spec()``), so
here it is checked against the meta-schema once, when the patch is applied,
and one validator is kept. The validation of each response is unchanged: the
same validator class (``jsonschema.validators.validator_for`` the schema), the
same error chosen (``jsonschema.exceptions.best_match``), the same
``ValidationError`` with Rasa's sentence appended to its message, raised to
the same caller, which logs it as before ("Encountered an exception while
running action ..."): a malformed response is refused exactly as today.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from typing import Any, Callable, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

logger = logging.getLogger(__name__)

# What the replaced function was when this patch was written (Rasa 3.6.21).
# tests/unit/test_rasa_server.py compares them with the installed Rasa.
ORIGINAL_SIGNATURE = "(self, result: Dict[str, Any]) -> bool"
ORIGINAL_SOURCE_SHA256 = "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42"

# Rasa's own function, kept before any patching.
original: Callable[[RemoteAction, Dict[Text, Any]], bool] = RemoteAction.__dict__["_validate_action_result"]


def source_sha256(function: Callable) -> str:
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()


def original_unchanged() -> bool:
    """Whether the installed Rasa's function is still the one this patch replaces."""
    return str(inspect.signature(original)) == ORIGINAL_SIGNATURE and source_sha256(original) == ORIGINAL_SOURCE_SHA256


def build_validator(schema: Dict[Text, Any]):
    """A validator for ``schema``, which is checked against its meta-schema here, once.

    As ``jsonschema.validate`` does on every call: the validator class from the
    schema's ``$schema`` (the latest draft without one), ``check_schema`` first.
    """
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def make_validate_action_result() -> Callable[[RemoteAction, Dict[Text, Any]], bool]:
    """The replacement for ``RemoteAction._validate_action_result``."""
    validator = build_validator(RemoteAction.action_response_format_spec())

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        # Same as jsonschema.validate(result, schema), without re-checking the schema.
        if type(self).action_response_format_spec is not RemoteAction.action_response_format_spec:
            return original(self, result)  # a subclass with its own schema: Rasa's way
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        # Rasa's own message, word for word.
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    _validate_action_result.patched_by = __name__  # type: ignore[attr-defined]
    return _validate_action_result


def apply() -> bool:
    """Patch RemoteAction, unless Rasa's function changed since this was written."""
    if getattr(RemoteAction._validate_action_result, "patched_by", None) == __name__:
        return True
    if not original_unchanged():
        logger.warning(
            "Not patching RemoteAction._validate_action_result: the installed Rasa's version "
            "differs from the one rasa_server/action_validation.py replaces; using Rasa's own (slower)."
        )
        return False
    RemoteAction._validate_action_result = make_validate_action_result()
    return True


def undo() -> None:
    """Put Rasa's own function back (for tests)."""
    RemoteAction._validate_action_result = original
