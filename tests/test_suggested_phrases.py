"""Whatever the bot tells a young person to type works when they type it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from bot.forms.answers import is_cancel, is_dont_know, is_skip
from bot.locales import catalogue
from bot.settings import LANGUAGES

# Each phrase a text puts in quotes, and what it must do.
INTENTS = {
    "I want an IV": "request_referral",
    "Dw i eisiau YA": "request_referral",
    "any news?": "ask_referral_status",
    "unrhyw newyddion?": "ask_referral_status",
    "talk to a person": "talk_to_human",
    "siarad gyda pherson": "talk_to_human",
    "feedback": "give_feedback",
    "adborth": "give_feedback",
    "I want to complain": "make_complaint",
    "Dw i eisiau cwyno": "make_complaint",
}
FORM_ANSWERS = {
    "forget it": is_cancel,
    "anghofia fe": is_cancel,
    "not sure": is_dont_know,
    "ddim yn gwybod": is_dont_know,
    "sgip": is_skip,
}
# Examples of an answer, not something to type as it is.
EXAMPLES = {"after school", "weekends", "ar ôl ysgol", "ar benwythnos"}


def suggested_phrases() -> set[str]:
    return {
        phrase.strip()
        for language in LANGUAGES
        for entry in catalogue(language).values()
        for phrase in re.findall(r"\"([^\"]+)\"", entry.text)
        if "{" not in phrase
    }


def test_every_quoted_phrase_in_the_texts_is_checked_here() -> None:
    assert suggested_phrases() - set(INTENTS) - set(FORM_ANSWERS) - EXAMPLES == set()


@pytest.mark.parametrize("phrase", sorted(FORM_ANSWERS))
def test_a_suggested_form_answer_is_read_as_meant(phrase: str) -> None:
    assert FORM_ANSWERS[phrase](phrase)


@pytest.mark.parametrize(("phrase", "intent"), sorted(INTENTS.items()))
def test_a_suggested_phrase_is_understood(
    agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop, phrase: str, intent: str
) -> None:
    parsed = event_loop_for_agent.run_until_complete(agent.parse_message(phrase))
    assert parsed["intent"]["name"] == intent
