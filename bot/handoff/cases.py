"""Cases: stored before anyone is alerted, acted on only by coordinators,
every action audited.

Safeguarding cases have a level (``bot/safeguarding/triage.py``):

- ``urgent`` (priority 1): every coordinator alerted on Telegram and the
  on-call phone paged by SMS;
- ``concern`` (priority 2): a Telegram notification, no page. It becomes
  urgent when a later message is urgent, when the young person asks for a
  person, or when nobody acknowledges it within
  ``IV_CONCERN_ESCALATION_MINUTES``.

Complaints are priority 2 and a request for a person priority 3. The queue
is listed by priority (severity), then age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import Case, CaseMessage, ChannelContact, utcnow
from bot.handoff.outbox import enqueue, notify_coordinators
from bot.locales import render_both, render_for_coordinators, render_text
from bot.records.audit import audit
from bot.records.references import store_with_new_reference
from bot.settings import get_settings

EXCERPT_CHARS = 60  # enough to triage from a phone; the rest is in the case
STEP_ASIDE_KINDS = ("safeguarding", "human")
Change = Literal["created", "raised"] | None


def priority_of(kind: str, level: str | None) -> int:
    if kind == "safeguarding":
        return 2 if level == "concern" else 1
    return {"complaint": 2, "human": 3}[kind]


@dataclass(frozen=True)
class CaseView:
    id: str
    conversation_id: str
    kind: str
    status: str
    categories: str
    language: str | None
    excerpt: str
    level: str | None = None
    signals: str = ""
    priority: int = 3
    created_at: datetime | None = None

    @property
    def person_joined(self) -> bool:
        """A coordinator has acknowledged or replied: the bot steps aside."""
        return self.status == "acknowledged"

    @property
    def urgent(self) -> bool:
        return self.priority == 1


def _view(case: Case) -> CaseView:
    return CaseView(
        case.id,
        case.conversation_id,
        case.kind,
        case.status,
        case.categories,
        case.language,
        case.excerpt,
        case.level,
        case.signals or "",
        case.priority,
        case.created_at,
    )


def _audit(session: Session, actor: str, action: str, case_id: str | None, detail: str = "") -> None:
    audit(session, actor, action, case_id=case_id, detail=detail)


def in_language(key: str, language: str | None, **values: str) -> str:
    return render_text(key, language, values) if language in ("cy", "en") else render_both(key, **values)  # type: ignore[arg-type]


def _to_young_person(session: Session, case: Case, key: str, body: str) -> bool:
    """Queues a message on the young person's own channel; never after an SMS STOP."""
    contact = session.get(ChannelContact, case.conversation_id)
    if contact is None or (contact.channel == "sms" and contact.opted_out):
        return False
    return enqueue(  # False: queued already (the same form sent twice)
        session,
        dedupe_key=key,
        route=contact.channel,
        destination=contact.address,
        conversation_id=case.conversation_id,
        body=body,
    )


def _sms_alert(session: Session, case: Case, key: str, number: str) -> None:
    """A short SMS to a phone (on call, escalation): no excerpt goes by SMS."""
    enqueue(
        session,
        dedupe_key=key,
        route="sms",
        destination=number,
        conversation_id=case.conversation_id,
        body=render_both("coordinator_alert_sms", case_id=case.id, kind=_kind_label(case)),
    )


WHY_CHARS = 40


def why(signals: str | None) -> str:
    """The signals, short enough for a phone: names, not the corrected words."""
    names = [
        s.split(":")[0] if s.startswith("lexicon_misspelt") else s for s in (signals or "").split(";") if s
    ]
    return ", ".join(dict.fromkeys(names))[:WHY_CHARS] or "-"


def _kind_label(case: Case | CaseView) -> str:
    return f"{case.kind} {case.level}" if case.level else case.kind


def _alert_coordinators(session: Session, case: Case, round_: int | str) -> None:
    """Urgent: every coordinator and the on-call phone. Otherwise Telegram only."""
    settings = get_settings()
    body = render_both(
        "coordinator_alert",
        case_id=case.id,
        kind=_kind_label(case),
        categories=case.categories or "-",
        signals=why(case.signals),
        channel=case.channel,
        language=case.language or "?",
        excerpt=case.excerpt,
    )
    notify_coordinators(session, case.conversation_id, f"alert:{case.id}:{round_}:telegram", body)
    if case.priority == 1 and case.kind == "safeguarding" and settings.oncall_sms_number:
        _sms_alert(session, case, f"alert:{case.id}:sms:oncall:{round_}", settings.oncall_sms_number)


def _merge(current: str | None, new: list[str]) -> str:
    return ",".join(sorted(set(filter(None, (current or "").split(","))) | set(new)))


