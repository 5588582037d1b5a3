"""Rasa's two-stage fallback, in the young person's language: when the
classifier isn't sure, ask "Did you mean 1) ... or 2) ...?" with the two
likeliest intents, and always offer a person (3). The intents offered go in
the message's metadata (``choices``) so that "1", "yes" or "the second"
are read as an answer (bot/nlu/clarification.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import language_or_default
from bot.locales import catalogue
from bot.settings import Language

# Never offered as a guess: "did you mean yes / hello / not about IVs?" helps
# nobody, and safeguarding is decided by triage, not by asking.
NOT_OFFERED = frozenset(
    {
        "nlu_fallback", "affirm", "deny", "out_of_scope", "safeguarding_concern", "greet", "goodbye", "thank",
        "bot_challenge", "choose_language",
    }
)  # fmt: skip
# Below this, a guess is noise (keyboard mash spreads thin over everything).
MIN_GUESS_CONFIDENCE = 0.1
LABEL_PREFIX = "intent_"


def guesses(ranking: list[dict[str, Any]], language: Language) -> list[str]:
    """The two likeliest intents that can be offered and have a label."""
    labelled = catalogue(language)
    names = [r.get("name") for r in ranking if (r.get("confidence") or 0.0) >= MIN_GUESS_CONFIDENCE]
    return [n for n in names if n and n not in NOT_OFFERED and LABEL_PREFIX + n in labelled][:2]


class AskWhichTheyMeant(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = language_or_default(tracker)
        ranking = tracker.latest_message.get("intent_ranking") or []
        choices = guesses(ranking, language)
        if len(choices) < 2:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        texts = catalogue(language)
        labels = {f"option_{i + 1}": texts[LABEL_PREFIX + c].text for i, c in enumerate(choices)}
        # The buttons send the numbers the text shows, so typing one works the same.
        person = texts[LABEL_PREFIX + "talk_to_human"].text
        buttons = [
            {"title": title, "payload": str(number)}
            for number, title in enumerate([*labels.values(), person], start=1)
        ]
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons, choices=choices, **labels)
        return []
