"""Cases: stored before anyone is alerted, acted on only by coordinators,
every action audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import AuditEntry, Case, CaseMessage, ChannelContact, utcnow
from bot.handoff.outbox import enqueue
from bot.locales import render_text
from bot.records.audit import audit
from bot.settings import get_settings

EXCERPT_CHARS = 60  # enough to triage from a phone; the rest is in the case
PRIORITY = {"safeguarding": 1, "complaint": 2, "human": 3}
STEP_ASIDE_KINDS = ("safeguarding", "human")


@dataclass(frozen=True)
class CaseView:
    id: str
    conversation_id: str
    kind: str
    status: str
    categories: str
    language: str | None
    excerpt: str


def _view(case: Case) -> CaseView:
    return CaseView(
        case.id, case.conversation_id, case.kind, case.status, case.categories, case.language, case.excerpt
    )


def _audit(session: Session, actor: str, action: str, case_id: str | None, detail: str = "") -> None:
    audit(session, actor, action, case_id=case_id, detail=detail)


def both_languages(key: str, **values: str) -> str:
    """Coordinators get both languages: the alert names the young person's."""
    return render_text(key, "cy", values) + "\n\n" + render_text(key, "en", values)


def notify_coordinators(session: Session, conversation_id: str, key: str, body: str) -> None:
    """Queues a message to every coordinator chat, in the caller's transaction."""
    for chat_id in sorted(get_settings().coordinator_chat_ids):
        enqueue(
            session,
            dedupe_key=f"{key}:{chat_id}",
            route="telegram",
            destination=str(chat_id),
            conversation_id=conversation_id,
            body=body,
        )


def _to_coordinators(session: Session, case: Case, key: str, body: str) -> None:
    notify_coordinators(session, case.conversation_id, key, body)


def _to_young_person(session: Session, case: Case, key: str, body: str) -> bool:
    """Queues a message on the young person's own channel; never after an SMS STOP."""
    contact = session.get(ChannelContact, case.conversation_id)
    if contact is None or (contact.channel == "sms" and contact.opted_out):
        return False
    enqueue(
        session,
        dedupe_key=key,
        route=contact.channel,
        destination=contact.address,
        conversation_id=case.conversation_id,
        body=body,
    )
    return True


def _sms_alert(session: Session, case: Case, key: str, number: str) -> None:
    """A short SMS to a phone (on call, escalation): no excerpt goes by SMS."""
    enqueue(
        session,
        dedupe_key=key,
        route="sms",
        destination=number,
        conversation_id=case.conversation_id,
        body=both_languages("coordinator_alert_sms", case_id=case.id, kind=case.kind),
    )


def _alert_coordinators(session: Session, case: Case, level: int | str) -> None:
    settings = get_settings()
    body = both_languages(
        "coordinator_alert",
        case_id=case.id,
        kind=case.kind,
        categories=case.categories or "-",
        channel=case.channel,
        language=case.language or "?",
        excerpt=case.excerpt,
    )
    _to_coordinators(session, case, f"alert:{case.id}:{level}:telegram", body)
    if case.kind == "safeguarding" and settings.oncall_sms_number:
        _sms_alert(session, case, f"alert:{case.id}:sms:oncall:{level}", settings.oncall_sms_number)


def open_case(
    *, conversation_id: str, channel: str, kind: str, categories: list[str], language: str | None, text: str
) -> tuple[CaseView, bool]:
    """The open case for this conversation, created (and alerted) if there is none."""
    with session_scope() as session:
        case = session.execute(
            select(Case).where(Case.conversation_id == conversation_id, Case.status != "closed")
        ).scalar()
        if case is not None:
            merged = sorted(set(filter(None, case.categories.split(","))) | set(categories))
            case.categories = ",".join(merged)
            session.add(CaseMessage(case_id=case.id, direction="in", text=text))
            if PRIORITY[kind] < case.priority:
                # A disclosure during a complaint: the case becomes a
                # safeguarding case, and everyone is alerted again at once.
                _audit(session, "assistant", "raised", case.id, f"{case.kind} -> {kind}")
                case.kind, case.priority, case.status = kind, PRIORITY[kind], "open"
                case.excerpt = text[:EXCERPT_CHARS]
                session.flush()
                _alert_coordinators(session, case, level=f"raised-{kind}")
                return _view(case), True
            return _view(case), False
        case = Case(
            id=secrets.token_hex(3),
            conversation_id=conversation_id,
            channel=channel,
            kind=kind,
            priority=PRIORITY[kind],
            categories=",".join(categories),
            language=language,
            excerpt=text[:EXCERPT_CHARS],
        )
        session.add(case)
        session.add(CaseMessage(case_id=case.id, direction="in", text=text))
        _audit(session, "assistant", "opened", case.id, f"{kind} {case.categories}")
        session.flush()
        _alert_coordinators(session, case, level=0)
        return _view(case), True