def _raise(session: Session, case: Case, kind: str, level: str | None, text: str, why: str) -> None:
    _audit(session, "assistant", "raised", case.id, f"{_kind_label(case)} -> {kind} {level or ''} ({why})")
    case.kind, case.level, case.priority = kind, level, priority_of(kind, level)
    case.status, case.raised_at, case.escalation_level = "open", utcnow(), 0
    case.excerpt = text[:EXCERPT_CHARS]
    session.flush()
    _alert_coordinators(session, case, round_=f"raised-{kind}-{level or ''}-{case.raised_at.timestamp():.0f}")


def open_case(
    *,
    conversation_id: str,
    channel: str,
    kind: str,
    categories: list[str],
    language: str | None,
    text: str,
    level: str | None = None,
    signals: list[str] | None = None,
) -> tuple[CaseView, Change]:
    """The open case for this conversation, created (and alerted) if there is
    none, raised (and alerted again) if this message is more urgent."""
    if kind == "safeguarding" and level is None:
        level = "urgent"
    priority = priority_of(kind, level)
    signal_text = ";".join(signals or [])
    with session_scope() as session:
        case = session.execute(
            select(Case).where(Case.conversation_id == conversation_id, Case.status != "closed")
        ).scalar()
        if case is not None:
            case.categories = _merge(case.categories, categories)
            if signal_text:
                case.signals = ";".join(filter(None, [case.signals, signal_text]))[-2000:]
            case.language = case.language or language
            session.add(CaseMessage(case_id=case.id, direction="in", text=text))
            if priority < case.priority:
                # A disclosure during a complaint, or an urgent message after a
                # concern: more urgent now, and everyone concerned is told.
                _raise(session, case, kind, level, text, "a more urgent message")
                return _view(case), "raised"
            return _view(case), None

        def store(session: Session, case_id: str) -> str:
            case = Case(
                id=case_id,
                conversation_id=conversation_id,
                channel=channel,
                kind=kind,
                level=level,
                signals=signal_text,
                priority=priority,
                categories=",".join(categories),
                language=language,
                excerpt=text[:EXCERPT_CHARS],
                waiting_notice_at=utcnow(),
            )
            session.add(case)
            session.add(CaseMessage(case_id=case_id, direction="in", text=text))
            _audit(session, "assistant", "opened", case_id, f"{_kind_label(case)} {case.categories}")
            session.flush()
            _alert_coordinators(session, case, round_=0)
            return case_id

    # Its own transaction, so a clash of ids retries without losing the case.
    case_id = store_with_new_reference("K", "case", store)
    with session_scope() as session:
        return _view(session.get(Case, case_id)), "created"


def raise_to_urgent(case_id: str, why: str) -> CaseView | None:
    """A concern becomes urgent: asked for a person, not safe, no answer in time."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "closed" or case.priority == 1:
            return _view(case) if case else None
        _raise(session, case, "safeguarding", "urgent", case.excerpt, why)
        return _view(case)


LEVELS = ("urgent", "concern")


def change_level(case_id: str, level: str, actor: str, reason: str) -> CaseView | None:
    """A coordinator raises or lowers a safeguarding case, with a reason (audited)."""
    if level not in LEVELS or not reason.strip():
        return None
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "closed" or case.kind != "safeguarding":
            return None
        if case.level != level:
            before = case.level
            case.level, case.priority = level, priority_of(case.kind, level)
            if level == "urgent":
                case.raised_at = utcnow()
            # The reason may say something personal: kept (encrypted) on the case, not in the audit log.
            session.add(
                CaseMessage(case_id=case_id, direction="note", text=f"{before} → {level}: {reason.strip()}")
            )
            _audit(session, actor, f"level {level}", case_id, f"from {before}")
        return _view(case)


def open_case_for(conversation_id: str) -> CaseView | None:
    """The open safeguarding or "talk to a person" case, if any.

    A complaint case doesn't change how the bot talks: the young person can
    still use it while a coordinator deals with the complaint."""
    with session_scope() as session:
        return open_case_in(session, conversation_id)


def open_case_in(session: Session, conversation_id: str) -> CaseView | None:
    """``open_case_for``, inside a transaction already open."""
    case = session.execute(
        select(Case).where(
            Case.conversation_id == conversation_id,
            Case.status != "closed",
            Case.kind.in_(STEP_ASIDE_KINDS),
        )
    ).scalar()
    return _view(case) if case else None


def record_message(case_id: str, text: str, message_key: str, *, relay: bool) -> None:
    """A young person's message while their case is open: kept on the case,
    and relayed to the coordinators when they need to see it now."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        session.add(CaseMessage(case_id=case_id, direction="in", text=text))
        if relay and case is not None:
            notify_coordinators(
                session, case.conversation_id, f"relay:{case_id}:{message_key}", f"[{case_id}] {text}"
            )


