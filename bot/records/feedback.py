"""Feedback (Standards 4 and 9): a rating and an optional comment about the
match or the service, anonymous if the young person chooses; check-ins are
the coordinators' "how is it going?" whose answer is recorded as feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import CheckIn, Feedback, Referral, utcnow
from bot.handoff.cases import notify_coordinators
from bot.locales import render_both
from bot.records.audit import audit
from bot.records.references import normalise_reference, store_with_new_reference
from bot.settings import get_settings

LOW_RATING = 2  # a match going badly reaches a coordinator at once


@dataclass(frozen=True)
class FeedbackView:
    reference: str
    about: str
    rating: int
    comment: str | None
    anonymous: bool
    language: str | None
    check_in_id: int | None
    created_at: datetime


def _view(f: Feedback) -> FeedbackView:
    return FeedbackView(
        f.reference, f.about, f.rating, f.comment, f.conversation_id is None, f.language, f.check_in_id,
        f.created_at,
    )  # fmt: skip


def submit(
    *,
    conversation_id: str,
    about: str,
    rating: int,
    comment: str | None,
    anonymous: bool,
    language: str | None,
    check_in_id: int | None = None,
) -> FeedbackView:
    if not 1 <= rating <= 5:
        raise ValueError("rating must be 1..5")

    def store(session: Session, reference: str) -> FeedbackView:
        linked = check_in_id
        if linked is not None:
            check_in = session.get(CheckIn, linked)
            if check_in is not None and check_in.conversation_id == conversation_id:
                check_in.answered_at = utcnow()
            else:
                linked = None
        feedback = Feedback(
            reference=reference,
            # Anonymous: nothing links it to the conversation, not even a check-in.
            conversation_id=None if anonymous else conversation_id,
            about=about,
            rating=rating,
            comment=comment,
            language=language,
            check_in_id=None if anonymous else linked,
        )
        session.add(feedback)
        session.flush()
        audit(session, "assistant", "received", record=f"feedback:{reference}", detail=about)
        if rating <= LOW_RATING and not anonymous:
            body = render_both(
                "coordinator_low_feedback", reference=reference, about=about, rating=str(rating)
            )
            notify_coordinators(session, conversation_id, f"feedback:{reference}", body)
        return _view(feedback)

    return store_with_new_reference("F", "feedback", store)


def list_feedback(about: str | None = None) -> list[FeedbackView]:
    with session_scope() as session:
        query = select(Feedback).order_by(Feedback.created_at)
        if about:
            query = query.where(Feedback.about == about)
        return [_view(f) for f in session.execute(query).scalars()]


# --- Check-ins ----------------------------------------------------------------


@dataclass(frozen=True)
class CheckInView:
    id: int
    referral_reference: str
    conversation_id: str
    sent_at: datetime
    answered_at: datetime | None


def due(now: datetime | None = None) -> list[str]:
    """Matched referrals owed a check-in: the first some weeks after the
    match, then every few months (settings)."""
    settings = get_settings()
    now = now or utcnow()
    first, every = timedelta(days=settings.check_in_first_days), timedelta(days=settings.check_in_every_days)
    owed = []
    with session_scope() as session:
        last_sent = dict(
            session.execute(
                select(CheckIn.referral_reference, func.max(CheckIn.sent_at)).group_by(
                    CheckIn.referral_reference
                )
            ).all()
        )
        for reference, matched_at in session.execute(
            select(Referral.reference, Referral.matched_at).where(Referral.status == "matched")
        ).all():
            last = last_sent.get(reference)
            if (
                last is None
                and matched_at is not None
                and _aware(matched_at) + first <= now
                or last is not None
                and _aware(last) + every <= now
            ):
                owed.append(reference)
    return owed


def sent_check_ins(limit: int = 100) -> list[CheckInView]:
    """The latest check-ins sent, newest first, and whether each was answered."""
    with session_scope() as session:
        rows = session.execute(
            select(CheckIn).order_by(CheckIn.sent_at.desc(), CheckIn.id.desc()).limit(limit)
        )
        return [
            CheckInView(c.id, c.referral_reference, c.conversation_id, c.sent_at, c.answered_at)
            for c in rows.scalars()
        ]


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def start_check_in(reference: str, actor: str) -> CheckInView | None:
    """Records a check-in for a matched referral; the caller then asks the
    assistant to put the question (bot/coordinator/check_ins.py)."""
    with session_scope() as session:
        referral = session.execute(
            select(Referral).where(Referral.reference == normalise_reference(reference))
        ).scalar()
        if referral is None or referral.status != "matched":
            return None
        check_in = CheckIn(
            referral_reference=referral.reference, conversation_id=referral.conversation_id, sent_by=actor
        )
        session.add(check_in)
        session.flush()
        audit(
            session,
            actor,
            "check_in",
            record=f"referral:{referral.reference}",
            detail=f"check-in {check_in.id}",
        )
        return CheckInView(
            check_in.id, check_in.referral_reference, check_in.conversation_id, check_in.sent_at, None
        )
