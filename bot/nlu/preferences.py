"""Reads a wish about the IV ("I want a woman who speaks Welsh", "dwi isio
dynes sy'n siarad Cymraeg") as a preference to record, inside Rasa's NLU
pipeline: each preference is an ``iv_preference`` entity ("gender:woman",
"language:cy", "interest:football"), and the intent becomes
``state_preference`` (answered by ``action_note_preference``) unless the
message asks for something else a preference can ride along with. Runs
before safeguarding triage, which still has the last word.

While the bot is waiting for a form's answer the intent is left alone: the
form reads the message as its answer ("someone who likes art" for "what do
you like doing?").
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.forms.preferences import read_preferences
from bot.nlu.safeguarding_triage import FORM_QUESTION_PREFIX, previous_bot_keys

ENTITY = "iv_preference"
INTENT_NAME = "state_preference"
# A preference said alongside one of these keeps the intent: the request is
# answered, and the preference waits in its entity.
KEEPS_INTENT = frozenset(
    {
        "request_referral", "make_complaint", "talk_to_human", "delete_my_data", "change_or_end_iv",
        "ask_referral_status", "give_feedback", "safeguarding_concern", "ask_boundaries", "ask_confidentiality",
    }
)  # fmt: skip


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PreferenceReader(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PreferenceReader:
        return cls()

    # Not "| None": Rasa checks this annotation against what the graph gives.
    def process(self, messages: list[Message], tracker: DialogueStateTracker = None) -> list[Message]:
        answering_form = any(key.startswith(FORM_QUESTION_PREFIX) for key in previous_bot_keys(tracker))
        for message in messages:
            text = message.get(TEXT) or ""
            found = read_preferences(text)
            if not found:
                continue
            entities = [
                {"entity": ENTITY, "value": p.as_entity_value(), "start": 0, "end": len(text), "confidence_entity": 1.0}
                for p in found
            ]  # fmt: skip
            message.set(
                ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True
            )
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if answering_form or intent in KEEPS_INTENT:
                continue
            stated = {"name": INTENT_NAME, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != INTENT_NAME]
            message.set(INTENT, stated, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [stated, *ranking], add_to_output=True)
        return messages
