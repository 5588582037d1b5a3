"""Adds a ``language`` entity when a message asks for a language ("Cymraeg
plis", "english pls") and a ``detected_language`` entity when it is clearly
written in one. Each fills the slot of the same name (domain.yml); short or
mixed messages ("ok", "👍", "diolch") add nothing, so the slots keep their
values. Runs after the intent classifier so it can see ``choose_language``.
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

ASKED = "language"
DETECTED = "detected_language"
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
            kind_and_language = self._language_for(message)
            if kind_and_language is None:
                continue
            kind, language = kind_and_language
            entity = {
                "entity": kind,
                "value": language,
                "start": 0,
                "end": len(message.get(TEXT) or ""),
                "confidence_entity": 1.0,
            }
            entities = message.get(ENTITIES, []) + self.add_extractor_name([entity])
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    @staticmethod
    def _language_for(message: Message) -> tuple[str, str] | None:
        text = message.get(TEXT) or ""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        asked = requested_language(text)
        # A bare "Cymraeg" or "english pls" is a request whatever the classifier says.
        if asked and (intent == CHOOSE_LANGUAGE or len(text.split()) <= SHORT_REQUEST_WORDS):
            return ASKED, asked
        detection = detect(text)
        return (DETECTED, detection.language) if detection.clear and detection.language else None
