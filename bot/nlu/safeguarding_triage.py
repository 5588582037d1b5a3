"""Safeguarding triage on every message, inside Rasa's NLU pipeline, after
the intent classifiers: a level (urgent, concern or none), its categories
and the signals behind it (``bot/safeguarding/triage.py``).

A level of urgent or concern makes the intent ``safeguarding_concern``
whatever the classifier said (a rule answers it in the same turn), adds each
category as a ``safeguarding_category`` entity, and puts
``safeguarding: {"level", "categories", "signals"}`` in the parse result, on
``/model/parse`` too. The intent classifier's own ``safeguarding_concern``
no longer decides anything: when triage says none, the next intent in its
ranking stands.

Rasa hands NLU components the conversation's tracker (``process(...,
tracker)``), so the previous bot turn is known: an answer to the check-in is
read as an answer, and concerns earlier in the conversation count.

The risk classifier is trained here, by ``rasa train``, on the risk corpus
(``bot/safeguarding/corpus/``); the corpus files are part of this
component's fingerprint, so changing them retrains it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safeguarding.corpus import CORPUS_DIR, corpus_files, training_corpus
from bot.safeguarding.detector import warm_up
from bot.safeguarding.risk_model import RiskModel
from bot.safeguarding.spelling import known_words, lexicon_words
from bot.safeguarding.triage import Context, Thresholds, assess

INTENT_NAME = "safeguarding_concern"
SAFE_AFTER_CHECK_IN = "safe_after_check_in"
ENTITY = "safeguarding_category"
FIELD = "safeguarding"
CHECK_IN_KEY = "safeguarding_check_in"
FORM_QUESTION_PREFIX = "ask_"  # the text keys of the forms' questions (utter_ask_<slot>)
"""The text key (in a bot message's metadata, set by ``bot.nlg``) of the check-in."""


def previous_bot_keys(tracker: DialogueStateTracker | None) -> set[str]:
    """The text keys of the bot's messages since the young person last wrote."""
    keys: set[str] = set()
    for event in reversed(tracker.events if tracker is not None else []):
        if isinstance(event, (UserUttered, SessionStarted)):
            break
        if isinstance(event, BotUttered):
            keys.add((event.metadata or {}).get("text_key") or "")
    return keys


def earlier_concerns(tracker: DialogueStateTracker | None) -> int:
    """Concern-level messages earlier in this session."""
    if tracker is None:
        return 0
    count = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            level = ((event.parse_data or {}).get(FIELD) or {}).get("level")
            count += level == "concern"
    return count


def corpus_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in corpus_files(directory):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class SafeguardingTriage(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "corpus": str(CORPUS_DIR),
            "c": 10.0,
            "concern_threshold": 0.5,
            "urgent_threshold": 0.5,
            "concerns_for_urgent": 3,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return corpus_digest(Path(config.get("corpus") or CORPUS_DIR))

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: RiskModel | None = None,
        known: frozenset[str] = frozenset(),
    ) -> None:
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.model = model
        self.known = known
        self.thresholds = Thresholds(
            concern=float(config["concern_threshold"]),
            urgent=float(config["urgent_threshold"]),
            concerns_for_urgent=int(config["concerns_for_urgent"]),
        )
        warm_up()  # compile the lexicon at load, not on a young person's message
        lexicon_words()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafeguardingTriage:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        corpus = training_corpus(Path(self.config["corpus"]))
        ordinary = [
            m.get(TEXT) for m in training_data.intent_examples if m.get(INTENT) != INTENT_NAME and m.get(TEXT)
        ]
        self.model = RiskModel(c=float(self.config["c"])).fit(corpus.items, ordinary)
        self.known = known_words(ordinary + [i.text for i in corpus.items if not i.concern])
        with self.model_storage.write_to(self.resource) as directory:
            for name in RiskModel.PARTS:
                sio.dump(getattr(self.model, name), directory / f"{name}.skops")
            (directory / "known_words.json").write_text(json.dumps(sorted(self.known)), encoding="utf-8")
        return self.resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafeguardingTriage:
        model = RiskModel(c=float(config["c"]))
        with model_storage.read_from(resource) as directory:
            for name in RiskModel.PARTS:
                path = directory / f"{name}.skops"
                # Our own file, written by train() above: its sklearn types are expected.
                setattr(model, name, sio.load(path, trusted=sio.get_untrusted_types(file=path)))
            known = frozenset(json.loads((directory / "known_words.json").read_text(encoding="utf-8")))
        return cls(config, model_storage, resource, model, known)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # Not "| None": Rasa checks this annotation against what the graph gives.
    def process(self, messages: list[Message], tracker: DialogueStateTracker = None) -> list[Message]:
        asked = previous_bot_keys(tracker)
        context = Context(
            after_check_in=CHECK_IN_KEY in asked,
            earlier_concerns=earlier_concerns(tracker),
            after_form_question=any(key.startswith(FORM_QUESTION_PREFIX) for key in asked),
        )
        for message in messages:
            assessment = assess(
                message.get(TEXT) or "",
                model=self.model,
                thresholds=self.thresholds,
                known_words=self.known,
                context=context,
            )
            message.set(FIELD, assessment.as_dict(), add_to_output=True)
            if assessment.level == "none" and assessment.check_in_answer is True:
                self._safe_after_check_in(message)
            elif assessment.level == "none":
                self._not_a_concern(message)
            else:
                self._concern(message, assessment.categories)
        return messages

    @staticmethod
    def _safe_after_check_in(message: Message) -> None:
        top = {"name": SAFE_AFTER_CHECK_IN, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != INTENT_NAME]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)

    @staticmethod
    def _not_a_concern(message: Message) -> None:
        """The classifier's own safeguarding_concern gives way to its next guess."""
        if (message.get(INTENT) or {}).get("name") != INTENT_NAME:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != INTENT_NAME]
        top = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 1.0}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _concern(self, message: Message, categories: list[str]) -> None:
        text = message.get(TEXT) or ""
        top = {"name": INTENT_NAME, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != INTENT_NAME]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
        entities = [
            {"entity": ENTITY, "value": category, "start": 0, "end": len(text), "confidence_entity": 1.0}
            for category in categories
        ]
        message.set(
            ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True
        )
