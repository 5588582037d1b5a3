"""Safeguarding by severity, through the real channels: an urgent disclosure
pages a person and the bot keeps the young person company until one joins;
a possible risk gets a kind check-in and waits in the queue; idioms, past
harm that is over and questions about our policy page nobody."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.api_auth import api_headers
from bot.handoff.hours import office_open
from bot.locales import render_text
from tests.channels import telegram_updates as tg
from tests.channels.conftest import API_TOKEN, COORDINATOR_CHAT, ONCALL_NUMBER, Assistant, wait_for

SETTLE_SECONDS = 0.8  # a turn's messages arrive together; the next turn's come after


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def new_number() -> str:
    return f"+4477009{random.randint(10**5, 10**6 - 1)}"


def text(key: str, language: str) -> str:
    return render_text(key, language)  # type: ignore[arg-type]


def squashed(parts: list[str]) -> str:
    return re.sub(r"\s+", "", "".join(parts))


def level_of(assistant: Assistant, message: str) -> str:
    parsed = assistant.client.post(
        f"{assistant.url}/model/parse", headers=api_headers(API_TOKEN), json={"text": message}
    ).json()
    return str(parsed["safeguarding"]["level"])


def case_rows(assistant: Assistant, conversation_id: str) -> list[Any]:
    return assistant.rows(
        "select id, kind, level, priority, status from cases where conversation_id=:c", c=conversation_id
    )


def paged(assistant: Assistant, case_id: str) -> bool:
    return any(case_id in m["body"] for m in assistant.twilio.sent if m["to"] == ONCALL_NUMBER)


class TelegramYoungPerson:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.chat_id = new_chat()
        self.conversation_id = assistant.conversation_id("telegram", str(self.chat_id))

    def texts(self) -> list[str]:
        return self.assistant.telegram.texts_to(self.chat_id)

    def send(self, message: str) -> None:
        self.assistant.telegram_update(tg.message(self.chat_id, message))

    def say(self, message: str, until: Any = None) -> list[str]:
        """Sends a message and returns the bot's new messages once ``until``
        holds (by default: at least one) and no more arrive for a moment."""
        seen = len(self.texts())
        self.send(message)
        condition = until or (lambda new: len(new) >= 1)
        wait_for(lambda: condition(self.texts()[seen:]))
        while True:
            count = len(self.texts())
            time.sleep(SETTLE_SECONDS)
            if len(self.texts()) == count:
                return self.texts()[seen:]


class SmsYoungPerson(TelegramYoungPerson):
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.number = new_number()
        self.conversation_id = assistant.conversation_id("sms", self.number)

    def texts(self) -> list[str]:
        return self.assistant.twilio.bodies_to(self.number)

    def send(self, message: str) -> None:
        self.assistant.sms(self.number, message)


URGENT_THEN_COMPANY = {
    "en": {
        "disclosure": "my stepdad hits me when mum is at work",
        "question": "will you tell my social worker?",
        "retraction": "jk forget it",
        "silence": "hello? is anyone there? 😢",
    },
    "cy": {
        "disclosure": "mae fy llystad yn fy nharo i pan mae mam yn gwaith",
        "question": "be di IV?",
        "retraction": "jocian o'n i, anghofia fo",
        "silence": "helo? oes rhywun yna? 😢",
    },
}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_an_urgent_disclosure_pages_and_then_every_message_is_answered_until_a_person_joins(
    assistant: Assistant, language: str
) -> None:
    script = URGENT_THEN_COMPANY[language]
    young = TelegramYoungPerson(assistant)
    first = young.say(script["disclosure"], until=lambda new: len(new) >= 3)
    assert first[0].startswith(text("safeguarding_holding", language))
    [(case_id, kind, level, priority, status)] = wait_for(lambda: case_rows(assistant, young.conversation_id))
    assert (kind, level, priority, status) == ("safeguarding", "urgent", 1, "open")
    wait_for(lambda: paged(assistant, case_id))

    # A question meanwhile gets its answer: nobody has joined yet.
    assert young.say(script["question"])
    # Taking it back: a kind reply, the case stays open, coordinators see it.
    assert young.say(script["retraction"]) == [text("safeguarding_retraction", language)]
    wait_for(lambda: f"[{case_id}] (took it back)" in assistant.telegram.texts_to(COORDINATOR_CHAT))
    # A long silence from coordinators: the young person is not left alone.
    assistant.execute("update cases set waiting_notice_at = null where id=:i", i=case_id)
    later = young.say(script["silence"])
    # The server has an on-call number, so out of office hours it promises that.
    waiting = "safeguarding_waiting_in_hours" if office_open() else "safeguarding_waiting_on_call"
    assert text(waiting, language) in later
    assert case_rows(assistant, young.conversation_id)[0][4] == "open"
    user_texts = assistant.user_texts(young.conversation_id)
    assert all(script[k] in user_texts for k in script)


def test_not_in_danger_gets_an_apology_the_answer_and_a_note_for_coordinators(assistant: Assistant) -> None:
    young = TelegramYoungPerson(assistant)
    young.say("my carer slapped me last night", until=lambda new: len(new) >= 3)
    [(case_id, *_)] = wait_for(lambda: case_rows(assistant, young.conversation_id))
    replies = young.say(
        "wait what?? im not in danger, i only asked what an IV does", until=lambda new: len(new) >= 2
    )
    assert replies[0] == text("safeguarding_not_in_danger", "en")
    wait_for(lambda: f"[{case_id}] (says not in danger)" in assistant.telegram.texts_to(COORDINATOR_CHAT))
    assert case_rows(assistant, young.conversation_id)[0][4] == "open"


CONCERNS = {
    "en": ("honestly i dont see the point of anything anymore", "no not really", "yeah im ok now thanks"),
    "cy": ("dwi ddim yn gweld pwynt i ddim byd dim mwy", "na dim really", "ydw dwi'n iawn diolch"),
}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_possible_risk_gets_a_check_in_and_not_safe_makes_it_urgent(
    assistant: Assistant, language: str
) -> None:
    concern, not_safe, _ = CONCERNS[language]
    assert level_of(assistant, concern) == "concern"
    young = SmsYoungPerson(assistant)
    replies = young.say(concern, until=lambda new: len(new) >= 2)
    # SMS splits a long text at sentence boundaries: compare the parts joined.
    assert squashed(replies).startswith(squashed([text("safeguarding_check_in", language)]))
    [(case_id, kind, level, priority, _)] = wait_for(lambda: case_rows(assistant, young.conversation_id))
    assert (kind, level, priority) == ("safeguarding", "concern", 2)
    wait_for(lambda: [t for t in assistant.telegram.texts_to(COORDINATOR_CHAT) if f"/ack {case_id}," in t])
    assert not paged(assistant, case_id)  # a queued case, not a page

    answer = young.say(not_safe, until=lambda new: len(new) >= 3)
    said = squashed(answer)
    assert said.startswith(squashed([text("safeguarding_holding", language)]))
    assert squashed([text("safeguarding_helplines", language)]) in said
    wait_for(lambda: case_rows(assistant, young.conversation_id)[0][2:4] == ("urgent", 1))
    wait_for(lambda: paged(assistant, case_id))


@pytest.mark.parametrize("language", ["en", "cy"])
def test_safe_after_a_check_in_stays_a_queued_case_and_the_bot_keeps_talking(
    assistant: Assistant, language: str
) -> None:
    concern, _, safe = CONCERNS[language]
    young = TelegramYoungPerson(assistant)
    young.say(concern, until=lambda new: len(new) >= 2)
    assert young.say(safe) == [text("safe_after_check_in", language)]
    [(case_id, _, level, priority, status)] = case_rows(assistant, young.conversation_id)
    assert (level, priority, status) == ("concern", 2, "open")
    question = {"en": "what is an IV?", "cy": "beth yw ymwelydd annibynnol?"}[language]
    assert text("what_is_iv", language) in young.say(question)[0]
    assert not paged(assistant, case_id)


def test_asking_for_a_person_after_a_check_in_makes_it_urgent(assistant: Assistant) -> None:
    concern, *_ = CONCERNS["en"]
    young = TelegramYoungPerson(assistant)
    young.say(concern, until=lambda new: len(new) >= 2)
    young.say("can i talk to a real person please")
    [(case_id, _, level, priority, _)] = wait_for(
        lambda: [r for r in case_rows(assistant, young.conversation_id) if r[3] == 1]
    )
    assert level == "urgent"
    wait_for(lambda: paged(assistant, case_id))


HARMLESS = {
    "en": [
        "my foster mum will murder me for missing the bus 😂",
        "this homework is killing me",
        "what happens if i tell you something bad?",
        "I want an IV xx",
        "can my IV add me on snap?",
    ],
    "cy": [
        "bydd mam maeth yn fy lladd i os dwi'n hwyr eto lol",
        "beth sy'n digwydd os dwi'n deud rwbath drwg wrthoch chi?",
        "dwi isio IV plis xx",
    ],
}


@pytest.mark.parametrize(
    ("language", "message"),
    [(lang, m) for lang, ms in HARMLESS.items() for m in ms],
    ids=lambda v: str(v)[:30],
)
def test_idioms_kisses_and_policy_questions_open_no_case(
    assistant: Assistant, language: str, message: str
) -> None:
    young = TelegramYoungPerson(assistant)
    replies = young.say(message)
    assert not replies[0].startswith(text("safeguarding_holding", language))
    assert not replies[0].startswith(text("safeguarding_check_in", language))
    assert case_rows(assistant, young.conversation_id) == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "i used to self harm but ive been clean for two years now and im really proud"),
        ("cy", "o'n i'n arfer hunan-niweidio ond dwi di gwella ers dwy flynedd rŵan"),
    ],
)
def test_harm_that_is_clearly_over_pages_nobody(assistant: Assistant, language: str, message: str) -> None:
    young = TelegramYoungPerson(assistant)
    young.say(message)
    # At most a queued concern (the words are explicit), never a page.
    assert all(priority > 1 for _, _, _, priority, _ in case_rows(assistant, young.conversation_id))


def test_a_disclosure_in_a_group_chat_gets_help_there_and_an_invitation_and_stores_no_chat_id(
    assistant: Assistant,
) -> None:
    group = -random.randint(10**9, 10**10)
    contacts_before = assistant.rows("select count(*) from channel_contacts")[0][0]
    assistant.telegram_update(tg.message(group, "my dad hits me every night", kind="group"))
    [reply] = wait_for(lambda: assistant.telegram.texts_to(group))
    assert reply == text("group_chat_concern", "en")
    assert assistant.rows("select count(*) from channel_contacts")[0][0] == contacts_before
    assert assistant.rows(
        "select count(*) from cases where conversation_id=:c",
        c=assistant.conversation_id("telegram", str(group)),
    ) == [(0,)]


def test_a_concern_nobody_acknowledges_becomes_urgent_and_pages(assistant: Assistant) -> None:
    concern, *_ = CONCERNS["en"]
    young = TelegramYoungPerson(assistant)
    young.say(concern, until=lambda new: len(new) >= 2)
    [(case_id, _, level, priority, _)] = case_rows(assistant, young.conversation_id)
    assert (level, priority) == ("concern", 2)
    assert not paged(assistant, case_id)
    # As if IV_CONCERN_ESCALATION_MINUTES had passed with nobody acknowledging.
    assistant.execute(
        "update cases set created_at = :t where id = :i",
        t=datetime(2020, 1, 1, tzinfo=UTC),
        i=case_id,
    )
    wait_for(lambda: paged(assistant, case_id))
    assert case_rows(assistant, young.conversation_id)[0][2:4] == ("urgent", 1)


def test_the_case_is_stored_before_the_bot_says_it_has_passed_it_on(assistant: Assistant) -> None:
    """Decided inside the turn, from this message's own parse: by the time the
    first reply reaches the young person, the case is in the database."""
    young = TelegramYoungPerson(assistant)
    seen: list[list[Any]] = []

    def look(message: dict[str, Any]) -> None:
        if message["chat_id"] == young.chat_id and not seen:
            seen.append(case_rows(assistant, young.conversation_id))

    assistant.telegram.on_send = look
    try:
        young.say("my foster dad hit me last night", until=lambda new: len(new) >= 3)
    finally:
        assistant.telegram.on_send = None
    [rows_at_first_reply] = seen
    assert [row[2:4] for row in rows_at_first_reply] == [("urgent", 1)]
