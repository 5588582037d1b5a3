"""A disclosure reaches a person: the case is stored, coordinators are
alerted through the outbox worker, messages are relayed both ways, the case
is closed and the bot takes over again; escalation, redelivery, outages and
worker restarts lose nothing and alert once."""

from __future__ import annotations

import random

import pytest

from bot.handoff.hours import office_open
from bot.locales import render_text
from tests.channels import telegram_updates as tg
from tests.channels.conftest import COORDINATOR_CHAT, ESCALATION_NUMBER, ONCALL_NUMBER, Assistant, wait_for


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def handoff_text(language: str) -> str:
    # The server has an on-call number, so out of hours it promises that.
    return render_text("handoff_in_hours" if office_open() else "handoff_on_call", language)  # type: ignore[arg-type]


def case_of(assistant: Assistant, chat_id: int) -> tuple[str, str]:
    cid = assistant.conversation_id("telegram", str(chat_id))
    rows = wait_for(lambda: assistant.rows("select id, status from cases where conversation_id=:c", c=cid))
    return rows[0][0], rows[0][1]


def alerts_for(assistant: Assistant, case_id: str) -> list[str]:
    return [t for t in assistant.telegram.texts_to(COORDINATOR_CHAT) if f"/ack {case_id}," in t]


def disclose(assistant: Assistant, chat_id: int, text: str) -> str:
    assistant.telegram_update(tg.message(chat_id, text))
    case_id, _ = case_of(assistant, chat_id)
    return case_id


def test_a_disclosure_is_answered_stored_and_alerted_in_the_young_persons_language(
    assistant: Assistant,
) -> None:
    chat_id = new_chat()
    case_id = disclose(assistant, chat_id, "mae fy nhad maeth yn fy nharo i")

    welsh = [render_text("safeguarding_holding", "cy"), render_text("safeguarding_helplines", "cy")]
    texts = wait_for(
        lambda: len(assistant.telegram.texts_to(chat_id)) >= 3 and assistant.telegram.texts_to(chat_id)
    )
    assert texts[0].startswith(welsh[0]) and texts[1] == welsh[1]
    assert texts[2] == handoff_text("cy")

    [(kind, categories, language)] = assistant.rows(
        "select kind, categories, language from cases where id=:i", i=case_id
    )
    assert (kind, categories, language) == ("safeguarding", "physical_abuse", "cy")
    [alert] = wait_for(lambda: alerts_for(assistant, case_id))
    # Codes in each language's words: the Welsh half first.
    assert "cam-drin corfforol" in alert and "Cymraeg" in alert and "physical abuse" in alert
    assert wait_for(
        lambda: [b for m in assistant.twilio.sent if m["to"] == ONCALL_NUMBER and case_id in (b := m["body"])]
    )


def test_once_a_person_joins_the_bot_says_so_steps_aside_and_relays_until_close(assistant: Assistant) -> None:
    chat_id = new_chat()
    case_id = disclose(assistant, chat_id, "i dont feel safe at home")
    wait_for(lambda: alerts_for(assistant, case_id))

    assistant.telegram_update(tg.message(COORDINATOR_CHAT, f"/ack {case_id}"))
    joined = render_text("handoff_person_joined", "en")
    wait_for(lambda: joined in assistant.telegram.texts_to(chat_id))
    replies_before = len(assistant.telegram.texts_to(chat_id))

    assistant.telegram_update(tg.message(chat_id, "are you there?"))
    wait_for(lambda: f"[{case_id}] are you there?" in assistant.telegram.texts_to(COORDINATOR_CHAT))
    assert len(assistant.telegram.texts_to(chat_id)) == replies_before  # the bot stayed quiet

    assistant.telegram_update(tg.message(COORDINATOR_CHAT, f"/reply {case_id} Hi, I'm Sam from the team."))
    wait_for(lambda: "Hi, I'm Sam from the team." in assistant.telegram.texts_to(chat_id))
    assert assistant.telegram.texts_to(chat_id).count(joined) == 1  # said once, when the person joined
    events = assistant.tracker(assistant.conversation_id("telegram", str(chat_id)))["events"]
    assert any(e["event"] == "bot" and e.get("text") == "Hi, I'm Sam from the team." for e in events)
    assert any(e["event"] == "user" and e.get("text") == "are you there?" for e in events)

    assistant.telegram_update(tg.message(COORDINATOR_CHAT, f"/close {case_id}"))
    wait_for(lambda: render_text("handoff_closed", "en") in assistant.telegram.texts_to(chat_id))
    assistant.telegram_update(tg.message(chat_id, "thank you"))
    wait_for(lambda: render_text("thank", "en") in assistant.telegram.texts_to(chat_id))
    actions = [
        a
        for _, a in assistant.rows(
            "select actor, action from audit_log where case_id=:i order by id", i=case_id
        )
    ]
    assert actions == ["opened", "acknowledged", "replied", "closed"]


