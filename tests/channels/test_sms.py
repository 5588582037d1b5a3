"""SMS through the real assistant: signatures, replies, retries, STOP/START,
media, segmentation, rate limit and delivery status."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from bot.locales import render_text
from channels.sms.segments import segment_count
from tests.channels.conftest import PUBLIC_BASE_URL, RATE_LIMIT, Assistant, wait_for


def as_one(parts: list[str]) -> str:
    """Long texts go as several SMS: compare what the young person reads."""
    return " ".join(" ".join(parts).split())


def new_number() -> str:
    return f"+4477009{uuid.uuid4().int % 10**5:05d}"


def test_a_genuine_text_is_answered_in_its_language_by_sms(assistant: Assistant) -> None:
    number = new_number()
    response = assistant.sms(number, "what is an independent visitor?")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")

    bodies = wait_for(
        lambda: len(assistant.twilio.bodies_to(number)) >= 2 and assistant.twilio.bodies_to(number)
    )
    assert bodies[0].startswith(render_text("what_is_iv", "en"))
    assert bodies[1] == render_text("what_is_iv_more", "en")


def test_a_forged_signature_is_refused_and_reaches_no_conversation(assistant: Assistant) -> None:
    number = new_number()
    response = assistant.post_twilio(
        "/webhooks/sms/webhook",
        {"MessageSid": "SMforged", "From": number, "Body": "hi"},
        signature="Zm9yZ2VkIQ==",
    )
    assert response.status_code == 403
    assert assistant.user_texts(assistant.conversation_id("sms", number)) == []
    assert assistant.twilio.bodies_to(number) == []


def test_a_missing_signature_is_refused(assistant: Assistant) -> None:
    number = new_number()
    response = assistant.post_twilio(
        "/webhooks/sms/webhook", {"MessageSid": "SMnone", "From": number}, signature=""
    )
    assert response.status_code == 403
    assert assistant.user_texts(assistant.conversation_id("sms", number)) == []


def test_a_signature_for_our_local_url_is_refused_behind_the_proxy(assistant: Assistant) -> None:
    # Twilio signs the public URL; a request signed for the internal one is not Twilio's.
    from twilio.request_validator import RequestValidator

    from tests.channels.conftest import TWILIO_TOKEN

    params = {"MessageSid": "SMlocal", "From": new_number(), "Body": "hi"}
    local = RequestValidator(TWILIO_TOKEN).compute_signature(assistant.url + "/webhooks/sms/webhook", params)
    assert assistant.post_twilio("/webhooks/sms/webhook", params, signature=local).status_code == 403
    public = RequestValidator(TWILIO_TOKEN).compute_signature(
        PUBLIC_BASE_URL + "/webhooks/sms/webhook", params
    )
    assert assistant.post_twilio("/webhooks/sms/webhook", params, signature=public).status_code == 200


@pytest.mark.faults
def test_a_retried_delivery_gets_no_second_reply(assistant: Assistant) -> None:
    number = new_number()
    sid = f"SM{uuid.uuid4().hex}"
    assert assistant.sms(number, "thanks", sid=sid).status_code == 200
    wait_for(lambda: assistant.twilio.bodies_to(number))
    assert assistant.sms(number, "thanks", sid=sid).status_code == 200
    assistant.sms(number, "ok")  # a later, different message is still answered...
    wait_for(lambda: len(assistant.twilio.bodies_to(number)) >= 2)
    cid = assistant.conversation_id("sms", number)
    wait_for(lambda: assistant.user_texts(cid) == ["thanks", "ok"])  # ...and the retry never reached Rasa
    assert len(assistant.twilio.bodies_to(number)) == 2


def test_a_picture_gets_a_kind_text_only_reply(assistant: Assistant) -> None:
    number = new_number()
    assistant.sms(number, "", NumMedia="1", MediaUrl0="https://example.org/p.jpg")
    expected = as_one([render_text("media_not_supported", "cy"), render_text("media_not_supported", "en")])
    wait_for(lambda: as_one(assistant.twilio.bodies_to(number)) == expected)
    assert assistant.user_texts(assistant.conversation_id("sms", number)) == []  # nothing to read


def test_after_stop_nothing_is_sent_until_start(assistant: Assistant) -> None:
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    assistant.sms(number, "STOP")
    wait_for(
        lambda: assistant.rows("select 1 from channel_contacts where conversation_id=:c and opted_out", c=cid)
    )

    assistant.sms(number, "what is an IV")
    wait_for(lambda: "what is an IV" in assistant.user_texts(cid))
    wait_for(
        lambda: assistant.rows(
            "select 1 from outbound_messages where conversation_id=:c and status='suppressed'", c=cid
        )
    )
    assert assistant.twilio.bodies_to(number) == []  # Twilio itself confirms an English STOP

    assistant.sms(number, "START")
    wait_for(
        lambda: (
            not assistant.rows("select opted_out from channel_contacts where conversation_id=:c", c=cid)[0][0]
        )
    )
    assistant.sms(number, "thank you")
    assert wait_for(lambda: assistant.twilio.bodies_to(number))


def test_welsh_stop_is_confirmed_in_welsh_then_respected(assistant: Assistant) -> None:
    number = new_number()
    assistant.sms(number, "STOPIO")
    [body] = wait_for(lambda: assistant.twilio.bodies_to(number))
    assert body == render_text("sms_stopped", "cy")
    assistant.sms(number, "diolch")
    cid = assistant.conversation_id("sms", number)
    wait_for(lambda: "diolch" in assistant.user_texts(cid))
    wait_for(
        lambda: assistant.rows(
            "select 1 from outbound_messages where conversation_id=:c and status='suppressed'", c=cid
        )
    )
    assert assistant.twilio.bodies_to(number) == [body]


def test_help_is_answered_with_the_services_contacts_and_the_menu(assistant: Assistant) -> None:
    number = new_number()
    assistant.sms(number, "HELP")
    intro, menu = wait_for(
        lambda: len(assistant.twilio.bodies_to(number)) >= 2 and assistant.twilio.bodies_to(number)
    )
    assert intro == render_text("sms_help", "en")
    # The menu of what the bot can do, its buttons listed as choices.
    assert (
        menu.startswith(render_text("help", "en")) and "Ask for an IV" in menu and "Talk to a person" in menu
    )


def test_a_long_welsh_reply_is_split_into_sms_sized_messages_with_nothing_lost(assistant: Assistant) -> None:
    number = new_number()
    assistant.sms(number, "beth ydi ymwelydd annibynnol a be fydden ni'n neud efo'n gilydd?")
    bodies = wait_for(
        lambda: len(assistant.twilio.bodies_to(number)) >= 2 and assistant.twilio.bodies_to(number)
    )
    cid = assistant.conversation_id("sms", number)
    wait_for(lambda: assistant.rows("select segments from outbound_messages where conversation_id=:c", c=cid))
    recorded = [
        row[0]
        for row in assistant.rows("select segments from outbound_messages where conversation_id=:c", c=cid)
    ]
    assert all(1 <= segment_count(body) <= 3 for body in bodies)
    assert recorded == [segment_count(body) for body in bodies][: len(recorded)]
    sent = " ".join(bodies)
    assert render_text("iv_activities", "cy") in sent and render_text("iv_activities_more", "cy") in sent


def test_too_many_messages_get_one_kind_slow_down(assistant: Assistant) -> None:
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    for i in range(RATE_LIMIT + 3):
        assistant.sms(number, f"ok {i}")
    wait_for(lambda: len(assistant.user_texts(cid)) >= RATE_LIMIT)
    slow_down = as_one([render_text("rate_limited", "cy"), render_text("rate_limited", "en")])
    try:
        wait_for(lambda: slow_down in as_one(assistant.twilio.bodies_to(number)), timeout=15)
    except AssertionError:
        raise AssertionError(f"{assistant.twilio.bodies_to(number)} {assistant.user_texts(cid)}") from None
    assert len(assistant.user_texts(cid)) == RATE_LIMIT
    assert as_one(assistant.twilio.bodies_to(number)).count(slow_down) == 1


@pytest.mark.faults
def test_a_failed_send_is_retried_through_the_outbox_and_recorded(assistant: Assistant) -> None:
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    assistant.twilio.fail_next_to(number, 1)
    assistant.sms(number, "thanks")
    wait_for(
        lambda: (
            assistant.rows(
                "select status from outbox where conversation_id=:c and dedupe_key like 'reply:%'", c=cid
            )
            == [("sent",)]
        )
    )
    assert len(assistant.twilio.bodies_to(number)) == 1, "sent once"
    outcomes = assistant.rows(
        "select status from outbound_messages where conversation_id=:c order by id", c=cid
    )
    assert [o[0] for o in outcomes] == ["failed", "sent"]


@pytest.mark.faults
def test_crisis_replies_reach_the_young_person_once_after_twilio_recovers(assistant: Assistant) -> None:
    """With Twilio answering 503 for a while, the holding text and the
    helplines used to be lost after a few inline retries."""
    number = new_number()
    assistant.twilio.fail_next_to(number, 4)
    assistant.sms(number, "i want to die")
    helplines = as_one([render_text("safeguarding_helplines", "en")])[:40]
    wait_for(lambda: helplines in as_one(assistant.twilio.bodies_to(number)), timeout=60)
    said = as_one(assistant.twilio.bodies_to(number))
    assert said.count(as_one([render_text("safeguarding_holding", "en")])[:40]) == 1
    assert said.count(helplines) == 1


@pytest.mark.faults
def test_a_reply_twilio_took_but_never_confirmed_is_not_sent_again(assistant: Assistant) -> None:
    """Twilio takes the message and its answer never comes (our client gives
    up after 10 s): the outbox asks Twilio before it sends again."""
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    assistant.twilio.accept_then_hang_to(number, 12)
    assistant.sms(number, "thanks")
    queued = "select status from outbox where conversation_id=:c and dedupe_key like 'reply:%'"
    wait_for(lambda: assistant.rows(queued, c=cid) == [("sent",)], timeout=60)
    assert len(assistant.twilio.bodies_to(number)) == 1, "Twilio had it already: not sent twice"
    assert "Messages.list" in assistant.twilio.calls
    recorded = assistant.rows("select provider_id from outbound_messages where conversation_id=:c", c=cid)
    assert [m["sid"] for m in assistant.twilio.sent if m["to"] == number][0] in [r[0] for r in recorded]


def test_delivery_status_callbacks_are_recorded(assistant: Assistant) -> None:
    number = new_number()
    assistant.sms(number, "thanks")
    [sent] = wait_for(lambda: [m for m in assistant.twilio.sent if m["to"] == number])
    assert sent["callback"] == PUBLIC_BASE_URL + "/webhooks/sms/status"
    params = {"MessageSid": sent["sid"], "MessageStatus": "delivered"}
    assert assistant.post_twilio("/webhooks/sms/status", params).status_code == 204
    assert (
        assistant.rows("select status from outbound_messages where provider_id=:s", s=sent["sid"])[0][0]
        == "delivered"
    )
    assert assistant.post_twilio("/webhooks/sms/status", params, signature="bad").status_code == 403


def test_an_overlong_message_is_read_up_to_the_limit_and_the_sender_is_told(assistant: Assistant) -> None:
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    long_text = "what is an independent visitor? " + "blah " * 400
    assistant.sms(number, long_text)
    notice = as_one([render_text("message_too_long", "en")])
    wait_for(lambda: notice in as_one(assistant.twilio.bodies_to(number)))
    [read] = assistant.user_texts(cid)
    assert long_text.startswith(read) and len(read) == 1000


@pytest.mark.faults
def test_a_disclosure_gets_through_the_rate_limit(assistant: Assistant) -> None:
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    for i in range(RATE_LIMIT):
        assistant.sms(number, f"ok {i}")
    wait_for(lambda: len(assistant.user_texts(cid)) >= RATE_LIMIT)
    assistant.sms(number, "ok 99")  # over the limit: dropped
    assistant.sms(number, "my foster dad hits me")  # over the limit, but read
    wait_for(lambda: "my foster dad hits me" in assistant.user_texts(cid))
    assert "ok 99" not in assistant.user_texts(cid)
    assert assistant.rows("select kind from cases where conversation_id=:c", c=cid) == [("safeguarding",)]
    # A flood of disclosures is not: only the first over the limit is read.
    for i in range(5):
        assistant.sms(number, f"he hit me again {i}")
    dropped = f"rate limit reached for {cid}"
    wait_for(lambda: assistant.log_file.read_text(encoding="utf-8").count(dropped) >= 6)  # "ok 99" and these
    assert not [t for t in assistant.user_texts(cid) if t.startswith("he hit me again")]


@pytest.mark.faults
def test_an_alert_by_sms_is_delivered_once_after_twilio_recovers(assistant: Assistant) -> None:
    from tests.channels.conftest import ONCALL_NUMBER

    number = new_number()
    cid = assistant.conversation_id("sms", number)
    assistant.twilio.fail_next = 12  # replies and the first on-call alert attempts fail
    assistant.sms(number, "i want to die")
    [(case_id,)] = wait_for(lambda: assistant.rows("select id from cases where conversation_id=:c", c=cid))
    wait_for(
        lambda: assistant.rows(
            "select 1 from outbox where dedupe_key=:k and status='sent'", k=f"alert:{case_id}:sms:oncall:0"
        ),
        timeout=60,
    )
    assert len([m for m in assistant.twilio.sent if m["to"] == ONCALL_NUMBER and case_id in m["body"]]) == 1


@pytest.mark.faults
def test_typed_intent_syntax_is_read_as_words_not_obeyed(assistant: Assistant) -> None:
    """ "/safeguarding_concern" typed used to open a case, and
    "/EXTERNAL_check_in" to start a fake check-in: only our buttons may send intents."""
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    assistant.sms(number, "/safeguarding_concern")
    wait_for(lambda: assistant.twilio.bodies_to(number))
    assistant.sms(number, '/EXTERNAL_check_in{"check_in_id": "1"}')
    wait_for(lambda: len(assistant.twilio.bodies_to(number)) >= 2)
    assert assistant.rows("select id from cases where conversation_id = :cid", cid=cid) == []
    intents = [
        e["parse_data"]["intent"]["name"] for e in assistant.tracker(cid)["events"] if e["event"] == "user"
    ]
    assert "safeguarding_concern" not in intents and "EXTERNAL_check_in" not in intents


def test_an_empty_first_text_gets_the_welcome_not_ok(assistant: Assistant) -> None:
    number = new_number()
    assistant.sms(number, "   ")
    [first, *_] = wait_for(lambda: assistant.twilio.bodies_to(number))
    assert as_one([first]).startswith(as_one([render_text("welcome", "cy")]))


@pytest.mark.faults
def test_a_huge_disclosure_is_read_only_up_to_the_hard_cap(assistant: Assistant) -> None:
    """A disclosure is never cut to the usual limit, but nothing reads past
    MAX_READ_CHARS: a 1 MB body once stalled the server for 19 s."""
    from bot.safeguarding.triage import MAX_READ_CHARS

    number = new_number()
    assistant.sms(number, "my dad hits me " * 70_000)
    wait_for(lambda: assistant.twilio.bodies_to(number))
    cid = assistant.conversation_id("sms", number)
    [text] = wait_for(lambda: assistant.user_texts(cid))
    assert text.startswith("my dad hits me") and len(text) <= MAX_READ_CHARS


@pytest.mark.faults
def test_with_the_action_server_down_a_young_person_in_a_form_hears_so(assistant: Assistant) -> None:
    """Rasa swallows the failed action and listens: it used to be silence."""
    number = new_number()
    assistant.sms(number, "English please")
    wait_for(lambda: assistant.twilio.bodies_to(number))
    assistant.actions.stop()
    try:
        before = len(assistant.twilio.bodies_to(number))
        assistant.sms(number, "I want an IV")
        [reply] = wait_for(lambda: assistant.twilio.bodies_to(number)[before:], timeout=60)
        assert reply == render_text("something_went_wrong", "en")
    finally:
        assistant.actions.start()


@pytest.mark.faults
def test_back_to_back_messages_are_handled_in_the_order_they_arrived(assistant: Assistant) -> None:
    """Answers sent 10 ms apart once landed in each other's form fields."""
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    sent = [f"in order {i}" for i in range(5)]
    for text in sent:
        assistant.sms(number, text)
    assert wait_for(lambda: len(assistant.user_texts(cid)) == len(sent) and assistant.user_texts(cid)) == sent


