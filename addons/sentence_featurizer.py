"""NLU pipeline component: dense features from the pretrained sentence encoder.

Adds, for each message, the all-MiniLM-L6-v2 sentence vector (sentence
features) and, with ``sequence_features: true``, one vector per spaCy token
(the mean of its word pieces, so they line up with the sparse features DIET
already has). The encoder itself, its files and their sha256 checks are in
``addons/sentence_encoder.py``; this class only adapts it to Rasa's graph.

It has nothing to train: at run time it is created from config.yml and loads
the encoder from the installed package, so the files never enter the model.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.sentence_encoder import MAX_TOKENS, SentenceEncoder

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """all-MiniLM-L6-v2 sentence (and token) vectors as dense features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["onnxruntime", "tokenizers"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Also one vector per token. Off: in 5-fold cross-validation DIET did
            # no better with them than with the sentence vector alone (README).
            "sequence_features": False,
            # The sentence vector has length 1 (as sentence-transformers gives it);
            # DIET sees it multiplied by this, so that it weighs about as much as
            # the model's raw token vectors (length 6 to 12) would.
            "sentence_scale": 1.0,
            # onnxruntime threads per message: 1 suits a server on 2 shared cores.
            "threads": 1,
            "max_tokens": MAX_TOKENS,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("threads", 1)) < 1:
            raise ValueError("SentenceFeaturizer: threads must be at least 1")

    def __init__(self, config: Dict[Text, Any], name: Text, encoder: Optional[SentenceEncoder] = None) -> None:
        super().__init__(name, config)
        self.encoder = encoder or SentenceEncoder(
            threads=int(self._config["threads"]), max_tokens=int(self._config["max_tokens"])
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    def _featurize(self, messages: List[Message], attribute: Text) -> None:
        todo = [m for m in messages if m.get(attribute) and m.get(TOKENS_NAMES[attribute])]
        if not todo:
            return
        encoded = self.encoder.encode([m.get(attribute) for m in todo])
        for message, enc in zip(todo, encoded):
            sentence = enc.sentence_vector()[None, :] * float(self._config["sentence_scale"])
            sequence = None
            if self._config["sequence_features"]:
                tokens = message.get(TOKENS_NAMES[attribute])
                sequence = enc.token_vectors([(t.start, t.end) for t in tokens])
            self.add_features_to_message(sequence, sentence, attribute, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            self._featurize(training_data.training_examples, attribute)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        # One session run per message: the server sees one message at a time.
        for attribute in (TEXT, ACTION_TEXT):
            for message in messages:
                self._featurize([message], attribute)
        return messages
