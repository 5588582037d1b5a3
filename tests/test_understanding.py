"""Issue 12: when the assistant isn't sure it asks, in the young person's
language, and reads a short answer in the context of its question; the
misreadings testers found are read right."""

from __future__ import annotations

import re

import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from bot.locales import render_text
from bot.nlu.clarification import CHOICES, read_choice
from tests.conftest import Chat

OPENER = {"cy": "Cymraeg plis", "en": "English please"}


def events(chat: Chat) -> list:
    tracker = chat.loop.run_until_complete(chat.agent.tracker_store.retrieve(chat.sender))
    return list(tracker.events)


def offered(chat: Chat) -> list[str]:
    bot = [e for e in events(chat) if isinstance(e, BotUttered) and (e.metadata or {}).get(CHOICES)]
    return list(bot[-1].metadata[CHOICES])


def last_intent(chat: Chat) -> str:
    users = [e for e in events(chat) if isinstance(e, UserUttered)]
    return str(users[-1].intent.get("name"))


@pytest.mark.parametrize("language", ["cy", "en"])
def test_unsure_asks_which_was_meant_and_a_number_picks_it(
    chat: Chat, unsure: dict[str, str], language: str
) -> None:
    chat.say(OPENER[language])
    [question] = chat.say(unsure[language])
    asked = render_text("ask_affirmation", language, {"option_1": "X", "option_2": "Y"})  # type: ignore[arg-type]
    assert question["text"].startswith(asked.split("1)")[0]), question["text"]
    # Two guesses and a person, as buttons whose payloads are the numbers said.
    assert [b["payload"] for b in question["buttons"]] == ["1", "2", "3"]
    first, second = offered(chat)
    chat.say("2")
    assert last_intent(chat) == second != first


@pytest.mark.parametrize("language", ["cy", "en"])
def test_neither_asks_to_say_it_another_way_with_a_person_offered(
    chat: Chat, unsure: dict[str, str], language: str
) -> None:
    chat.say(OPENER[language])
    chat.say(unsure[language])
    assert chat.texts("na" if language == "cy" else "no") == [render_text("ask_rephrase", language)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "picked"),
    [("1", "a"), ("yes", "a"), ("ia", "a"), ("the second one", "b"), ("yr ail", "b"), ("3", "talk_to_human"),
     ("siarad gyda pherson", "talk_to_human"), ("neither", "out_of_scope"), ("dim un", "out_of_scope")],
)  # fmt: skip
def test_a_short_answer_is_read_against_the_question_it_answers(answer: str, picked: str) -> None:
    assert read_choice(answer, ["a", "b"]) == picked


def test_a_longer_message_after_the_question_is_left_to_the_classifier() -> None:
    assert read_choice("yes but how long do visits last?", ["a", "b"]) is None


# What testers found misread, in both languages: the message and the intent it means.
MISREAD = [
    ("how long do IV visits usually last?", "ask_iv_activities"),
    ("pa mor hir mae ymweliadau'n para fel arfer?", "ask_iv_activities"),
    ("does my social worker find out everything I tell the IV?", "ask_confidentiality"),
    ("ydy fy ngweithiwr cymdeithasol yn cael gwybod popeth dwi'n ddeud wrth yr YA?", "ask_confidentiality"),
    ("do u store my texts? for how long", "ask_confidentiality"),
    ("ydych chi'n cadw fy negeseuon? am faint", "ask_confidentiality"),
    ("I want a woman who speaks Welsh", "state_preference"),  # a wish to record, not a language switch
    ("dwi isio dynes sy'n siarad Cymraeg", "state_preference"),
    ("dwi isio un plis. sut dwi'n cael un", "request_referral"),
]


@pytest.mark.parametrize(("text", "intent"), MISREAD)
def test_what_testers_found_misread_is_read_right(chat: Chat, text: str, intent: str) -> None:
    chat.say(OPENER["cy" if re.search(r"\b(dwi|ydy|ydych|pa)\b", text) else "en"])
    chat.say(text)
    assert last_intent(chat) == intent


@pytest.mark.parametrize("language", ["cy", "en"])
def test_an_answer_asked_for_again_says_it_is_repeating(chat: Chat, language: str) -> None:
    question = {"cy": "beth yw ymwelydd annibynnol?", "en": "what is an IV?"}[language]
    chat.say(OPENER[language])
    first = chat.texts(question)
    again = chat.texts(question)
    said_before = render_text("said_before", language)  # type: ignore[arg-type]
    assert not first[0].startswith(said_before)
    assert again[0] == f"{said_before} {render_text('what_is_iv', language)}"  # type: ignore[arg-type]
    assert again[1:] == first[1:], "the rest of the answer follows as it is"