def note_for_coordinators(case_id: str, note: str, message_key: str) -> None:
    """Something coordinators should see on the case (a retraction, "I'm not in danger")."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None:
            return
        _audit(session, "assistant", "noted", case_id, note[:255])
        body = f"[{case_id}] ({note})"
        notify_coordinators(session, case.conversation_id, f"note:{case_id}:{message_key}", body)


def claim_waiting_notice(case_id: str, now: datetime | None = None) -> bool:
    """True (once per ``IV_WAITING_NOTICE_MINUTES``) when the bot should say
    again that a person has the message. Compare-and-set, so two processes
    never both send it."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=get_settings().waiting_notice_minutes)
    with session_scope() as session:
        result = session.execute(
            update(Case)
            .where(
                Case.id == case_id,
                Case.status == "open",
                (Case.waiting_notice_at.is_(None)) | (Case.waiting_notice_at <= cutoff),
            )
            .values(waiting_notice_at=now)
        )
        return bool(result.rowcount)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def waiting_for(case: CaseView, now: datetime | None = None) -> str:
    """How long the case has waited, short: "2 h 15 min"."""
    created, now = _aware(case.created_at or utcnow()), _aware(now or utcnow())
    minutes = max(0, int((now - created).total_seconds() // 60))
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def queue_line(case: CaseView, now: datetime | None = None) -> str:
    """One case in the coordinators' queue, in both languages."""
    values = {
        "case_id": case.id,
        "kind": _kind_label(case),
        "status": case.status,
        "categories": case.categories or "-",
        "signals": why(case.signals),
        "waiting": waiting_for(case, now),
    }
    return " / ".join(
        render_for_coordinators("coordinator_case_line", language, values) for language in ("cy", "en")
    )


def find(case_id: str) -> CaseView | None:
    with session_scope() as session:
        case = session.get(Case, case_id)
        return _view(case) if case else None


@dataclass(frozen=True)
class CaseNote:
    at: datetime
    direction: str  # in (young person) | out (coordinator) | note
    text: str


def messages(case_id: str) -> list[CaseNote]:
    """What was said and noted on the case (decrypted: the caller audits the view)."""
    with session_scope() as session:
        rows = session.execute(
            select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
        ).scalars()
        return [CaseNote(r.created_at, r.direction, r.text) for r in rows]


def list_open() -> list[CaseView]:
    """The queue: most severe first, then the longest waiting."""
    with session_scope() as session:
        cases = session.execute(
            select(Case).where(Case.status != "closed").order_by(Case.priority, Case.created_at)
        )
        return [_view(case) for case in cases.scalars()]


def _join(session: Session, case: Case, actor: str, message_key: str) -> None:
    """The first coordinator to act joins the conversation: the young person is told."""
    if case.status != "open":
        return
    case.status, case.acknowledged_at = "acknowledged", utcnow()
    if case.kind in STEP_ASIDE_KINDS:
        text = in_language("handoff_person_joined", case.language)
        _to_young_person(session, case, f"joined:{case.id}:{message_key}", text)


def acknowledge(case_id: str, actor: str, message_key: str = "ack") -> CaseView | None:
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "closed":
            return None
        _join(session, case, actor, message_key)
        _audit(session, actor, "acknowledged", case_id)
        return _view(case)


def reply(case_id: str, actor: str, text: str, message_key: str) -> CaseView | None:
    """Queues a coordinator's reply to the young person on their own channel."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "closed":
            return None
        contact = session.get(ChannelContact, case.conversation_id)
        if contact is None or (contact.channel == "sms" and contact.opted_out):
            return None
        _join(session, case, actor, message_key)
        if _to_young_person(session, case, f"reply:{case_id}:{message_key}", text):
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
        _to_young_person(session, case, f"closed:{case_id}", in_language("handoff_closed", case.language))
        return _view(case)


def escalate_unacknowledged(now: datetime | None = None) -> list[str]:
    """Concerns nobody acknowledged in time become urgent; urgent cases nobody
    acknowledged go to the next route (the escalation phone)."""
    settings = get_settings()
    now = now or utcnow()
    escalated = []
    concern_cutoff = now - timedelta(minutes=settings.concern_escalation_minutes)
    with session_scope() as session:
        waiting = session.execute(
            select(Case).where(
                Case.status == "open",
                Case.kind == "safeguarding",
                Case.priority == 2,
                Case.created_at <= concern_cutoff,
            )
        ).scalars()
        for case in waiting:
            _raise(session, case, "safeguarding", "urgent", case.excerpt, "no acknowledgement in time")
            escalated.append(case.id)
    if not settings.escalation_sms_number:
        return escalated
    cutoff = now - timedelta(seconds=settings.escalation_seconds)
    with session_scope() as session:
        cases = session.execute(
            select(Case).where(
                Case.status == "open",
                Case.priority == 1,
                Case.escalation_level == 0,
                Case.created_at <= cutoff,
                (Case.raised_at.is_(None)) | (Case.raised_at <= cutoff),
            )
        ).scalars()
        for case in cases:
            case.escalation_level = 1
            _sms_alert(session, case, f"alert:{case.id}:sms:escalation:1", settings.escalation_sms_number)
            _audit(session, "assistant", "escalated", case.id, "no acknowledgement in time")
            escalated.append(case.id)
    return escalated
