"""Runs the deterministic safeguarding detector on every message, inside
Rasa's NLU pipeline, after the intent classifiers.

When it finds a disclosure, the message's intent becomes
``safeguarding_concern`` whatever the classifier said (so it wins over any
other intent, and a rule answers it in the same turn), each category is
added as a ``safeguarding_category`` entity, and the parse result carries a
``safeguarding`` field. `/model/parse` on Rasa's HTTP API shows all three.
The classifier's own ``safeguarding_concern`` is a second net: it is kept
when the detector finds nothing.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safeguarding.detector import categories, warm_up

INTENT_NAME = "safeguarding_concern"
ENTITY = "safeguarding_category"
FIELD = "safeguarding"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=False,
)
class SafeguardingDetector(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafeguardingDetector:
        warm_up()  # compile the lexicon at load, not on a young person's message
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = categories(message.get(TEXT) or "")
            intent = (message.get(INTENT) or {}).get("name")
            if not found:
                if intent == INTENT_NAME:
                    message.set(FIELD, {"categories": [], "source": "classifier"}, add_to_output=True)
                continue
            self._escalate(message, found)
        return messages

    def _escalate(self, message: Message, found: list[str]) -> None:
        text = message.get(TEXT) or ""
        top = {"name": INTENT_NAME, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != INTENT_NAME]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
        entities = [
            {"entity": ENTITY, "value": category, "start": 0, "end": len(text), "confidence_entity": 1.0}
            for category in found
        ]
        message.set(
            ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True
        )
        message.set(FIELD, {"categories": found, "source": "detector"}, add_to_output=True)
