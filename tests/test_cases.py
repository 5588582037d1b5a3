"""The coordinators' queue and its timers, with the clock given by the test:
most severe first, then the longest waiting; a concern nobody acknowledges
becomes urgent and pages; the bot's "a person has your message" at most once
every few minutes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import Case, OutboxItem, utcnow
from bot.handoff import cases
from bot.settings import get_settings

ONCALL = "+447700900123"


@pytest.fixture(autouse=True)
def on_call_phone(session_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("IV_ONCALL_SMS_NUMBER", ONCALL)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def open_case(level: str | None, kind: str = "safeguarding") -> cases.CaseView:
    case, change = cases.open_case(
        conversation_id=f"test-{uuid.uuid4().hex}",
        channel="telegram",
        kind=kind,
        categories=["suicide"] if kind == "safeguarding" else [],
        language="en",
        text="not sure i'll be around much longer",
        level=level,
        signals=["risk:0.71/0.20"],
    )
    assert change == "created"
    return case


def pages_for(case_id: str) -> list[str]:
    with session_scope() as session:
        keys = session.execute(
            select(OutboxItem.dedupe_key).where(OutboxItem.dedupe_key.like(f"alert:{case_id}:sms:oncall:%"))
        )
        return list(keys.scalars())


def stored(case_id: str) -> tuple[str | None, int, str]:
    with session_scope() as session:
        case = session.get(Case, case_id)
        return case.level, case.priority, case.status


def test_the_queue_lists_the_most_severe_first_then_the_longest_waiting() -> None:
    first_urgent = open_case("urgent")
    concern = open_case("concern")
    person = open_case(None, kind="human")
    second_urgent = open_case("urgent")
    ours = {first_urgent.id, concern.id, person.id, second_urgent.id}
    queue = [c.id for c in cases.list_open() if c.id in ours]
    assert queue == [first_urgent.id, second_urgent.id, concern.id, person.id]


def test_the_queue_line_shows_level_why_and_how_long_it_has_waited() -> None:
    case = open_case("concern")
    line = cases.queue_line(case, now=case.created_at + timedelta(minutes=135))  # type: ignore[operator]
    assert (
        "safeguarding possible risk" in line
        and "diogelu risg bosibl" in line
        and "risk:0.71/0.20" in line
        and "2 h 15 min" in line
    )


def test_only_an_urgent_case_pages_on_call() -> None:
    assert pages_for(open_case("concern").id) == []
    assert pages_for(open_case("urgent").id) != []


def test_a_concern_nobody_acknowledges_becomes_urgent_and_pages() -> None:
    case = open_case("concern")
    minutes = get_settings().concern_escalation_minutes
    cases.escalate_unacknowledged(now=utcnow() + timedelta(minutes=minutes - 1))
    assert stored(case.id) == ("concern", 2, "open")
    cases.escalate_unacknowledged(now=utcnow() + timedelta(minutes=minutes + 1))
    assert stored(case.id) == ("urgent", 1, "open")
    assert pages_for(case.id) != []


def test_an_acknowledged_concern_does_not_escalate() -> None:
    case = open_case("concern")
    cases.acknowledge(case.id, "coordinator:test")
    cases.escalate_unacknowledged(now=utcnow() + timedelta(days=1))
    assert stored(case.id) == ("concern", 2, "acknowledged")
    assert pages_for(case.id) == []


def test_an_urgent_message_raises_an_open_concern_and_pages() -> None:
    case = open_case("concern")
    raised, change = cases.open_case(
        conversation_id=case.conversation_id,
        channel="telegram",
        kind="safeguarding",
        categories=["suicide"],
        language="en",
        text="i have the pills here",
        level="urgent",
    )
    assert change == "raised" and raised.id == case.id
    assert stored(case.id) == ("urgent", 1, "open")
    assert pages_for(case.id) != []


def test_the_waiting_notice_is_sent_at_most_once_every_few_minutes() -> None:
    case = open_case("urgent")  # opening it is the first notice
    now = utcnow()
    minutes = get_settings().waiting_notice_minutes
    assert not cases.claim_waiting_notice(case.id, now=now)
    assert cases.claim_waiting_notice(case.id, now=now + timedelta(minutes=minutes + 1))
    assert not cases.claim_waiting_notice(case.id, now=now + timedelta(minutes=minutes + 2))


def test_a_case_id_that_clashes_is_drawn_again_and_the_case_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.records import references

    first = open_case("urgent")
    drawn = iter([first.id, "K-22222B"])
    monkeypatch.setattr(references, "new_reference", lambda prefix: next(drawn))
    second = open_case("urgent")
    assert second.id == "K-22222B"
    assert stored(first.id)[0] == stored(second.id)[0] == "urgent"
