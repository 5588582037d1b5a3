"""Rasa's natural-language generator for this assistant: one place that turns
a response name (``utter_what_is_iv``) into text in the conversation's language.

Loaded by Rasa from ``endpoints.yml`` (``nlg: type: bot.nlg.LocaleNLG``).
Custom actions that call ``dispatcher.utter_message(response=...)`` come
through here too, so every message the bot sends is rendered the same way.

Language rules (Welsh Language Standards, see NOTES.md):
- the language asked for decides, else the one detected (bot.language);
- while it is unknown, a reply goes in both languages, Welsh first, when that
  fits in one message; otherwise in the language the message looks like,
  with an offer of the other language;
- the first reply of a conversation always offers the other language.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.language import conversation_language, detect
from bot.locales import LocaleError, render, render_text
from bot.settings import LANGUAGES, Language, get_settings

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 300
"""One SMS-sized message; long answers are split into several responses."""

UTTER_PREFIX = "utter_"
# Texts the generator uses itself, not answers to a response name.
GENERATOR_KEYS = frozenset({"offer_language", "safeguarding_check_in", "said_before"})
# Replies that settle the language already: no offer of the other one.
NO_OFFER_KEYS = frozenset({"welcome", "language_set"})
# The crisis reply stays short (three SMS at most): the offer waits for the
# next reply that isn't one of these.
OFFER_LATER_KEYS = frozenset(
    {"safeguarding_holding", "safeguarding_check_in", "safeguarding_helplines", "safe_after_check_in"}
)
# Rasa's own response names that we answer with one of our texts.
ALIASES = {"utter_default": "fallback"}
# Like Rasa's conditional response variations: the same response in other
# words for a possible risk (a kind check-in) than for an urgent disclosure.
BY_SAFEGUARDING_LEVEL = {("safeguarding_holding", "concern"): "safeguarding_check_in"}
# Answers that, asked again in the same session, say so before they repeat
# (the first message of the answer; its "_more" follows as it is).
REPEATABLE_ANSWERS = frozenset(
    {
        "what_is_iv", "iv_activities", "eligibility", "iv_vs_advocate", "boundaries", "care_leaver",
        "rights", "confidentiality", "referral_process", "change_or_end_iv", "complaint",
    }
)  # fmt: skip
SAID_BEFORE_KEY = "said_before"
TEXT_KEY = "text_key"
"""Kept in the bot message's metadata, so the next turn knows what was asked."""
BILINGUAL_SEPARATOR = "\n\n"


def other(language: Language) -> Language:
    return "en" if language == "cy" else "cy"


def is_first_reply(tracker: DialogueStateTracker, since: type = SessionStarted) -> bool:
    """No bot message yet since the session (or, with ``since=UserUttered``, the
    turn) began, apart from crisis texts, which never carry the language offer."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and (event.metadata or {}).get(TEXT_KEY) not in OFFER_LATER_KEYS:
            return False
        if isinstance(event, since):
            return True
    return True


def said_before(tracker: DialogueStateTracker, key: str) -> bool:
    """This session's bot has already sent the text ``key``."""
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(TEXT_KEY) == key:
            return True
    return False


def with_said_before(message: dict[str, Any], language: Language | None) -> dict[str, Any]:
    """ "Here it is again:" before an answer already given, so a repeat is never a surprise."""
    if language not in LANGUAGES:
        return message
    return {**message, "text": render_text(SAID_BEFORE_KEY, language) + " " + message["text"]}


def guess_language(tracker: DialogueStateTracker) -> Language:
    """While the language is unknown: what the young person's latest message
    that shows any language is written in."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            guess = detect(event.text or "").language
            if guess:
                return guess
    return get_settings().default_language


def with_offer(message: dict[str, Any], offered: Language) -> dict[str, Any]:
    """Adds, in the offered language, an invitation to switch to it."""
    offer = render_text("offer_language", offered)
    return {**message, "text": message["text"] + BILINGUAL_SEPARATOR + offer}


def bilingual(key: str, values: dict[str, Any]) -> dict[str, Any] | None:
    welsh, english = render(key, "cy", values), render(key, "en", values)
    text = welsh["text"] + BILINGUAL_SEPARATOR + english["text"]
    if len(text) > MAX_MESSAGE_CHARS:
        return None
    message: dict[str, Any] = {"text": text}
    buttons = {b["payload"]: b for b in welsh.get("buttons", []) + english.get("buttons", [])}
    if buttons:
        message["buttons"] = list(buttons.values())
    return message


def compose(
    key: str,
    language: Language | None,
    first_reply: bool,
    guess: Language,
    values: dict[str, Any],
    first_of_turn: bool = True,
) -> dict[str, Any]:
    """The message for ``key``: pure, so tests can drive every case."""
    if language in LANGUAGES:
        message = render(key, language, values)
        return with_offer(message, other(language)) if first_reply and key not in NO_OFFER_KEYS else message
    both = bilingual(key, values)
    if both is not None:
        return both
    message = render(key, guess, values)
    return with_offer(message, other(guess)) if first_of_turn else message


def safeguarding_level(tracker: DialogueStateTracker) -> str | None:
    message = tracker.latest_message
    parse = message.parse_data if message else {}
    return ((parse or {}).get("safeguarding") or {}).get("level")


def text_key(utter_action: str, tracker: DialogueStateTracker) -> str:
    key = ALIASES.get(utter_action, utter_action.removeprefix(UTTER_PREFIX))
    return BY_SAFEGUARDING_LEVEL.get((key, safeguarding_level(tracker) or ""), key)


def latest_turn(tracker: DialogueStateTracker) -> tuple[str, float]:
    """Which turn this is: the conversation and its latest message's time."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return tracker.sender_id, event.timestamp
    return tracker.sender_id, 0.0


class LocaleNLG(NaturalLanguageGenerator):
    # A custom action can send several messages in one turn, all rendered
    # before any is in the tracker: remember which turns already had the offer.
    MAX_REMEMBERED_TURNS = 10_000

    def __init__(self, endpoint_config: Any = None, domain: Any = None, **_: Any) -> None:
        self.domain = domain
        self._offered: OrderedDict[tuple[str, float], None] = OrderedDict()

    def _offer_once(self, turn: tuple[str, float], could_offer: bool) -> bool:
        if not could_offer or turn in self._offered:
            return False
        self._offered[turn] = None
        if len(self._offered) > self.MAX_REMEMBERED_TURNS:
            self._offered.popitem(last=False)
        return True

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        key = text_key(utter_action, tracker)
        language = conversation_language(tracker.current_slot_values())
        values = {**tracker.current_slot_values(), **kwargs}
        turn = latest_turn(tracker)
        offers = key not in NO_OFFER_KEYS | OFFER_LATER_KEYS and turn not in self._offered
        first = is_first_reply(tracker) and offers
        first_of_turn = is_first_reply(tracker, since=UserUttered) and offers
        self._offer_once(turn, first or (first_of_turn and language not in LANGUAGES))
        guess = guess_language(tracker)
        try:
            message = compose(key, language, first, guess, values, first_of_turn)
            if key in REPEATABLE_ANSWERS and said_before(tracker, key):
                message = with_said_before(message, language)
            return {**message, TEXT_KEY: key}
        except (LocaleError, KeyError, IndexError, ValueError):
            # A missing text or placeholder is a bug (tests guard it); the young
            # person still gets a reply rather than silence.
            logger.exception("could not render response '%s'", key)
            return compose("fallback", language, first, guess, {}, first_of_turn)
