"""Adds a ``language`` entity when a message shows which language to use.

The ``language`` slot is mapped from this entity (domain.yml), so the
conversation's language changes only on a clear signal: an explicit request
("Cymraeg plis", "english pls") or text that is clearly in one language.
Short or mixed messages ("ok", "👍", "diolch") add nothing and the slot keeps
its value. Runs after the intent classifier so it can see ``choose_language``.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language import detect, requested_language

ENTITY = "language"
CHOOSE_LANGUAGE = "choose_language"
SHORT_REQUEST_WORDS = 3


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            language = self._language_for(message)
            if language is None:
                continue
            entity = {
                "entity": ENTITY,
                "value": language,
                "start": 0,
                "end": len(message.get(TEXT) or ""),
                "confidence_entity": 1.0,
            }
            entities = message.get(ENTITIES, []) + self.add_extractor_name([entity])
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    @staticmethod
    def _language_for(message: Message) -> str | None:
        text = message.get(TEXT) or ""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        asked = requested_language(text)
        # A bare "Cymraeg" or "english pls" is a request whatever the classifier says.
        if asked and (intent == CHOOSE_LANGUAGE or len(text.split()) <= SHORT_REQUEST_WORDS):
            return asked
        detection = detect(text)
        return detection.language if detection.clear else None