def open_case_for(conversation_id: str) -> CaseView | None:
    """The open case a person has taken over, if any: the bot steps aside.

    A complaint case doesn't take the conversation over: the young person
    can still use the bot while a coordinator deals with it."""
    with session_scope() as session:
        case = session.execute(
            select(Case).where(
                Case.conversation_id == conversation_id,
                Case.status != "closed",
                Case.kind.in_(STEP_ASIDE_KINDS),
            )
        ).scalar()
        return _view(case) if case else None


def relay_to_coordinators(case_id: str, text: str, message_key: str) -> None:
    """A young person's message while their case is open goes to the coordinators."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        session.add(CaseMessage(case_id=case_id, direction="in", text=text))
        _to_coordinators(session, case, f"relay:{case_id}:{message_key}", f"[{case_id}] {text}")


def list_open() -> list[CaseView]:
    with session_scope() as session:
        cases = session.execute(
            select(Case).where(Case.status != "closed").order_by(Case.priority, Case.created_at)
        )
        return [_view(case) for case in cases.scalars()]


def acknowledge(case_id: str, actor: str) -> CaseView | None:
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "closed":
            return None
        if case.status == "open":
            case.status, case.acknowledged_at = "acknowledged", utcnow()
        _audit(session, actor, "acknowledged", case_id)
        return _view(case)


def reply(case_id: str, actor: str, text: str, message_key: str) -> CaseView | None:
    """Queues a coordinator's reply to the young person on their own channel."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "closed":
            return None
        if not _to_young_person(session, case, f"reply:{case_id}:{message_key}", text):
            return None
        if case.status == "open":
            case.status, case.acknowledged_at = "acknowledged", utcnow()
        session.add(CaseMessage(case_id=case_id, direction="out", text=text))
        _audit(session, actor, "replied", case_id)
        return _view(case)


def close(case_id: str, actor: str) -> CaseView | None:
    """Closes the case and tells the young person the bot is back."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "closed":
            return None
        case.status, case.closed_at = "closed", utcnow()
        _audit(session, actor, "closed", case_id)
        language = case.language if case.language in ("cy", "en") else None
        text = render_text("handoff_closed", language) if language else both_languages("handoff_closed")
        _to_young_person(session, case, f"closed:{case_id}", text)
        return _view(case)


def escalate_unacknowledged() -> list[str]:
    """Alerts the next route for cases nobody acknowledged in time."""
    settings = get_settings()
    if not settings.escalation_sms_number:
        return []
    cutoff = utcnow() - timedelta(seconds=settings.escalation_seconds)
    escalated = []
    with session_scope() as session:
        cases = session.execute(
            select(Case).where(Case.status == "open", Case.escalation_level == 0, Case.created_at <= cutoff)
        ).scalars()
        for case in cases:
            case.escalation_level = 1
            _sms_alert(session, case, f"alert:{case.id}:sms:escalation:1", settings.escalation_sms_number)
            _audit(session, "assistant", "escalated", case.id, "no acknowledgement in time")
            escalated.append(case.id)
    return escalated


def audit_trail(case_id: str) -> list[tuple[str, str]]:
    with session_scope() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.action)
            .where(AuditEntry.case_id == case_id)
            .order_by(AuditEntry.id)
        ).all()
        return [(r[0], r[1]) for r in rows]
