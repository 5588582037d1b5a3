"""Falls back when not one word of a message was ever seen in training:
keyboard mash ("qwzx vbnm") otherwise lands on whichever intent has the most
weight for nothing at all (it was "yes"). Inside Rasa's NLU pipeline, after
the FallbackClassifier; the two-stage fallback then asks the young person to
say it another way. Messages without letters ("1", "👍") are left alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safeguarding.normalise import fold

FALLBACK = "nlu_fallback"
VOCABULARY_FILE = "vocabulary.json"


def tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[^\W\d_]+", fold(text)) if len(t) > 1}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsFallback(GraphComponent):
    def __init__(self, model_storage: ModelStorage, resource: Resource, vocabulary: frozenset[str]) -> None:
        self.model_storage = model_storage
        self.resource = resource
        self.vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        return cls(model_storage, resource, frozenset())

    def train(self, training_data: TrainingData) -> Resource:
        words = set().union(*(tokens(m.get(TEXT) or "") for m in training_data.intent_examples))
        with self.model_storage.write_to(self.resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(words)), encoding="utf-8")
        self.vocabulary = frozenset(words)
        return self.resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(model_storage, resource, frozenset(words))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            words = tokens(message.get(TEXT) or "")
            if not words or words & self.vocabulary:
                continue
            intent = message.get(INTENT) or {}
            if intent.get("name") == FALLBACK:
                continue
            fallback = {"name": FALLBACK, "confidence": 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, [fallback, *(message.get(INTENT_RANKING_KEY) or [])], add_to_output=True
            )
        return messages
