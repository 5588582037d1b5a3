"""Self-referrals: stored before the young person is told, once per person,
and each status change audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.crypto import fingerprint
from bot.db.engine import session_scope
from bot.db.models import Referral, utcnow
from bot.forms.councils import council_name
from bot.handoff.cases import notify_coordinators
from bot.locales import render_both
from bot.records.audit import audit
from bot.records.references import normalise_reference, store_with_new_reference

STATUSES = ("received", "meeting_arranged", "being_matched", "matched", "closed")
OPEN_STATUSES = STATUSES[:-1]


@dataclass(frozen=True)
class ReferralAnswers:
    name: str
    age: int
    care_status: str
    local_authority: str
    contact_method: str
    contact_time: str | None
    interests: str | None
    social_worker: str | None
    preferences: str | None = None


@dataclass(frozen=True)
class ReferralView:
    reference: str
    conversation_id: str
    channel: str
    language: str | None
    name: str
    age: int
    care_status: str
    local_authority: str
    contact_method: str
    contact_time: str | None
    interests: str | None
    social_worker: str | None
    status: str
    status_changed_at: datetime
    created_at: datetime
    possible_duplicate_of: str | None
    preferences: str | None = None


def _view(r: Referral) -> ReferralView:
    return ReferralView(
        r.reference, r.conversation_id, r.channel, r.language, r.name, r.age, r.care_status, r.local_authority,
        r.contact_method, r.contact_time, r.interests, r.social_worker, r.status, r.status_changed_at,
        r.created_at, r.possible_duplicate_of, r.preferences,
    )  # fmt: skip


def _open_for(session: Session, conversation_id: str) -> Referral | None:
    return session.execute(
        select(Referral)
        .where(Referral.conversation_id == conversation_id, Referral.status.in_(OPEN_STATUSES))
        .order_by(Referral.id.desc())
    ).scalar()


def submit(
    answers: ReferralAnswers, *, conversation_id: str, channel: str, language: str | None
) -> tuple[ReferralView, bool]:
    """Stores a referral and queues the coordinators' notification in the same
    transaction. Returns (referral, created): a second referral from the same
    conversation while one is open returns the first one, unchanged."""
    same_answers = fingerprint(answers.name, str(answers.age), answers.local_authority)

    def store(session: Session, reference: str) -> tuple[ReferralView, bool]:
        existing = _open_for(session, conversation_id)
        if existing is not None:
            return _view(existing), False
        twin = session.execute(
            select(Referral.reference).where(
                Referral.fingerprint == same_answers, Referral.status.in_(OPEN_STATUSES)
            )
        ).scalar()
        referral = Referral(
            reference=reference,
            conversation_id=conversation_id,
            channel=channel,
            language=language,
            fingerprint=same_answers,
            possible_duplicate_of=twin,
            **asdict(answers),
        )
        session.add(referral)
        session.flush()
        audit(session, "assistant", "received", record=f"referral:{reference}", detail=f"via {channel}")
        # Normal priority, and no name: coordinators read the rest in the tool.
        body = render_both(
            "coordinator_referral",
            reference=reference,
            age=str(answers.age),
            care_status=answers.care_status,
            council=council_name(answers.local_authority, "en"),
            language=language or "?",
            duplicate=twin or "-",
        )
        notify_coordinators(session, conversation_id, f"referral:{reference}", body)
        return _view(referral), True

    return store_with_new_reference("R", "referral", store)


def add_preferences(conversation_id: str, preferences: str) -> str | None:
    """Records wishes about the IV on this conversation's open referral, if it
    has one; returns its reference."""
    with session_scope() as session:
        referral = _open_for(session, conversation_id)
        if referral is None:
            return None
        referral.preferences = preferences
        audit(session, "assistant", "preferences", record=f"referral:{referral.reference}")
        return str(referral.reference)


def latest_for(conversation_id: str) -> ReferralView | None:
    """This conversation's most recent referral: status is only ever told to
    the conversation that made it."""
    with session_scope() as session:
        referral = session.execute(
            select(Referral).where(Referral.conversation_id == conversation_id).order_by(Referral.id.desc())
        ).scalar()
        return _view(referral) if referral else None


def get(reference: str) -> ReferralView | None:
    with session_scope() as session:
        referral = session.execute(
            select(Referral).where(Referral.reference == normalise_reference(reference))
        ).scalar()
        return _view(referral) if referral else None


def list_referrals(status: str | None = None) -> list[ReferralView]:
    with session_scope() as session:
        query = select(Referral).order_by(Referral.created_at)
        if status:
            query = query.where(Referral.status == status)
        return [_view(r) for r in session.execute(query).scalars()]


def set_status(reference: str, status: str, actor: str) -> ReferralView | None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with session_scope() as session:
        referral = session.execute(
            select(Referral).where(Referral.reference == normalise_reference(reference))
        ).scalar()
        if referral is None:
            return None
        before = referral.status
        referral.status, referral.status_changed_at = status, utcnow()
        if status == "matched" and referral.matched_at is None:
            referral.matched_at = referral.status_changed_at
        audit(
            session, actor, "status", record=f"referral:{referral.reference}", detail=f"{before} -> {status}"
        )
        return _view(referral)
