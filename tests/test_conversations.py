"""Conversations with the trained assistant, in Welsh and in English."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.locales import render_text
from tests.conftest import Chat

OPENER = {"en": "what is an independent visitor?", "cy": "beth ydi ymwelydd annibynnol?"}

# intent: (English message, Welsh message, the responses the assistant gives)
CONVERSATIONS: dict[str, tuple[str, str, list[str]]] = {
    "greet": ("hiya", "shwmae", ["greet"]),
    "goodbye": ("bye for now", "hwyl fawr", ["goodbye"]),
    "thank": ("thanks a lot", "diolch yn fawr", ["thank"]),
    "affirm": ("yes", "ie", ["anything_else"]),
    "deny": ("nope", "na", ["anything_else"]),
    "bot_challenge": ("am i talking to a robot?", "wyt ti'n berson go iawn?", ["bot_challenge"]),
    "ask_help": ("what can you help me with", "be fedri di neud?", ["help"]),
    "ask_what_is_iv": ("what's an IV?", "be di IV", ["what_is_iv", "what_is_iv_more"]),
    "ask_iv_activities": (
        "what would we do when my visitor comes",
        "be fydden ni'n neud efo'r ymwelydd",
        ["iv_activities", "iv_activities_more"],
    ),
    "ask_eligibility": (
        "who can have an iv?",
        "ydw i'n gallu cael ymwelydd annibynnol?",
        ["eligibility", "eligibility_more"],
    ),
    "ask_rights": ("do i have to have an IV", "oes rhaid i fi gael IV", ["rights", "rights_more"]),
    "ask_confidentiality": (
        "will my IV tell my social worker what i say",
        "fydd fy ymwelydd yn deud wrth fy ngweithiwr cymdeithasol be dwi'n ddeud",
        ["confidentiality", "confidentiality_more"],
    ),
    "ask_iv_vs_advocate": (
        "is an IV the same as an advocate",
        "ydi IV yr un peth ag eiriolwr",
        ["iv_vs_advocate"],
    ),
    "ask_boundaries": (
        "can i go round my IVs house",
        "ga i fynd i dŷ fy ymwelydd",
        ["boundaries", "boundaries_more"],
    ),
    "ask_referral_process": (
        "what happens after i get referred",
        "be sy'n digwydd ar ôl i fi gael fy nghyfeirio",
        ["referral_process", "referral_process_more"],
    ),
    "request_referral": (
        "i want an IV please",
        "dwi isio IV plis",
        ["referral_privacy", "ask_referral_consent"],
    ),
    "ask_referral_status": (
        "any news on my referral?",
        "oes 'na newyddion am fy nghais?",
        ["referral_status_none"],
    ),
    "care_leaver_continue": (
        "im 18 and leaving care can i keep my IV",
        "dwi'n 19 ac wedi gadael gofal, ga i gadw fy ymwelydd?",
        ["care_leaver", "care_leaver_more"],
    ),
    "give_feedback": (
        "i want to give some feedback about my visits",
        "dwi isio rhoi adborth am fy ymwelydd",
        ["ask_feedback_about"],
    ),
    "make_complaint": (
        "i want to make a complaint",
        "dwi isio gwneud cwyn",
        ["complaint", "ask_complaint_about"],
    ),
    "change_or_end_iv": (
        "i dont want my IV anymore can i stop",
        "dwi isio ymwelydd gwahanol",
        ["change_or_end_iv"],
    ),
    "talk_to_human": (
        "can i talk to a real person",
        "ga i siarad efo person go iawn",
        ["talk_to_human_holding"],
    ),
    "delete_my_data": (
        "please delete all my data",
        "dileu fy ngwybodaeth i plis",
        ["delete_data_explain", "ask_delete_confirm"],
    ),
    "out_of_scope": (
        "whats the weather like tomorrow",
        "pwy enillodd y gêm rygbi neithiwr",
        ["out_of_scope"],
    ),
    "safeguarding_concern": (
        "my foster dad hits me",
        "mae fy nhad maeth yn fy nharo i",
        ["safeguarding_holding", "safeguarding_helplines"],
    ),
}


def expected(keys: list[str], language: str) -> list[str]:
    """The messages a young person sees. Rasa sends each paragraph of a
    text as its own message (CollectingOutputChannel splits on blank lines)."""
    return [part for key in keys for part in render_text(key, language).split("\n\n")]  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("intent", sorted(CONVERSATIONS))
def test_each_intent_is_answered_in_the_young_persons_language(
    chat: Chat, intent: str, language: str
) -> None:
    english, welsh, keys = CONVERSATIONS[intent]
    chat.say(OPENER[language])
    assert chat.language() == language

    replies = chat.texts(english if language == "en" else welsh)

    wanted = expected(keys, language)
    if intent == "ask_what_is_iv":
        # The opener asked it already: the answer says it is repeating.
        wanted[0] = f"{render_text('said_before', language)} {wanted[0]}"  # type: ignore[arg-type]
    assert replies == wanted


def test_first_contact_greeting_is_bilingual_welsh_first_with_a_choice(chat: Chat) -> None:
    [reply] = chat.say("hi")
    welsh, english = render_text("welcome", "cy"), render_text("welcome", "en")
    assert reply["text"] == f"{welsh}\n\n{english}"
    assert [b["title"] for b in reply["buttons"]] == ["Cymraeg", "English"]


def test_a_disclosure_is_answered_with_crisis_contacts_in_the_same_turn(chat: Chat) -> None:
    chat.say(OPENER["cy"])
    replies = chat.texts("ga i IV plis? hefyd mae fy nhad maeth yn fy nharo i")
    assert replies == expected(["safeguarding_holding", "safeguarding_helplines"], "cy")
    assert chat.slot("language") is None and chat.language() == "cy"


def test_choosing_welsh_by_button_sets_the_language(chat: Chat) -> None:
    chat.say("hi")
    replies = chat.texts('/choose_language{"language":"cy"}')
    assert replies == [render_text("language_set", "cy")]
    assert chat.slot("language") == "cy"
    assert chat.texts("ok") == [render_text("anything_else", "cy")]


def test_a_welsh_first_question_is_answered_in_welsh_with_an_offer_of_english(chat: Chat) -> None:
    answer, offer, more = chat.texts("be di IV?")
    assert (answer, offer) == (render_text("what_is_iv", "cy"), render_text("offer_language", "en"))
    assert more == render_text("what_is_iv_more", "cy")


def test_switching_language_mid_conversation_when_asked(chat: Chat) -> None:
    chat.say(OPENER["cy"])
    assert chat.texts("english pls") == [render_text("language_set", "en")]
    assert chat.texts("ok") == [render_text("anything_else", "en")]
    assert chat.texts("Cymraeg plis") == [render_text("language_set", "cy")]
    # An explicit choice sticks: an English sentence now doesn't switch back.
    assert chat.texts("do i have to have an IV") == expected(["rights", "rights_more"], "cy")
    assert chat.language() == "cy"


def test_the_bot_says_it_is_a_bot(chat: Chat) -> None:
    chat.say(OPENER["en"])
    assert chat.texts("are you a real person or a bot") == [render_text("bot_challenge", "en")]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_gibberish_is_asked_again_then_gets_the_fallback_in_the_conversations_language(
    chat: Chat, language: str
) -> None:
    chat.say(OPENER[language])
    # No guess worth offering: "say it another way" (with a person offered), then the fallback.
    assert chat.texts("qwzx vbnm plkj") == [render_text("ask_rephrase", language)]
    assert chat.texts("qwzx vbnm plkj") == [render_text("fallback", language)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=200))
def test_no_message_is_left_without_a_reply(chat: Chat, text: str) -> None:
    replies = chat.texts(text)
    assert replies and all(reply.strip() for reply in replies)
