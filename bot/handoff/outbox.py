"""The persisted outbox: what must be sent, sent once, however long it takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import OutboxItem, utcnow

MAX_BACKOFF_SECONDS = 300
LOCK_SECONDS = 60


@dataclass(frozen=True)
class Pending:
    id: int
    route: str
    destination: str
    conversation_id: str
    body: str
    attempts: int


def enqueue(
    session: Session, *, dedupe_key: str, route: str, destination: str, conversation_id: str, body: str
) -> bool:
    """Adds an item inside the caller's transaction; False if it already exists."""
    exists = session.execute(select(OutboxItem.id).where(OutboxItem.dedupe_key == dedupe_key)).first()
    if exists:
        return False
    session.add(
        OutboxItem(
            dedupe_key=dedupe_key,
            route=route,
            destination=destination,
            conversation_id=conversation_id,
            body=body,
        )
    )
    return True


def claim_due(worker: str, limit: int = 20, now: datetime | None = None) -> list[Pending]:
    """Locks due items for this worker; another worker skips them until the
    lock expires, so each item is sent by one worker."""
    now = now or utcnow()
    claimed: list[Pending] = []
    with session_scope() as session:
        ids = (
            session.execute(
                select(OutboxItem.id)
                .where(
                    OutboxItem.status == "pending",
                    OutboxItem.next_attempt_at <= now,
                    or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until < now),
                )
                .order_by(OutboxItem.id)
                .limit(limit)
            )
            .scalars()
            .all()
        )
        for item_id in ids:
            # Compare-and-set: only one worker's update matches.
            won = session.execute(
                update(OutboxItem)
                .where(
                    and_(
                        OutboxItem.id == item_id,
                        OutboxItem.status == "pending",
                        or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until < now),
                    )
                )
                .values(locked_until=now + timedelta(seconds=LOCK_SECONDS))
            ).rowcount
            if won:
                item = session.get(OutboxItem, item_id)
                claimed.append(
                    Pending(
                        item.id, item.route, item.destination, item.conversation_id, item.body, item.attempts
                    )
                )
    return claimed


def mark_sent(item_id: int) -> None:
    with session_scope() as session:
        item = session.get(OutboxItem, item_id)
        item.status, item.sent_at, item.locked_until = "sent", utcnow(), None
        item.attempts += 1


def mark_failed(item_id: int, error: str, max_attempts: int) -> None:
    """Retries later with exponential backoff; gives up (and keeps the row) after ``max_attempts``."""
    with session_scope() as session:
        item = session.get(OutboxItem, item_id)
        item.attempts += 1
        item.last_error = error[:255]
        item.locked_until = None
        if item.attempts >= max_attempts:
            item.status = "failed"
        else:
            delay = min(2**item.attempts, MAX_BACKOFF_SECONDS)
            item.next_attempt_at = utcnow() + timedelta(seconds=delay)


def statuses(dedupe_prefix: str) -> list[tuple[str, str, int]]:
    with session_scope() as session:
        rows = session.execute(
            select(OutboxItem.dedupe_key, OutboxItem.status, OutboxItem.attempts).where(
                OutboxItem.dedupe_key.like(f"{dedupe_prefix}%")
            )
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]


__all__ = ["IntegrityError", "Pending", "claim_due", "enqueue", "mark_failed", "mark_sent", "statuses"]
