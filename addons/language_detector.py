"""NLU pipeline component: a message in another language becomes ``other_language``.

The assistant understands English only. A message that ``advice/languages.py``
finds is in Punjabi, Urdu, Polish, Bengali, Romanian, Gujarati or Arabic (or
Punjabi/Urdu in Latin letters) gets the intent ``other_language`` and an entity
``language`` with the language's code; ``action_other_language`` answers in
that language from ``content/languages.yml``.

Why here and not in the channel guard: the guard is for what must happen
before Rasa sees a message (a typed payload, limits, crisis first); this is
understanding a message, like the crisis net, and as an intent it goes
through the rules, stories and tracker like every other, for every channel.

It runs after DIET and the FallbackClassifier and BEFORE the crisis safety net,
so a crisis in any language still gets the crisis reply: the net overrides
this intent as it overrides any other. The model's own ranking is kept below
the new top intent. The model also knows ``other_language`` (a few training
examples in other scripts, which Rasa needs for any intent), but only this
component may decide it: when the detector finds English, the model's
``other_language`` is dropped, so an English message is never answered as
foreign. The detector is built once per process (Lingua, about 20 MB).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from advice.languages import detect_language, detector

OTHER_LANGUAGE_INTENT = "other_language"
LANGUAGE_ENTITY = "language"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OtherLanguageDetector(GraphComponent, IntentClassifier):
    """Sets ``other_language`` and the ``language`` entity for a message not in English."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The FallbackClassifier's threshold: below it, a dropped other_language
        # leaves nlu_fallback rather than a weak guess.
        return {"fallback_threshold": 0.45}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.fallback_threshold = float(config.get("fallback_threshold", 0.45))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OtherLanguageDetector:
        detector()  # built now, not on a family's first message
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text: Optional[str] = message.get(TEXT)
            language = detect_language(text) if text else None
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != OTHER_LANGUAGE_INTENT]
            if language:
                top = {"name": OTHER_LANGUAGE_INTENT, "confidence": 1.0}
                entity = {
                    "entity": LANGUAGE_ENTITY,
                    "value": language,
                    "start": 0,
                    "end": len(text),  # type: ignore[arg-type]  # a language implies text
                    "confidence_entity": 1.0,
                    "extractor": type(self).__name__,
                }
                message.set(INTENT, top, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
            elif (message.get(INTENT) or {}).get("name") == OTHER_LANGUAGE_INTENT:
                self._drop_model_guess(message, ranking)
        return messages

    def _drop_model_guess(self, message: Message, ranking: List[Dict[Text, Any]]) -> None:
        """The model said other_language but the detector found English: its next guess, or not understood."""
        best = next((r for r in ranking if r.get("name") != FALLBACK_INTENT), None)
        if best is None or best.get("confidence", 0.0) < self.fallback_threshold:
            best = {"name": FALLBACK_INTENT, "confidence": self.fallback_threshold}
            ranking = [best, *[r for r in ranking if r.get("name") != FALLBACK_INTENT]]
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
