"""Every text as SMS would send it: short enough to be cheap and read, and
never a word that unsubscribes the young person at Twilio."""

from __future__ import annotations

import re

import pytest

from bot.forms.answers import is_cancel
from bot.locales import catalogue, render
from bot.nlg import NO_OFFER_KEYS, OFFER_LATER_KEYS, with_offer
from bot.settings import LANGUAGES
from channels.replies import with_choices
from channels.sms.keywords import STOP_CY, STOP_EN, keyword
from channels.sms.segments import segment_count
from channels.texts import CHANNEL_KEYS
from tests.test_locales import RUNTIME_VALUES

CRISIS = ("safeguarding_holding", "safeguarding_helplines")
HANDOFFS = ("handoff_in_hours", "handoff_on_call", "handoff_out_of_hours")
TWILIO_OPT_OUT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}


def young_persons_keys(language: str) -> list[str]:
    return [key for key in catalogue(language) if not key.startswith(("coordinator_", "code_"))]  # type: ignore[arg-type]


def as_sms(key: str, language: str) -> str:
    """The body SMS sends: the language offer where the NLG may add it, then the choices."""
    message = render(key, language, RUNTIME_VALUES)  # type: ignore[arg-type]
    other = "en" if language == "cy" else "cy"
    if key not in NO_OFFER_KEYS | OFFER_LATER_KEYS | CHANNEL_KEYS:
        message = with_offer(message, other)  # type: ignore[arg-type]
    return with_choices(message["text"], message.get("buttons", []))


def parts(key: str, language: str) -> int:
    return segment_count(as_sms(key, language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reply_fits_in_two_sms_even_with_the_language_offer(language: str) -> None:
    too_long = {key: parts(key, language) for key in young_persons_keys(language) if parts(key, language) > 2}
    assert not too_long, f"{language}: more than 2 SMS: {too_long}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("handoff", HANDOFFS)
def test_the_crisis_reply_fits_in_three_sms(language: str, handoff: str) -> None:
    total = sum(parts(key, language) for key in (*CRISIS, handoff))
    assert total <= 3, f"{language}: the crisis reply with {handoff} is {total} SMS"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_check_in_for_a_possible_risk_fits_in_three_sms(language: str) -> None:
    assert parts("safeguarding_check_in", language) + parts("safeguarding_helplines", language) <= 3


def test_choices_on_sms_never_repeat_the_question() -> None:
    yes_no = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]
    assert with_choices("Is that OK?", yes_no) == "Is that OK?\n\nYes / No"
    numbered = [{"title": "In care", "payload": "1"}, {"title": "Care leaver", "payload": "2"}]
    assert with_choices("Are you 1) in care, or 2) a care leaver?", numbered).count("care") == 2
    for language in LANGUAGES:
        for key in young_persons_keys(language):
            body = as_sms(key, language)
            assert not re.search(r"\((yes or no|ie neu na)\)", body, re.I), f"{language}/{key}"


def suggestions(text: str) -> list[str]:
    """What a text tells the reader to send: quoted phrases, capitals, and the
    word after "type", "text", "send", "say" (or the Welsh)."""
    quoted = re.findall(r"[\"“']([^\"”']{1,40})[\"”']", text)
    capitals = re.findall(r"\b[A-Z][A-Z-]{1,}\b", text)
    verbs = r"(?:type|text|send|say|reply|teipia|tecstia|anfona|dyweda|ateb)"
    after_verb = re.findall(rf"\b{verbs}\s+([\w-]+)", text, re.I)
    return quoted + capitals + after_verb


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_tells_the_young_person_to_send_an_opt_out_word(language: str) -> None:
    for key in young_persons_keys(language):
        for suggestion in suggestions(as_sms(key, language)):
            found = keyword(suggestion)
            assert found is None or found.action != "stop", f"{language}/{key} suggests {suggestion!r}"
            assert suggestion.strip(".!").lower() not in TWILIO_OPT_OUT, f"{language}/{key}: {suggestion!r}"


def test_the_suggestion_reader_finds_an_opt_out_word_when_there_is_one() -> None:
    # The check above must be able to fail.
    assert "STOP" in suggestions("Text STOP to stop texts.")
    assert "cancel" in suggestions('To leave, type "cancel".')
    assert keyword("cancel") is not None and keyword("cancel").action == "stop"  # type: ignore[union-attr]


def test_twilio_opt_out_words_are_all_known_and_welsh_ones_are_unambiguous() -> None:
    assert TWILIO_OPT_OUT <= STOP_EN
    # "gorffen" (finish) and "diwedd" (end) are ordinary words mid-conversation.
    assert {"stopio", "dad-danysgrifio", "daddanysgrifio"} == STOP_CY


@pytest.mark.parametrize(
    "answer",
    [
        "forget it",
        "nah forget it",
        "leave it",
        "no just leave it",
        "anghofia fe",
        "dim diolch, anghofia fo",
        "gad e",
    ],
)
def test_plain_ways_to_leave_a_form_work(answer: str) -> None:
    assert is_cancel(answer)


@pytest.mark.parametrize("answer", ["no", "na", "leave it at home", "forget it, my IV is great actually"])
def test_an_answer_is_not_taken_for_leaving(answer: str) -> None:
    assert not is_cancel(answer)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_way_out_of_a_form_the_texts_suggest_is_understood(language: str) -> None:
    privacy = render("referral_privacy", language)["text"]  # type: ignore[arg-type]
    [phrase] = re.findall(r"[\"“]([^\"”]+)[\"”]", privacy)
    assert is_cancel(phrase)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_repeated_answer_with_its_notice_still_fits_in_two_sms(language: str) -> None:
    from bot.nlg import REPEATABLE_ANSWERS, SAID_BEFORE_KEY

    notice = render(SAID_BEFORE_KEY, language)["text"]  # type: ignore[arg-type]
    for key in REPEATABLE_ANSWERS:
        assert segment_count(notice + " " + render(key, language, RUNTIME_VALUES)["text"]) <= 2, key  # type: ignore[arg-type]
