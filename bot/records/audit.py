"""The audit log: who did what to a case or a record, and when. Never
personal data: ids, references and actions only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import AuditEntry


def audit(
    session: Session,
    actor: str,
    action: str,
    *,
    case_id: str | None = None,
    record: str | None = None,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(actor=actor[:64], action=action[:32], case_id=case_id, record=record, detail=detail[:255])
    )


def trail(record: str) -> list[tuple[str, str, str]]:
    """(actor, action, detail) for a record such as ``referral:R-7K3PQX``, oldest first."""
    with session_scope() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.record == record)
            .order_by(AuditEntry.id)
        ).all()
        return [(r[0], r[1], r[2] or "") for r in rows]
