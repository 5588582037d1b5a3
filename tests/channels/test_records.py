"""Issue 5 over the real channels: a referral by SMS, a coordinator's status
change and check-in from the command-line tool, a complaint by Telegram that
a coordinator answers, and "delete my data" removing the stored conversation."""

from __future__ import annotations

import random
import re
import subprocess
import sys

from bot.locales import catalogue, render_text
from tests.channels import telegram_updates as tg
from tests.channels.conftest import API_TOKEN, COORDINATOR_CHAT, ROOT, Assistant, wait_for


def new_number() -> str:
    return f"+4477009{random.randint(10000, 99999)}"


def sms_turn(assistant: Assistant, number: str, text: str, expect_key: str) -> str:
    """Sends one SMS and waits for the reply that ends the turn."""
    before = len(assistant.twilio.bodies_to(number))
    assert assistant.sms(number, text).status_code == 200
    expected = catalogue("en")[expect_key].text.split("{")[0][:40]
    return str(
        wait_for(
            lambda: (
                "\n".join(assistant.twilio.bodies_to(number)[before:])
                if expected in "\n".join(assistant.twilio.bodies_to(number)[before:])
                else None
            )
        )
    )


def telegram_turn(
    assistant: Assistant, chat_id: int, text: str, expect_key: str, language: str = "en"
) -> str:
    before = len(assistant.telegram.texts_to(chat_id))
    assert assistant.telegram_update(tg.message(chat_id, text)).status_code == 200
    expected = catalogue(language)[expect_key].text.split("{")[0][:40]  # type: ignore[arg-type]
    return str(
        wait_for(
            lambda: (
                "\n".join(assistant.telegram.texts_to(chat_id)[before:])
                if expected in "\n".join(assistant.telegram.texts_to(chat_id)[before:])
                else None
            )
        )
    )


def coordinator_tool(assistant: Assistant, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**assistant.env, "IV_RASA_URL": assistant.url, "IV_RASA_API_TOKEN": API_TOKEN}
    return subprocess.run(
        [sys.executable, "-m", "bot.coordinator", "--actor", "Ceri", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_referral_by_sms_then_status_and_a_check_in_from_the_coordinator_tool(assistant: Assistant) -> None:
    number = new_number()
    for text, key in [
        ("I want an IV", "ask_referral_consent"), ("yes", "ask_referral_name"), ("Sam", "ask_referral_age"),
        ("15", "ask_referral_care_status"), ("1", "ask_referral_local_authority"),
        ("Newport", "ask_referral_contact_method"), ("1", "ask_referral_contact_time"),
        ("evenings", "ask_referral_interests"), ("music", "ask_referral_social_worker"),
        ("skip", "ask_referral_confirm"),
    ]:  # fmt: skip
        sms_turn(assistant, number, text, key)
    done = sms_turn(assistant, number, "yes", "referral_submitted")
    reference = re.search(r"R-[0-9A-Z]{6}", done).group(0)  # type: ignore[union-attr]
    conversation = assistant.conversation_id("sms", number)
    [(status, channel)] = assistant.rows(
        "select status, channel from referrals where reference=:r", r=reference
    )
    assert (status, channel) == ("received", "sms")
    # Coordinators are told of it on their phones, by reference only.
    assert wait_for(lambda: [t for t in assistant.telegram.texts_to(COORDINATOR_CHAT) if reference in t])

    shown = coordinator_tool(assistant, "referrals", "show", reference)
    assert shown.returncode == 0 and "Sam" in shown.stdout and "Newport" in shown.stdout
    assert coordinator_tool(assistant, "referrals", "set-status", reference, "matched").returncode == 0
    status_reply = sms_turn(assistant, number, "any news?", "referral_status")
    assert render_text("status_matched", "en") in status_reply

    sent = coordinator_tool(assistant, "check-ins", "send", reference)
    assert sent.returncode == 0, sent.stderr
    wait_for(
        lambda: any(render_text("ask_feedback_rating", "en") in b for b in assistant.twilio.bodies_to(number))
    )
    sms_turn(assistant, number, "4", "ask_feedback_comment")
    sms_turn(assistant, number, "we went to the cinema", "ask_feedback_anonymous")
    sms_turn(assistant, number, "no", "feedback_thanks")
    [(rating, about)] = assistant.rows(
        "select f.rating, f.about from feedback f join check_ins c on c.id = f.check_in_id "
        "where c.conversation_id=:c and c.answered_at is not null",
        c=conversation,
    )
    assert (rating, about) == (4, "match")
    audit = coordinator_tool(assistant, "audit", f"referral:{reference}")
    assert "Ceri" in audit.stdout and "received -> matched" in audit.stdout and "viewed" in audit.stdout


def test_a_complaint_by_telegram_is_routed_and_a_coordinator_replies(assistant: Assistant) -> None:
    chat_id = random.randint(10**8, 10**9)
    telegram_turn(assistant, chat_id, "what is an IV?", "what_is_iv_more")
    telegram_turn(assistant, chat_id, "I want to make a complaint", "ask_complaint_about")
    telegram_turn(assistant, chat_id, "2", "ask_complaint_details")
    done = telegram_turn(
        assistant, chat_id, "nobody has called me back for three weeks", "complaint_received"
    )
    reference = re.search(r"C-[0-9A-Z]{6}", done).group(0)  # type: ignore[union-attr]
    [(case_id, kind, priority)] = assistant.rows(
        "select c.id, c.kind, c.priority from complaints k join cases c on c.id = k.case_id where k.reference=:r",
        r=reference,
    )
    assert (kind, priority) == ("complaint", 2)
    assert wait_for(
        lambda: [t for t in assistant.telegram.texts_to(COORDINATOR_CHAT) if f"/ack {case_id}," in t]
    )

    assistant.telegram_update(tg.message(COORDINATOR_CHAT, f"/reply {case_id} Sorry, I'll call you today."))
    assert wait_for(lambda: "Sorry, I'll call you today." in assistant.telegram.texts_to(chat_id))
    # A complaint doesn't take the chat away from the bot.
    telegram_turn(assistant, chat_id, "can I choose my IV?", "rights")


def test_delete_my_data_removes_the_stored_conversation_and_address(assistant: Assistant) -> None:
    chat_id = random.randint(10**8, 10**9)
    conversation = assistant.conversation_id("telegram", str(chat_id))
    telegram_turn(assistant, chat_id, "what is an IV?", "what_is_iv_more")
    # The reply goes out inside the turn; the conversation is saved at its end.
    wait_for(
        lambda: assistant.rows("select count(*) from events where sender_id=:c", c=conversation)[0][0] > 0
    )
    telegram_turn(assistant, chat_id, "delete my data", "ask_delete_confirm")
    telegram_turn(assistant, chat_id, "yes", "delete_data_done")
    assert wait_for(
        lambda: assistant.rows("select count(*) from events where sender_id=:c", c=conversation)[0][0] == 0
    )
    assert (
        assistant.rows("select count(*) from channel_contacts where conversation_id=:c", c=conversation)[0][0]
        == 0
    )
    assert assistant.rows("select done_at from erasure_requests where conversation_id=:c", c=conversation)[0][
        0
    ]
