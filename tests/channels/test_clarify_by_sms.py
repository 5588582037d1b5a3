"""Issue 12 through a real channel: "Did you mean 1) ... or 2) ...? Or 3) a
person" by SMS in both languages, numbered once (no choices repeated), and a
number in reply answers the question picked."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.locales import catalogue, render_text
from tests.channels.conftest import Assistant, wait_for

OPENER = {"cy": "Cymraeg plis", "en": "English please"}
# The first text each intent that can be offered is answered with.
FIRST_REPLY = {
    "ask_help": "help", "ask_what_is_iv": "what_is_iv", "ask_iv_activities": "iv_activities",
    "ask_eligibility": "eligibility", "ask_rights": "rights", "ask_confidentiality": "confidentiality",
    "ask_iv_vs_advocate": "iv_vs_advocate", "ask_boundaries": "boundaries", "ask_referral_process": "referral_process",
    "request_referral": "referral_privacy", "ask_referral_status": "referral_status_none",
    "care_leaver_continue": "care_leaver", "give_feedback": "ask_feedback_about", "make_complaint": "complaint",
    "change_or_end_iv": "change_or_end_iv", "talk_to_human": "talk_to_human_holding",
    "delete_my_data": "delete_data_explain",
}  # fmt: skip


def bodies_after(assistant: Assistant, number: str, before: int) -> list[str]:
    return wait_for(lambda: assistant.twilio.bodies_to(number)[before:] or None)


def intent_labelled(label: str, language: str) -> str:
    [intent] = [
        key.removeprefix("intent_")
        for key, entry in catalogue(language).items()  # type: ignore[arg-type]
        if key.startswith("intent_") and entry.text == label
    ]
    return intent


@pytest.mark.parametrize("language", ["cy", "en"])
def test_unsure_by_sms_asks_with_numbers_and_a_number_answers(
    assistant: Assistant, unsure: dict[str, str], language: str
) -> None:
    number = f"+4477008{uuid.uuid4().int % 10**5:05d}"
    assistant.sms(number, OPENER[language])
    wait_for(lambda: assistant.twilio.bodies_to(number))
    before = len(assistant.twilio.bodies_to(number))
    assistant.sms(number, unsure[language])
    [question] = bodies_after(assistant, number, before)
    start = render_text("ask_affirmation", language, {"option_1": "", "option_2": ""}).split("1)")[0]  # type: ignore[arg-type]
    assert question.startswith(start), question
    assert "3)" in question and "\n\n" not in question, "numbered once, the choices not listed again"
    first = re.search(r"1\) (.+?), (?:or|neu) 2\)", question).group(1)  # type: ignore[union-attr]
    expected = render_text(FIRST_REPLY[intent_labelled(first, language)], language)  # type: ignore[arg-type]

    before = len(assistant.twilio.bodies_to(number))
    assistant.sms(number, "1")
    answer = " ".join(" ".join(bodies_after(assistant, number, before)).split())
    assert " ".join(expected.split())[:40] in answer
