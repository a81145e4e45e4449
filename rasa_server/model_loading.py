"""Load the TensorFlow models (DIET, TED) without tracing a training graph.

Replaces ``rasa.utils.tensorflow.models.RasaModel.load`` (Rasa 3.6.21). To
create the model's weights before loading the trained values, Rasa trains
the empty model on one example (``model.fit``), which first traces the whole
training step (forward pass, gradients, optimizer) into a TensorFlow graph
with autograph. For the Rasa server, that tracing was most of its start time
(about three quarters: issue 12), and the weights it trains are overwritten
at once by ``load_weights``.

Here the weights are made by the forward pass of that training step alone,
run eagerly on the same example (no graph, no gradients, no optimizer step);
then the trained weights are loaded as before (TensorFlow matches them by
name, and restores any weight made later, e.g. in a branch the example did not
take, when it is made), and the prediction graph is traced on one example as
before. The optimizer's saved state is left unread: it is only for training.
So the model that answers families is the same: tests/e2e/test_model_loading.py
checks that both models load, and that every NLU prediction and each policy's
dialogue predictions are identical, to the last digit, with Rasa's own
loading. Fine-tuning (``finetune_mode``) keeps Rasa's own.

(A first version ran the one-example ``fit`` eagerly instead: TED then failed
to load, because the eager step creates the optimizer's state in another
order than the training graph did, and Rasa's TEDPolicy.load turns that
ValueError into a policy without a model, logged only at debug level.)
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from typing import Any, Optional, Text

import tensorflow as tf
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

logger = logging.getLogger(__name__)

# What the replaced function was when this patch was written (Rasa 3.6.21).
ORIGINAL_SIGNATURE = (
    "(model_file_name: str, model_data_example: rasa.utils.tensorflow.model_data.RasaModelData, "
    "predict_data_example: Optional[rasa.utils.tensorflow.model_data.RasaModelData] = None, "
    "finetune_mode: bool = False, *args: Any, **kwargs: Any) -> 'RasaModel'"
)
ORIGINAL_SOURCE_SHA256 = "84fd81c0fdd01a8048de2d9b5b3022bdbf1e155f7b4d67737eb51ecb0787d292"

# Rasa's own classmethod, kept before any patching.
original = RasaModel.__dict__["load"]


def source_sha256(function) -> str:
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()


def original_unchanged() -> bool:
    function = original.__func__
    return (
        str(inspect.signature(original.__get__(None, RasaModel))) == ORIGINAL_SIGNATURE
        and source_sha256(function) == ORIGINAL_SOURCE_SHA256
    )


def load(
    cls,
    model_file_name: Text,
    model_data_example: RasaModelData,
    predict_data_example: Optional[RasaModelData] = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """Rasa's RasaModel.load, with the weights built by an eager forward pass instead of a traced fit."""
    if finetune_mode:  # the model will be trained further: Rasa's own way
        return original.__func__(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
        )
    logger.debug(f"Loading the model from {model_file_name} (weights built by one forward pass)...")
    model = cls(*args, **kwargs)
    learning_rate = kwargs.get("config", {}).get(LEARNING_RATE, 0.001)
    run_eagerly = kwargs.get("config", {}).get(RUN_EAGERLY)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=run_eagerly)

    # Rasa trains on 1 example to build weights of the correct size. The weights
    # are made by the forward pass of that training step, run here eagerly on the
    # same example; no gradients, no optimizer step (its state is only for training).
    batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
    model._training = True  # as in train_step
    model.batch_loss(batch)
    model._training = None
    # load trained weights; the optimizer's saved state is not needed to predict
    status = model.load_weights(model_file_name)

    # predict on one data example to trace the prediction graph now, as Rasa does
    if predict_data_example:
        model.run_inference(predict_data_example)
    # Every weight the model has made so far got its trained value (loudly, not
    # as a half-loaded model); only the optimizer's state is left in the file.
    status.assert_existing_objects_matched().expect_partial()

    logger.debug("Finished loading the model.")
    return model


load.patched_by = __name__  # type: ignore[attr-defined]


def apply() -> bool:
    """Patch RasaModel.load, unless Rasa's function changed since this was written."""
    if getattr(RasaModel.__dict__["load"].__func__, "patched_by", None) == __name__:
        return True
    if not original_unchanged():
        logger.warning(
            "Not patching RasaModel.load: the installed Rasa's version differs from the one "
            "rasa_server/model_loading.py replaces; using Rasa's own (slower start)."
        )
        return False
    RasaModel.load = classmethod(load)
    return True


def undo() -> None:
    """Put Rasa's own classmethod back (for tests)."""
    RasaModel.load = original
