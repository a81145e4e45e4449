"""The project's Rasa server entry point and its patches (rasa_server/).

The action response validator is built once, but must refuse exactly what
Rasa's own refuses, with the same error. Each patch must notice a Rasa upgrade
that changes the function it replaces. (That the faster model loading gives
the very same predictions is shown with the real model in
tests/e2e/test_model_loading.py.)
"""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys

import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

from rasa_server import action_validation, model_loading
from scripts.stack import ROOT, free_port

VALID = [
    {},
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "topic", "value": "refused_assessment"},
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"text": "Hello", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
    },
]
MALFORMED = [
    [],  # not an object
    "events",
    {"events": "slot"},  # events not a list
    {"events": [{"name": "topic"}]},  # an event without its type
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": 1}]},  # a slot without its name
    {"events": [{"event": "slot", "name": "topic", "timestamp": "yesterday"}]},
    {"events": [{"event": "user", "text": 3}]},
    {"responses": {"text": "Hello"}},  # responses not a list
    {"responses": ["Hello"]},
]


@pytest.fixture
def patched():
    """RemoteAction with the patch applied; Rasa's own put back afterwards."""
    assert action_validation.apply()
    yield
    action_validation.undo()


def outcome(result) -> object:
    """What validating ``result`` gives: True, or the error's every visible part."""
    action = RemoteAction("action_test", None)
    try:
        return action._validate_action_result(result)
    except ValidationError as error:
        return ("ValidationError", error.message, list(error.path), list(error.schema_path), error.validator)


def test_rasa_function_replaced_is_unchanged():
    """Fails after a Rasa upgrade that changed RemoteAction._validate_action_result."""
    function = action_validation.original
    what_to_do = (
        "Rasa's RemoteAction._validate_action_result (rasa/core/actions/action.py) is not the one "
        "rasa_server/action_validation.py was written for. Re-read it: check the replacement still "
        "validates the same schema the same way (same ValidationError, same message appended, same "
        "caller), then update ORIGINAL_SIGNATURE and ORIGINAL_SOURCE_SHA256 there. Until then the "
        "server keeps Rasa's own, slower function (apply() refuses to patch)."
    )
    assert str(inspect.signature(function)) == action_validation.ORIGINAL_SIGNATURE, what_to_do
    assert action_validation.source_sha256(function) == action_validation.ORIGINAL_SOURCE_SHA256, what_to_do
    assert action_validation.original_unchanged()


def test_patch_applies_and_undoes():
    assert action_validation.apply()
    assert RemoteAction._validate_action_result.patched_by == "rasa_server.action_validation"
    assert action_validation.apply()  # twice is harmless
    action_validation.undo()
    assert RemoteAction._validate_action_result is action_validation.original


@pytest.mark.parametrize("result", VALID + MALFORMED, ids=repr)
def test_same_outcome_as_rasa_own(result):
    """Valid responses pass and malformed ones fail with the same error, patched or not."""
    expected = outcome(result)
    action_validation.apply()
    try:
        actual = outcome(result)
    finally:
        action_validation.undo()
    assert actual == expected
    if result in MALFORMED:
        assert actual[0] == "ValidationError"
        assert "Failed to validate Action server response from API" in actual[1]
    else:
        assert actual is True


def test_schema_is_checked_once_not_per_response(patched, monkeypatch):
    calls = []
    validator_class = type(action_validation.build_validator(RemoteAction.action_response_format_spec()))
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, schema: calls.append(1)))
    action = RemoteAction("action_test", None)
    for _ in range(3):
        assert action._validate_action_result({"events": []})
    assert calls == []


def test_subclass_with_its_own_schema_keeps_rasa_way(patched):
    class Strict(RemoteAction):
        @staticmethod
        def action_response_format_spec():
            return {"type": "object", "required": ["events"]}

    with pytest.raises(ValidationError, match="'events' is a required property"):
        Strict("action_test", None)._validate_action_result({})


async def _run_remote_action(reply) -> list:
    """RemoteAction.run against an action server on loopback that answers ``reply``."""

    async def webhook(request):
        return web.json_response(reply)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        action = RemoteAction("action_test", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        tracker = DialogueStateTracker("test-sender", [])
        return await action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty()
        )
    finally:
        await runner.cleanup()


def test_malformed_response_refused_over_http(patched):
    """The whole RemoteAction.run path: a malformed reply from the action server is refused."""
    with pytest.raises(ValidationError, match="Failed to validate Action server response from API"):
        asyncio.run(_run_remote_action({"events": [{"event": "slot", "value": "x"}], "responses": []}))


def test_valid_response_accepted_over_http(patched):
    events = asyncio.run(
        _run_remote_action(
            {"events": [{"event": "slot", "name": "topic", "value": "x"}], "responses": [{"text": "Hello"}]}
        )
    )
    assert [e.type_name for e in events] == ["bot", "slot"]


def test_rasa_model_load_replaced_is_unchanged():
    """Fails after a Rasa upgrade that changed RasaModel.load."""
    what_to_do = (
        "Rasa's RasaModel.load (rasa/utils/tensorflow/models.py) is not the one rasa_server/model_loading.py "
        "was written for. Re-read it: check the replacement still does the same steps (the one-example fit, "
        "load_weights, the first run_inference) apart from running the fit eagerly, run "
        "tests/e2e/test_model_loading.py, then update ORIGINAL_SIGNATURE and ORIGINAL_SOURCE_SHA256 there. "
        "Until then the server keeps Rasa's own loading (apply() refuses to patch)."
    )
    assert (
        str(inspect.signature(model_loading.original.__get__(None, RasaModel))) == model_loading.ORIGINAL_SIGNATURE
    ), what_to_do
    assert model_loading.source_sha256(model_loading.original.__func__) == model_loading.ORIGINAL_SOURCE_SHA256, (
        what_to_do
    )
    assert model_loading.original_unchanged()


def test_model_load_patch_applies_and_undoes():
    assert model_loading.apply()
    try:
        assert RasaModel.load.__func__.patched_by == "rasa_server.model_loading"
        assert model_loading.apply()  # twice is harmless
    finally:
        model_loading.undo()
    assert RasaModel.__dict__["load"] is model_loading.original


def test_fine_tuning_keeps_rasa_own_loading(monkeypatch):
    calls = []
    monkeypatch.setattr(
        model_loading,
        "original",
        classmethod(lambda cls, *args, **kwargs: calls.append((cls, args, kwargs)) or "rasa's"),
    )
    assert model_loading.load(RasaModel, "weights", "data", None, True, config={}) == "rasa's"
    assert calls == [(RasaModel, ("weights", "data", None, True), {"config": {}})]


def test_entry_point_applies_patches_before_rasa_cli():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['rasa_server', '--version']\n"
        "runpy.run_module('rasa_server', run_name='__main__')\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa.utils.tensorflow.models import RasaModel\n"
        "print('PATCHED', RemoteAction._validate_action_result.patched_by)\n"
        "print('PATCHED', RasaModel.load.__func__.patched_by)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Rasa Version" in done.stdout  # Rasa's own CLI ran
    assert "PATCHED rasa_server.action_validation" in done.stdout
    assert "PATCHED rasa_server.model_loading" in done.stdout
