"""Telegram through the real assistant: the secret token, replies with
buttons, redeliveries, media, /start deep links and coordinators' chats."""

from __future__ import annotations

import json
import random

import pytest

from bot.locales import render_text
from tests.channels import telegram_updates as tg
from tests.channels.conftest import COORDINATOR_CHAT, TELEGRAM_SECRET, Assistant, wait_for


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def test_a_missing_or_wrong_secret_token_is_refused_and_reaches_no_conversation(assistant: Assistant) -> None:
    chat_id = new_chat()
    assert assistant.telegram_update(tg.message(chat_id, "hi"), secret=None).status_code == 403
    assert assistant.telegram_update(tg.message(chat_id, "hi"), secret="guess").status_code == 403
    assert assistant.user_texts(assistant.conversation_id("telegram", str(chat_id))) == []
    assert assistant.telegram.texts_to(chat_id) == []


def test_first_contact_is_bilingual_with_language_buttons(assistant: Assistant) -> None:
    chat_id = new_chat()
    assert assistant.telegram_update(tg.message(chat_id, "/start")).status_code == 200
    [sent] = wait_for(lambda: [m for m in assistant.telegram.sent if m["chat_id"] == chat_id])
    assert sent["text"] == render_text("welcome", "cy") + "\n\n" + render_text("welcome", "en")
    buttons = [row[0] for row in sent["reply_markup"]["inline_keyboard"]]
    assert [b["text"] for b in buttons] == ["Cymraeg", "English"]
    assert buttons[0]["callback_data"] == '/choose_language{"language":"cy"}'


def test_a_button_press_is_answered_and_acts_as_the_choice(assistant: Assistant) -> None:
    chat_id = new_chat()
    answered = assistant.telegram.calls.count("answerCallbackQuery")
    assistant.telegram_update(tg.callback(chat_id, '/choose_language{"language":"cy"}'))
    wait_for(lambda: render_text("language_set", "cy") in assistant.telegram.texts_to(chat_id))
    assert assistant.telegram.calls.count("answerCallbackQuery") == answered + 1


def test_a_deep_link_chooses_the_language(assistant: Assistant) -> None:
    chat_id = new_chat()
    assistant.telegram_update(tg.message(chat_id, "/start cy"))
    wait_for(lambda: render_text("language_set", "cy") in assistant.telegram.texts_to(chat_id))


@pytest.mark.faults
def test_a_redelivered_update_gets_no_second_reply(assistant: Assistant) -> None:
    chat_id = new_chat()
    update = tg.message(chat_id, "thanks")
    assistant.telegram_update(update)
    wait_for(lambda: assistant.telegram.texts_to(chat_id))
    assert assistant.telegram_update(update).status_code == 200
    assistant.telegram_update(tg.message(chat_id, "ok"))
    wait_for(lambda: len(assistant.telegram.texts_to(chat_id)) >= 2)
    wait_for(
        lambda: assistant.user_texts(assistant.conversation_id("telegram", str(chat_id))) == ["thanks", "ok"]
    )


def test_a_sticker_gets_a_kind_text_only_reply(assistant: Assistant) -> None:
    chat_id = new_chat()
    assistant.telegram_update(tg.sticker(chat_id))
    [text] = wait_for(lambda: assistant.telegram.texts_to(chat_id))
    assert text == render_text("media_not_supported", "cy") + "\n\n" + render_text(
        "media_not_supported", "en"
    )
    assert assistant.user_texts(assistant.conversation_id("telegram", str(chat_id))) == []


def test_updates_without_a_message_are_acknowledged_and_ignored(assistant: Assistant) -> None:
    chat_id = new_chat()
    assert assistant.telegram_update(tg.member_update(chat_id)).status_code == 200
    assistant.telegram_update(tg.message(chat_id, "thanks"))  # a marker: handled after the one before
    wait_for(lambda: assistant.telegram.texts_to(chat_id))
    assert len(assistant.telegram.texts_to(chat_id)) == 1


def test_a_group_chat_is_asked_to_talk_privately(assistant: Assistant) -> None:
    group = -new_chat()
    assistant.telegram_update(tg.message(group, "my foster dad is nice", kind="group"))
    assistant.telegram_update(tg.message(group, "/start", kind="group"))
    [text] = wait_for(lambda: assistant.telegram.texts_to(group))
    assert text.startswith(render_text("private_chat_only", "cy"))
    assert assistant.user_texts(assistant.conversation_id("telegram", str(group))) == []


def test_an_allowlisted_coordinator_chat_never_reaches_the_assistant(assistant: Assistant) -> None:
    before = len(assistant.telegram.texts_to(COORDINATOR_CHAT))
    assistant.telegram_update(tg.message(COORDINATOR_CHAT, "/coordinator"))
    wait_for(lambda: len(assistant.telegram.texts_to(COORDINATOR_CHAT)) > before)
    assert render_text("coordinator_welcome", "en") in assistant.telegram.texts_to(COORDINATOR_CHAT)[-1]
    assert assistant.user_texts(assistant.conversation_id("telegram", str(COORDINATOR_CHAT))) == []


def test_a_coordinator_command_from_any_other_chat_is_refused(assistant: Assistant) -> None:
    chat_id = new_chat()
    assistant.telegram_update(tg.message(chat_id, "/cases"))
    [text] = wait_for(lambda: assistant.telegram.texts_to(chat_id))
    assert text == render_text("coordinator_only", "cy") + "\n\n" + render_text("coordinator_only", "en")
    assert assistant.user_texts(assistant.conversation_id("telegram", str(chat_id))) == []


def test_a_failed_send_is_retried(assistant: Assistant) -> None:
    chat_id = new_chat()
    assistant.telegram.fail_next = 1
    assistant.telegram_update(tg.message(chat_id, "thanks"))
    assert wait_for(lambda: assistant.telegram.texts_to(chat_id))


def test_an_edited_message_is_read_as_a_new_message(assistant: Assistant) -> None:
    chat_id = new_chat()
    update = tg.message(chat_id, "thanks")
    edited = {
        "update_id": update["update_id"] + 5_000_000,
        "edited_message": {**update["message"], "text": "ok", "edit_date": 1700000100},
    }
    assistant.telegram_update(update)
    wait_for(lambda: assistant.telegram.texts_to(chat_id))
    assistant.telegram_update(edited)
    wait_for(lambda: len(assistant.user_texts(assistant.conversation_id("telegram", str(chat_id)))) == 2)


@pytest.mark.faults
@pytest.mark.parametrize(
    "body", [None, [], "a string", {"message": "hi"}, {"update_id": 5, "message": 3}, {}]
)
def test_json_that_is_not_an_update_is_acknowledged_not_redelivered_forever(
    assistant: Assistant, body: object
) -> None:
    """Each of these used to get a 500, and Telegram redelivers anything but a 2xx."""
    response = assistant.client.post(
        assistant.url + "/webhooks/telegram/webhook",
        content=json.dumps(body),
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == 200
