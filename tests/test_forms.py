"""The forms, end to end through Rasa and the action server: self-referral,
status, feedback and check-ins, complaints and "delete my data", in both
languages, with what ends up in the database."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from bot.db.engine import get_engine, session_scope
from bot.db.models import Case, Complaint, ConsentRecord, ErasureRequest, Feedback, OutboxItem, Referral
from bot.locales import render_text
from bot.records import erasure, referrals
from bot.records.feedback import start_check_in
from tests.conftest import Chat


def say(key: str, language: str, **values: str) -> list[str]:
    """The messages one text becomes (Rasa splits on blank lines)."""
    return render_text(key, language, values).split("\n\n")  # type: ignore[arg-type]


def texts_of(keys: list[str], language: str, **values: str) -> list[str]:
    return [part for key in keys for part in say(key, language, **values)]


def count(model: type, **where: object) -> int:
    with session_scope() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(session.execute(query).scalar() or 0)


ENGLISH_ANSWERS = ["yes", "Sam", "13", "1", "Cardiff", "1", "after school", "football and drawing", "skip"]
WELSH_ANSWERS = ["ie", "Siôn", "tair ar ddeg", "mewn gofal maeth", "yng Nghaerdydd", "1", "ar ôl ysgol", "pêl-droed", "sgip"]  # fmt: skip


def fill_referral(chat: Chat, opener: str, answers: list[str]) -> list[str]:
    chat.say(opener)
    replies: list[str] = []
    for answer in answers:
        replies = chat.texts(answer)
    return replies  # the summary and the confirmation question


def submit_referral(chat: Chat, language: str = "en") -> str:
    opener, answers = (
        ("I want an IV", ENGLISH_ANSWERS) if language == "en" else ("dwi isio IV plis", WELSH_ANSWERS)
    )
    fill_referral(chat, opener, answers)
    chat.texts("yes" if language == "en" else "ie")
    referral = referrals.latest_for(chat.sender)
    assert referral is not None
    return referral.reference


# --- Self-referral --------------------------------------------------------------


def test_a_whole_referral_in_english_with_mistakes_and_an_edit(chat: Chat) -> None:
    assert chat.texts("I want an IV") == texts_of(["referral_privacy"], "en") + [
        render_text("offer_language", "cy")
    ] + texts_of(["ask_referral_consent"], "en")
    assert chat.texts("maybe") == texts_of(["invalid_yes_no", "ask_referral_consent"], "en")
    assert chat.texts("yes") == say("ask_referral_name", "en")
    assert chat.texts("my name is Sam") == say("ask_referral_age", "en")
    assert chat.texts("dunno") == texts_of(["age_dont_know", "ask_referral_age"], "en")
    assert chat.texts("banana") == texts_of(["invalid_age", "ask_referral_age"], "en")
    assert chat.texts("thirteen") == say("ask_referral_care_status", "en")
    assert chat.texts("7") == texts_of(["invalid_number_choice", "ask_referral_care_status"], "en")
    assert chat.texts("I live with foster carers") == say("ask_referral_local_authority", "en")
    assert chat.texts("Narnia") == texts_of(["invalid_local_authority", "ask_referral_local_authority"], "en")
    assert chat.texts("swansee") == say("ask_referral_contact_method", "en")
    assert chat.texts("2") == say("ask_referral_contact_time", "en")
    assert chat.texts("weekends") == say("ask_referral_interests", "en")
    likes = "gaming, drawing, going to the beach, and someone who speaks Welsh"
    assert chat.texts(likes) == say("ask_referral_social_worker", "en")
    summary = chat.texts("Jo Bloggs")
    assert "Sam" in summary[0] and "13" in summary[0] and "Swansea" in summary[0]
    assert likes in " ".join(summary), "the summary shows each answer in full"
    assert summary[-1] == render_text("ask_referral_confirm", "en")

    # Change the age (answer 2), then confirm.
    assert chat.texts("2") == say("ask_referral_age", "en")
    summary = chat.texts("14")
    assert "14" in summary[0]
    assert count(Referral, conversation_id=chat.sender) == 0  # nothing stored before confirming
    [done] = chat.texts("yes")

    referral = referrals.latest_for(chat.sender)
    assert referral is not None
    assert done == render_text("referral_submitted", "en", {"reference": referral.reference})
    assert (referral.name, referral.age, referral.care_status) == ("Sam", 14, "in_care")
    assert (referral.local_authority, referral.contact_method, referral.contact_time) == (
        "swansea",
        "phone",
        "weekends",
    )
    assert referral.social_worker == "Jo Bloggs" and referral.status == "received"
    assert count(ConsentRecord, conversation_id=chat.sender, purpose="referral", granted=True) == 1
    # The coordinators are told, at normal priority, without the young person's name.
    with session_scope() as session:
        alerts = (
            session.execute(
                select(OutboxItem).where(OutboxItem.dedupe_key.like(f"referral:{referral.reference}:%"))
            )
            .scalars()
            .all()
        )
        assert alerts and all(
            "Sam" not in alert.body and referral.reference in alert.body for alert in alerts
        )
    # The answers don't stay in the conversation's slots.
    assert chat.slot("referral_name") is None and chat.slot("referral_age") is None


def test_a_whole_referral_in_welsh(chat: Chat) -> None:
    replies = fill_referral(chat, "dwi isio ymwelydd annibynnol plis", WELSH_ANSWERS)
    assert replies[-1] == render_text("ask_referral_confirm", "cy")
    assert "Siôn" in replies[0] and "Caerdydd" in replies[0]
    [done] = chat.texts("ie")
    referral = referrals.latest_for(chat.sender)
    assert referral is not None and referral.language == "cy"
    assert done == render_text("referral_submitted", "cy", {"reference": referral.reference})
    assert (referral.age, referral.care_status, referral.local_authority) == (13, "in_care", "cardiff")


def test_names_and_answers_are_unreadable_in_the_table(chat: Chat) -> None:
    submit_referral(chat)
    with get_engine().connect() as connection:
        row = connection.execute(
            text("SELECT name, interests, contact_time FROM referrals WHERE conversation_id = :c"),
            {"c": chat.sender},
        ).one()
    assert all(value.startswith("gAAAA") for value in row)  # Fernet tokens
    assert "Sam" not in " ".join(row) and "football" not in " ".join(row)


@pytest.mark.parametrize(
    ("interruption", "language", "answer_keys"),
    [
        ("what is an IV?", "en", ["what_is_iv", "what_is_iv_more"]),
        ("beth yw ymwelydd annibynnol?", "cy", ["what_is_iv", "what_is_iv_more"]),
        ("will my IV tell my social worker?", "en", ["confidentiality", "confidentiality_more"]),
    ],
)
def test_a_question_mid_form_is_answered_then_the_form_asks_again(
    chat: Chat, interruption: str, language: str, answer_keys: list[str]
) -> None:
    opener, answers = (
        ("I want an IV", ENGLISH_ANSWERS) if language == "en" else ("dwi isio IV plis", WELSH_ANSWERS)
    )
    chat.say(opener)
    chat.say(answers[0])
    chat.say(answers[1])  # now asked for the age
    replies = chat.texts(interruption)
    assert replies == texts_of(answer_keys, language) + say("ask_referral_age", language)
    assert chat.texts(answers[2]) == say("ask_referral_care_status", language)


def test_switching_language_mid_form_carries_on_in_the_new_language(chat: Chat) -> None:
    chat.say("I want an IV")
    chat.say("yes")
    assert chat.texts("Cymraeg plis") == say("language_set", "cy") + say("ask_referral_name", "cy")
    assert chat.texts("Sam") == say("ask_referral_age", "cy")


@pytest.mark.parametrize(
    ("language", "disclosure"),
    [("en", "my foster carer hits me"), ("cy", "mae fy nhad maeth yn fy nharo i")],
)
def test_a_disclosure_mid_form_gets_crisis_contacts_and_the_form_waits(
    chat: Chat, language: str, disclosure: str
) -> None:
    opener, answers = (
        ("I want an IV", ENGLISH_ANSWERS) if language == "en" else ("dwi isio IV plis", WELSH_ANSWERS)
    )
    chat.say(opener)
    chat.say(answers[0])
    chat.say(answers[1])
    replies = chat.texts(disclosure)
    assert replies == texts_of(["safeguarding_holding", "safeguarding_helplines"], language)
    assert chat.slot("requested_slot") is None
    # The disclosure was not taken as an age, and the answers so far wait.
    assert chat.slot("referral_age") is None and chat.slot("referral_name") is not None
    # Asking again later carries on where it stopped.
    assert chat.texts(opener) == say("ask_referral_age", language)


def test_stop_mid_form_keeps_nothing(chat: Chat) -> None:
    chat.say("I want an IV")
    chat.say("yes")
    chat.say("Sam")
    assert chat.texts("stop") == say("form_cancelled", "en")
    assert chat.slot("referral_name") is None and chat.slot("requested_slot") is None
    assert count(Referral, conversation_id=chat.sender) == 0


def test_saying_no_to_consent_stores_nothing_but_the_refusal(chat: Chat) -> None:
    chat.say("I want an IV")
    assert chat.texts("no") == say("referral_no_consent", "en")
    assert count(Referral, conversation_id=chat.sender) == 0
    assert count(ConsentRecord, conversation_id=chat.sender, granted=False) == 1


def test_too_young_is_told_honestly_and_nothing_is_stored(chat: Chat) -> None:
    chat.say("I want an IV")
    chat.say("yes")
    chat.say("Sam")
    assert chat.texts("5") == say("referral_too_young", "en")
    assert chat.slot("requested_slot") is None and count(Referral, conversation_id=chat.sender) == 0


def test_a_care_leaver_over_the_limit_is_told_who_can_help(chat: Chat) -> None:
    chat.say("I want an IV")
    chat.say("yes")
    chat.say("Alex")
    assert chat.texts("twenty seven") == say("referral_too_old", "en")
    assert count(Referral, conversation_id=chat.sender) == 0


def test_a_care_leaver_of_twenty_hears_there_is_no_promise_and_can_go_on(chat: Chat) -> None:
    chat.say("I want an IV")
    chat.say("yes")
    chat.say("Alex")
    chat.say("20")
    replies = chat.texts("2")
    assert replies == say("referral_over_18", "en") + say("ask_referral_local_authority", "en")


def test_referring_twice_gives_back_the_first_referral(chat: Chat) -> None:
    reference = submit_referral(chat)
    assert chat.texts("I want an IV") == say("referral_exists", "en", reference=reference)
    assert count(Referral, conversation_id=chat.sender) == 1


# --- Status ---------------------------------------------------------------------


def test_status_is_what_a_coordinator_set_and_only_for_the_same_person(chat: Chat, agent: object) -> None:
    reference = submit_referral(chat)
    [first] = chat.texts("any news on my IV?")
    assert reference in first and render_text("status_received", "en") in first

    referrals.set_status(reference, "being_matched", actor="coordinator-test")
    [second] = chat.texts("any news on my IV?")
    assert render_text("status_being_matched", "en") in second

    someone_else = Chat(chat.agent, chat.loop)
    someone_else.say("what is an IV?")
    assert someone_else.texts("any news on my IV?") == say("referral_status_none", "en")


# --- Feedback and check-ins -----------------------------------------------------


def test_feedback_with_a_low_rating_reaches_a_coordinator(chat: Chat) -> None:
    chat.say("what is an IV?")
    assert chat.texts("I want to give feedback") == say("ask_feedback_about", "en")
    assert chat.texts("1") == say("ask_feedback_rating", "en")
    assert chat.texts("10") == texts_of(["invalid_rating", "ask_feedback_rating"], "en")
    assert chat.texts("2") == say("ask_feedback_comment", "en")
    assert chat.texts("my visits keep getting cancelled") == say("ask_feedback_anonymous", "en")
    assert chat.texts("no") == say("feedback_thanks_low", "en")
    with session_scope() as session:
        stored = session.execute(select(Feedback).where(Feedback.conversation_id == chat.sender)).scalar_one()
        assert (stored.about, stored.rating, stored.comment) == (
            "match",
            2,
            "my visits keep getting cancelled",
        )
        assert session.execute(
            select(OutboxItem).where(OutboxItem.dedupe_key.like(f"feedback:{stored.reference}:%"))
        ).first()


def test_anonymous_feedback_in_welsh_keeps_no_link_to_the_conversation(chat: Chat) -> None:
    chat.say("beth yw ymwelydd annibynnol?")
    assert chat.texts("dwi isio rhoi adborth") == say("ask_feedback_about", "cy")
    chat.say("2")
    chat.say("gwych")
    chat.say("sgip")
    before = count(Feedback)
    assert chat.texts("ie") == say("feedback_thanks", "cy")
    assert count(Feedback) == before + 1
    assert count(Feedback, conversation_id=chat.sender) == 0


def test_a_check_in_asks_about_the_match_and_records_the_answer(chat: Chat) -> None:
    reference = submit_referral(chat)
    referrals.set_status(reference, "matched", actor="coordinator-test")
    check_in = start_check_in(reference, actor="coordinator-test")
    assert check_in is not None
    # What the coordinator tool sends through Rasa's API (trigger_intent).
    replies = chat.texts(f'/EXTERNAL_check_in{{"check_in_id":"{check_in.id}"}}')
    assert replies == texts_of(["check_in", "ask_feedback_rating"], "en")
    chat.say("5")
    chat.say("we went bowling")
    assert chat.texts("no") == say("feedback_thanks", "en")
    with session_scope() as session:
        stored = session.execute(select(Feedback).where(Feedback.check_in_id == check_in.id)).scalar_one()
        assert (stored.about, stored.rating) == ("match", 5)


# --- Complaints -----------------------------------------------------------------


def test_a_complaint_is_stored_and_handed_to_a_coordinator(chat: Chat) -> None:
    chat.say("what is an IV?")
    assert chat.texts("I want to make a complaint") == texts_of(["complaint", "ask_complaint_about"], "en")
    assert chat.texts("2") == say("ask_complaint_details", "en")
    done, next_steps = chat.texts("nobody called me back for three weeks")
    with session_scope() as session:
        complaint = session.execute(
            select(Complaint).where(Complaint.conversation_id == chat.sender)
        ).scalar_one()
        case = session.get(Case, complaint.case_id)
        assert (case.kind, case.priority, complaint.safeguarding) == ("complaint", 2, False)
    assert done == render_text("complaint_received", "en", {"reference": complaint.reference})
    # Standard 14: where to go if the answer isn't enough.
    assert next_steps == render_text("complaint_next_steps", "en")


def test_a_complaint_about_an_iv_that_is_a_safeguarding_matter_escalates(chat: Chat) -> None:
    chat.say("beth yw ymwelydd annibynnol?")
    chat.say("dwi isio gwneud cwyn")
    chat.say("1")
    replies = chat.texts("mae fy ymwelydd wedi fy nghyffwrdd i a deud wrtha i am gadw fe'n gyfrinach")
    with session_scope() as session:
        complaint = session.execute(
            select(Complaint).where(Complaint.conversation_id == chat.sender)
        ).scalar_one()
        case = session.get(Case, complaint.case_id)
        assert (case.kind, case.priority, complaint.safeguarding) == ("safeguarding", 1, True)
    assert replies == texts_of(
        ["complaint_received_safeguarding", "safeguarding_helplines"], "cy", reference=complaint.reference
    )


# --- Delete my data -------------------------------------------------------------


def test_delete_my_data_says_what_goes_asks_and_deletes(chat: Chat) -> None:
    submit_referral(chat)
    assert chat.texts("delete my data") == texts_of(["delete_data_explain", "ask_delete_confirm"], "en")
    assert chat.texts("yes") == say("delete_data_done", "en")
    assert count(Referral, conversation_id=chat.sender) == 0
    assert count(ConsentRecord, conversation_id=chat.sender) == 0
    assert count(ErasureRequest, conversation_id=chat.sender) == 1


def test_delete_my_data_keeps_safeguarding_records_and_says_so(chat: Chat) -> None:
    from bot.handoff import cases

    submit_referral(chat)
    cases.open_case(
        conversation_id=chat.sender,
        channel="chat",
        kind="safeguarding",
        categories=["neglect"],
        language="en",
        text="x",
    )
    assert chat.texts("delete my data") == texts_of(
        ["delete_data_explain_safeguarding", "ask_delete_confirm"], "en"
    )
    chat.say("yes")
    assert count(Referral, conversation_id=chat.sender) == 0
    assert count(Case, conversation_id=chat.sender, kind="safeguarding") == 1
    assert erasure.process_pending(settle_seconds=0) >= 1


def test_saying_no_to_deletion_deletes_nothing(chat: Chat) -> None:
    submit_referral(chat)
    chat.say("delete my data")
    assert chat.texts("no") == say("delete_data_cancelled", "en")
    assert count(Referral, conversation_id=chat.sender) == 1


# --- Fuzzing --------------------------------------------------------------------

OPENERS = ["I want an IV", "dwi isio IV plis", "I want to give feedback", "I want to make a complaint"]
LIKELY_ANSWERS = (
    ENGLISH_ANSWERS + WELSH_ANSWERS + ["yes", "ie", "no", "2", "5", "stop", "dunno", "⭐⭐⭐⭐", "change 3"]
)
REFERENCE = re.compile(r"\b[RCF]-[2-9A-HJ-NP-Z]{6}\b")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    opener=st.sampled_from(OPENERS),
    answers=st.lists(
        st.one_of(st.sampled_from(LIKELY_ANSWERS), st.text(max_size=120)), min_size=1, max_size=16
    ),
)
def test_fuzzed_answers_never_crash_a_form_and_a_promised_record_is_stored(
    agent: object, event_loop_for_agent: object, opener: str, answers: list[str]
) -> None:
    chat = Chat(agent, event_loop_for_agent)  # a new young person each time
    chat.say(opener)
    for answer in answers:
        replies = chat.texts(answer)
        assert replies and all(reply.strip() for reply in replies), answer
        # Whenever the bot gives a reference, the record is already stored.
        for reference in REFERENCE.findall(" ".join(replies)):
            model = {"R": Referral, "C": Complaint, "F": Feedback}[reference[0]]
            assert count(model, reference=reference) == 1, reference


def test_status_and_deletion_in_welsh(chat: Chat) -> None:
    reference = submit_referral(chat, "cy")
    [status] = chat.texts("oes 'na newyddion am fy nghais?")
    assert reference in status and render_text("status_received", "cy") in status
    assert chat.texts("dileu fy ngwybodaeth i plis") == texts_of(
        ["delete_data_explain", "ask_delete_confirm"], "cy"
    )
    assert chat.texts("ie") == say("delete_data_done", "cy")
    assert count(Referral, conversation_id=chat.sender) == 0


# --- Wishes about the IV --------------------------------------------------------


def test_a_wish_about_the_iv_is_noted_and_goes_with_the_referral(chat: Chat) -> None:
    chat.say("English please")
    assert chat.texts("I want a woman who speaks Welsh") == say(
        "preference_noted", "en", preferences="is a woman and speaks Welsh"
    )
    assert chat.language() == "en", "a Welsh-speaking IV is a wish, not a request to switch language"
    summary = " ".join(fill_referral(chat, "I want an IV", ENGLISH_ANSWERS))
    assert "football and drawing; is a woman and speaks Welsh" in summary
    chat.texts("yes")
    referral = referrals.latest_for(chat.sender)
    assert referral is not None and referral.preferences == "gender:woman; language:cy"


def test_a_wish_after_referring_is_added_to_the_request_in_welsh(chat: Chat) -> None:
    reference = submit_referral(chat, "cy")
    assert chat.texts("ga i ddynes sy'n siarad Cymraeg") == say(
        "preference_added", "cy", reference=reference, preferences="yn fenyw ac yn siarad Cymraeg"
    )
    referral = referrals.get(reference)
    assert referral is not None and referral.preferences == "gender:woman; language:cy"
