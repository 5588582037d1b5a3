"""The console's records pages: check-ins due and sent, and codes said in
the page's language (Flask's test client on the test session's database)."""

from __future__ import annotations

import asyncio
import uuid

from markupsafe import escape

from bot.locales import render_text
from bot.records import feedback, referrals
from console.security import NewAccount
from tests.console.conftest import Browser


def matched_referral() -> str:
    answers = referrals.ReferralAnswers("Siân", 14, "in_care", "gwynedd", "chat", "weekends", "art", None)
    made, _ = referrals.submit(
        answers, conversation_id=f"sms-{uuid.uuid4().hex}", channel="sms", language="cy"
    )
    referrals.set_status(made.reference, "matched", "test")
    return made.reference


def test_check_ins_sent_are_listed_with_whether_they_were_answered(
    browser: Browser, coordinator: NewAccount
) -> None:
    reference = matched_referral()
    check_in = feedback.start_check_in(reference, "test")
    assert check_in is not None
    browser.sign_in(coordinator)
    page = browser.get("/check-ins").get_data(as_text=True)
    sent = page.split('id="check-ins-sent"', 1)[1]
    row = next(line for line in sent.split("<tr>") if reference in line)
    assert render_text("console_not_answered", "en") in row

    feedback.submit(
        about="match", rating=5, comment=None, anonymous=False, conversation_id=check_in.conversation_id,
        language="cy", check_in_id=check_in.id,
    )  # fmt: skip
    sent = browser.get("/check-ins").get_data(as_text=True).split('id="check-ins-sent"', 1)[1]
    row = next(line for line in sent.split("<tr>") if reference in line)
    assert render_text("console_not_answered", "en") not in row, "answered now"


def shown(key: str, language: str) -> str:
    return str(escape(render_text(key, language)))  # as Jinja escapes it


def test_statuses_are_said_in_the_pages_language(browser: Browser, coordinator: NewAccount) -> None:
    reference = matched_referral()
    browser.sign_in(coordinator)
    english = browser.get(f"/referrals/{reference}").get_data(as_text=True)
    assert shown("code_matched", "en") in english
    assert 'value="being_matched"' in english, "the form still sends the code"
    browser.get("/language/cy")
    welsh = browser.get(f"/referrals/{reference}").get_data(as_text=True)
    assert shown("code_matched", "cy") in welsh and shown("code_in_care", "cy") in welsh
    assert ">matched<" not in welsh


def test_a_button_press_reads_as_the_button_the_young_person_saw(session_env: dict[str, str]) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.records.conversation import conversation_so_far
    from bot.tracker_store import EncryptedSQLTrackerStore

    store = EncryptedSQLTrackerStore(domain=Domain.empty(), url=session_env["IV_DATABASE_URL"])
    cid = f"webchat-{uuid.uuid4().hex}"
    buttons = [{"title": "Yes, send it", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    events = [
        BotUttered("Shall I send it?", data={"buttons": buttons}),
        UserUttered("/affirm"),
        BotUttered("Sent."),
        UserUttered("/deny"),  # no buttons offered just before: said as its intent
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events(cid, events)))
    said = [(line.who, line.text) for line in conversation_so_far(cid)]
    assert said == [
        ("bot", "Shall I send it?"),
        ("young_person", "Yes, send it"),
        ("bot", "Sent."),
        ("young_person", "[deny]"),
    ]
