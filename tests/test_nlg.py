"""The generator picks the conversation's language, and is bilingual while it
doesn't know it (Welsh Language Standards)."""

from __future__ import annotations

from bot.locales import render_text
from bot.nlg import MAX_MESSAGE_CHARS, compose


def test_known_language_renders_only_that_language() -> None:
    message = compose("what_is_iv", "cy", first_reply=False, guess="en", values={})
    assert message["text"] == render_text("what_is_iv", "cy")


def test_first_reply_offers_the_other_language() -> None:
    message = compose("what_is_iv", "cy", first_reply=True, guess="cy", values={})
    assert message["text"].startswith(render_text("what_is_iv", "cy"))
    assert message["text"].endswith(render_text("offer_language", "en"))


def test_unknown_language_gets_welsh_then_english_when_it_fits() -> None:
    message = compose("thank", None, first_reply=False, guess="en", values={})
    welsh, english = render_text("thank", "cy"), render_text("thank", "en")
    assert message["text"] == f"{welsh}\n\n{english}"


def test_unknown_language_too_long_for_both_uses_the_guess_and_offers_the_other() -> None:
    message = compose("safeguarding_helplines", None, first_reply=False, guess="cy", values={})
    assert len(message["text"]) <= MAX_MESSAGE_CHARS
    assert message["text"].startswith(render_text("safeguarding_helplines", "cy"))
    assert message["text"].endswith(render_text("offer_language", "en"))


def test_welcome_is_not_followed_by_a_second_language_offer() -> None:
    message = compose("welcome", "en", first_reply=True, guess="en", values={})
    assert message["text"] == render_text("welcome", "en")
    assert len(message["buttons"]) == 2


def test_unknown_language_offers_the_other_language_once_per_turn() -> None:
    later = compose("what_is_iv_more", None, first_reply=False, guess="cy", values={}, first_of_turn=False)
    assert later["text"] == render_text("what_is_iv_more", "cy")


def test_the_language_offer_waits_until_after_the_crisis_reply() -> None:
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.nlg import OFFER_LATER_KEYS, TEXT_KEY, is_first_reply

    def after(key: str) -> DialogueStateTracker:
        return DialogueStateTracker.from_events(
            "someone", [UserUttered("help"), BotUttered("…", metadata={TEXT_KEY: key}), UserUttered("ok")]
        )

    assert "safeguarding_helplines" in OFFER_LATER_KEYS
    assert is_first_reply(after("safeguarding_helplines")), "a crisis reply doesn't use up the offer"
    assert not is_first_reply(after("what_is_iv"))