def as_lost(assistant: Assistant, form: dict[str, str], lost_for: timedelta) -> dict[str, str]:
    """A delivery row's payload and time, as if its process died ``lost_for`` ago."""
    payload = Fernet(assistant.env["IV_ENCRYPTION_KEY"].encode()).encrypt(json.dumps(form).encode()).decode()
    return {"payload": payload, "at": (datetime.now(UTC) - lost_for).strftime("%Y-%m-%d %H:%M:%S.%f")}


@pytest.mark.faults
@pytest.mark.parametrize(
    ("lost_for", "answer"),
    [(timedelta(seconds=30), "what_is_iv"), (timedelta(hours=2), "something_went_wrong")],
)
def test_a_message_lost_with_its_process_is_answered_after_all(
    assistant: Assistant, lost_for: timedelta, answer: str
) -> None:
    """Claimed, then the process died before its turn: it used to be silence.
    Soon after, it is handled again; much later, the young person is told."""
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": number,
        "To": "+447700900000",
        "Body": "what is an IV?",
    }
    assistant.execute(
        "insert into processed_deliveries (channel, delivery_id, received_at, conversation_id, payload, attempts)"
        " values ('sms', :sid, :at, :cid, :payload, 1)",
        sid=form["MessageSid"], cid=cid, **as_lost(assistant, form, lost_for),
    )  # fmt: skip
    expected = as_one([render_text(answer, "en")])[:30]  # (in both languages while the language is unknown)
    wait_for(lambda: expected in as_one(assistant.twilio.bodies_to(number)), timeout=30)


@pytest.mark.faults
def test_a_message_whose_turn_ran_before_its_process_died_is_not_read_twice(assistant: Assistant) -> None:
    """In a form, reading it again would take it as the next answer."""
    number = new_number()
    cid = assistant.conversation_id("sms", number)
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": number,
        "To": "+447700900000",
        "Body": "what is an IV?",
    }
    assistant.sms(number, form["Body"], sid=form["MessageSid"])
    wait_for(lambda: len(assistant.twilio.bodies_to(number)) >= 2)
    # As if the process died after its turn, before it was marked processed.
    assistant.execute(
        "update processed_deliveries set processed_at = null, payload = :payload, received_at = :at"
        " where delivery_id = :sid",
        sid=form["MessageSid"], **as_lost(assistant, form, timedelta(seconds=30)),
    )  # fmt: skip
    went_wrong = as_one([render_text("something_went_wrong", "en")])[:30]
    wait_for(lambda: went_wrong in as_one(assistant.twilio.bodies_to(number)), timeout=30)
    assert assistant.user_texts(cid) == ["what is an IV?"]
