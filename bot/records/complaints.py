"""Complaints (Standard 14): stored first, then handed to a coordinator as a
complaint case, or as a safeguarding case when what happened is a
safeguarding matter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import Complaint, utcnow
from bot.handoff import cases
from bot.records.audit import audit
from bot.records.references import normalise_reference, store_with_new_reference

STATUSES = ("received", "in_progress", "resolved")


@dataclass(frozen=True)
class ComplaintView:
    reference: str
    conversation_id: str
    about: str
    details: str
    language: str | None
    case_id: str | None
    safeguarding: bool
    status: str
    created_at: datetime


def _view(c: Complaint) -> ComplaintView:
    return ComplaintView(
        c.reference, c.conversation_id, c.about, c.details, c.language, c.case_id, c.safeguarding, c.status,
        c.created_at,
    )  # fmt: skip


def submit(
    *,
    conversation_id: str,
    channel: str,
    about: str,
    details: str,
    language: str | None,
    categories: list[str],
) -> tuple[ComplaintView, bool]:
    """Stores the complaint, then opens its case. Returns (complaint, case_created)."""
    safeguarding = bool(categories)

    def store(session: Session, reference: str) -> str:
        session.add(
            Complaint(
                reference=reference,
                conversation_id=conversation_id,
                about=about,
                details=details,
                language=language,
                safeguarding=safeguarding,
            )
        )
        session.flush()
        audit(session, "assistant", "received", record=f"complaint:{reference}", detail=about)
        return reference

    reference = store_with_new_reference("C", "complaint", store)
    case, change = cases.open_case(
        conversation_id=conversation_id,
        channel=channel,
        kind="safeguarding" if safeguarding else "complaint",
        categories=categories,
        language=language,
        text=f"[{reference}] {details}",
    )
    with session_scope() as session:
        stored = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
        stored.case_id = case.id
        return _view(stored), change is not None


def get(reference: str) -> ComplaintView | None:
    with session_scope() as session:
        found = session.execute(
            select(Complaint).where(Complaint.reference == normalise_reference(reference))
        ).scalar()
        return _view(found) if found else None


def list_complaints(status: str | None = None) -> list[ComplaintView]:
    with session_scope() as session:
        query = select(Complaint).order_by(Complaint.created_at)
        if status:
            query = query.where(Complaint.status == status)
        return [_view(c) for c in session.execute(query).scalars()]


def set_status(reference: str, status: str, actor: str) -> ComplaintView | None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with session_scope() as session:
        found = session.execute(
            select(Complaint).where(Complaint.reference == normalise_reference(reference))
        ).scalar()
        if found is None:
            return None
        before = found.status
        found.status, found.status_changed_at = status, utcnow()
        audit(session, actor, "status", record=f"complaint:{found.reference}", detail=f"{before} -> {status}")
        return _view(found)