@pytest.mark.faults
def test_a_redelivered_disclosure_raises_one_alert(assistant: Assistant) -> None:
    chat_id = new_chat()
    update = tg.message(chat_id, "he says he'll post my nudes if i dont pay")
    assistant.telegram_update(update)
    assistant.telegram_update(update)
    case_id, _ = case_of(assistant, chat_id)
    wait_for(lambda: alerts_for(assistant, case_id))
    assert (
        len(
            assistant.rows(
                "select id from cases where conversation_id=:c",
                c=assistant.conversation_id("telegram", str(chat_id)),
            )
        )
        == 1
    )
    assert len(assistant.rows("select id from outbox where dedupe_key like :k", k=f"alert:{case_id}:%")) == 2
    assert len(alerts_for(assistant, case_id)) == 1


def test_nobody_acknowledging_escalates_and_an_acknowledged_case_does_not(assistant: Assistant) -> None:
    ignored, handled = new_chat(), new_chat()
    ignored_case = disclose(assistant, ignored, "i want to kill myself")
    handled_case = disclose(assistant, handled, "i want to kill myself")
    assistant.telegram_update(tg.message(COORDINATOR_CHAT, f"/ack {handled_case}"))
    wait_for(
        lambda: assistant.rows("select 1 from cases where id=:i and status='acknowledged'", i=handled_case)
    )
    wait_for(
        lambda: [
            m for m in assistant.twilio.sent if m["to"] == ESCALATION_NUMBER and ignored_case in m["body"]
        ],
        timeout=30,
    )
    assert not [
        m for m in assistant.twilio.sent if m["to"] == ESCALATION_NUMBER and handled_case in m["body"]
    ]


@pytest.mark.faults
def test_an_alert_reaches_the_coordinator_once_after_telegram_recovers(assistant: Assistant) -> None:
    chat_id = new_chat()
    assistant.telegram.fail_next = 6  # the young person's replies and the first alert attempts fail
    case_id = disclose(assistant, chat_id, "my carer locked me in my room")
    wait_for(lambda: alerts_for(assistant, case_id), timeout=40)
    key = f"alert:{case_id}:0:telegram:%"
    wait_for(lambda: assistant.rows("select 1 from outbox where dedupe_key like :k and status='sent'", k=key))
    assert len(alerts_for(assistant, case_id)) == 1


@pytest.mark.faults
def test_a_disclosure_made_while_the_worker_is_down_is_alerted_once_it_is_back(assistant: Assistant) -> None:
    chat_id = new_chat()
    assistant.worker.stop()
    try:
        case_id = disclose(assistant, chat_id, "im going to run away tonight")
        assert assistant.rows(
            "select status from outbox where dedupe_key like :k", k=f"alert:{case_id}:0:telegram:%"
        ) == [("pending",)]
        assert alerts_for(assistant, case_id) == []
    finally:
        assistant.worker.start()
    wait_for(lambda: alerts_for(assistant, case_id))
    assistant.worker.stop()
    assistant.worker.start()  # a restarted worker sends nothing twice
    seen = len(assistant.telegram.texts_to(COORDINATOR_CHAT))
    assistant.telegram_update(tg.message(COORDINATOR_CHAT, "/cases"))
    listing = wait_for(lambda: assistant.telegram.texts_to(COORDINATOR_CHAT)[seen:])
    assert any(case_id in text for text in listing)
    assert len(alerts_for(assistant, case_id)) == 1


def test_a_chat_that_is_not_allowlisted_cannot_act_on_a_case(assistant: Assistant) -> None:
    chat_id, intruder = new_chat(), new_chat()
    case_id = disclose(assistant, chat_id, "someone touched me where they shouldnt")
    assistant.telegram_update(tg.message(intruder, f"/close {case_id}"))
    wait_for(lambda: assistant.telegram.texts_to(intruder))
    assert assistant.rows("select status from cases where id=:i", i=case_id)[0][0] != "closed"
    assert not [
        a for a in assistant.rows("select actor from audit_log where case_id=:i", i=case_id) if "closed" in a
    ]


def test_asking_for_a_person_opens_a_lower_priority_case(assistant: Assistant) -> None:
    chat_id = new_chat()
    assistant.telegram_update(tg.message(chat_id, "can i talk to a real person please"))
    case_id, _ = case_of(assistant, chat_id)
    [(kind, priority)] = assistant.rows("select kind, priority from cases where id=:i", i=case_id)
    assert (kind, priority) == ("human", 3)
    wait_for(lambda: alerts_for(assistant, case_id))
    assert not [m for m in assistant.twilio.sent if m["to"] == ONCALL_NUMBER and case_id in m["body"]]


def test_a_new_disclosure_after_a_person_joined_brings_the_crisis_contacts_again(
    assistant: Assistant,
) -> None:
    chat_id = new_chat()
    case_id = disclose(assistant, chat_id, "my carer hits me")
    helplines = render_text("safeguarding_helplines", "en")
    wait_for(lambda: assistant.telegram.texts_to(chat_id).count(helplines) == 1)
    assistant.telegram_update(tg.message(COORDINATOR_CHAT, f"/ack {case_id}"))
    wait_for(lambda: render_text("handoff_person_joined", "en") in assistant.telegram.texts_to(chat_id))
    assistant.telegram_update(tg.message(chat_id, "i want to kill myself now"))
    wait_for(
        lambda: f"[{case_id}] i want to kill myself now" in assistant.telegram.texts_to(COORDINATOR_CHAT)
    )
    wait_for(lambda: assistant.telegram.texts_to(chat_id).count(helplines) == 2)
