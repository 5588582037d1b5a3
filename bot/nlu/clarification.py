"""Reads a short answer to "Did you mean 1) ... or 2) ...?" as the intent it
picks, inside Rasa's NLU pipeline (after the FallbackClassifier).

The question is asked by ``action_default_ask_affirmation`` (actions/
clarify.py) during Rasa's two-stage fallback; the intents it offered are in
that bot message's metadata (``choices``). "1", "the first", "yes" pick the
first; "2" the second; "3" or "a person" a person; "no", "neither" become
``out_of_scope``, so the two-stage fallback asks the young person to say it
another way. Anything longer is left to the classifier.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safeguarding.normalise import fold

CHOICES = "choices"
TALK_TO_HUMAN = "talk_to_human"
NEITHER = "out_of_scope"
PICK = {
    0: r"1|one|un|first|the first( one)?|(y )?cyntaf|(yr? )?un cyntaf|yes|y|yep|yeah|ye|ie|ia|ydw|do|iawn|ok|okay",
    1: r"2|two|dau|second|the second( one)?|(yr? )?ail( un)?|the other( one)?|(y )?llall|(yr )?un arall",
    2: r"3|three|tri|(a )?person|(a )?human|(siarad (gyda|efo|a) )?pherson|person go iawn",
}
NOT_THESE = (
    r"no|nope|nah|na|neither|none|nac ydw|naddo|dim un|dim|neither of them|something else|rhywbeth arall"
)


def offered(tracker: DialogueStateTracker | None) -> list[str]:
    """The intents the bot's last question offered, if its last message asked one."""
    for event in reversed(tracker.events if tracker is not None else []):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            return list((event.metadata or {}).get(CHOICES) or [])
    return []


def read_choice(text: str, choices: list[str]) -> str | None:
    answer = re.sub(r"\s+", " ", fold(text).strip(" .!?)(")).strip()
    if len(answer.split()) > 4:
        return None
    options = [*choices[:2], TALK_TO_HUMAN]
    for index, pattern in PICK.items():
        if index < len(options) and re.fullmatch(rf"(?:{pattern})(?: (?:please|plis|pls|diolch))?", answer):
            return options[index]
    if re.fullmatch(rf"(?:{NOT_THESE})(?: (?:thanks|diolch))?", answer):
        return NEITHER
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ClarificationReader(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ClarificationReader:
        return cls()

    # Not "| None": Rasa checks this annotation against what the graph gives.
    def process(self, messages: list[Message], tracker: DialogueStateTracker = None) -> list[Message]:
        choices = offered(tracker)
        if not choices:
            return messages
        for message in messages:
            picked = read_choice(message.get(TEXT) or "", choices)
            if picked is None:
                continue
            intent = {"name": picked, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != picked]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
