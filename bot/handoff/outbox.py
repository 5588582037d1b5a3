"""The persisted outbox: what must be sent, sent once, however long it takes.

Each item is claimed by one worker at a time (``locked_by`` with a lease,
``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a compare-and-set everywhere),
and only the worker holding it may record the outcome. The worker renews the
lease just before each send and gives a send less time than the lease, so a
slow provider can't let a second worker send the same item meanwhile.

An item that can't be read (a wrong key, a damaged row) is set aside as
``dead`` with its reason, coordinators are told, and the worker carries on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Text, and_, exists, not_, or_, select, type_coerce, update
from sqlalchemy.orm import Session, aliased

from bot.crypto import decrypt
from bot.db.engine import session_scope
from bot.db.models import OutboxItem, utcnow
from bot.locales import render_both
from bot.settings import get_settings

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300
LEASE_SECONDS = 60.0
CLAIM_LIMIT = 5  # a few at a time: each is sent well inside its lease
# A reply's first try starts up to 15 s before it is queued (channels/replies.py),
# and the provider's clock is not ours.
MAY_HAVE_GONE_BEFORE = timedelta(seconds=60)


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    DEAD = "dead"  # could not be read or sent at all: set aside, coordinators told


@dataclass(frozen=True)
class Pending:
    id: int
    route: str
    destination: str
    conversation_id: str
    body: str
    attempts: int
    dedupe_key: str = ""
    created_at: datetime | None = None

    @property
    def sent_since(self) -> datetime | None:
        """When an earlier try may have reached the provider although we never
        heard back (a timeout): a retry should look before it sends again.
        A queued reply had its first try before it was queued."""
        if self.created_at is None or not (self.attempts or self.dedupe_key.startswith("reply:")):
            return None
        return self.created_at - MAY_HAVE_GONE_BEFORE


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


REPLY_PREFIX = "reply:"


def _claimable(now: datetime) -> object:
    # A young person's replies go in order: one waits while an earlier one of
    # the same conversation is pending (alerts never wait behind them).
    earlier = aliased(OutboxItem)
    waiting_behind = exists().where(
        earlier.conversation_id == OutboxItem.conversation_id,
        earlier.status == Status.PENDING,
        earlier.id < OutboxItem.id,
        earlier.dedupe_key.like(REPLY_PREFIX + "%"),
    )
    return and_(
        OutboxItem.status == Status.PENDING,
        OutboxItem.next_attempt_at <= now,
        or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until < now),
        or_(not_(OutboxItem.dedupe_key.like(REPLY_PREFIX + "%")), not_(waiting_behind)),
    )


def has_pending_replies(conversation_id: str) -> bool:
    with session_scope() as session:
        return (
            session.execute(
                select(OutboxItem.id)
                .where(
                    OutboxItem.conversation_id == conversation_id,
                    OutboxItem.status == Status.PENDING,
                    OutboxItem.dedupe_key.like(REPLY_PREFIX + "%"),
                )
                .limit(1)
            ).first()
            is not None
        )


def claim_due(
    worker: str, limit: int = CLAIM_LIMIT, now: datetime | None = None, lease: float = LEASE_SECONDS
) -> list[Pending]:
    """Leases due items to this worker. An item that can't be read is set
    aside (``dead``) here, never handed on: one bad row never stops the worker."""
    now = now or utcnow()
    claimed: list[Pending] = []
    unreadable: list[int] = []
    with session_scope() as session:
        ids = (
            session.execute(
                select(OutboxItem.id)
                .where(_claimable(now))
                .order_by(OutboxItem.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        for item_id in ids:
            won = session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item_id, _claimable(now))
                .values(locked_until=now + timedelta(seconds=lease), locked_by=worker)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not won:
                continue
            # The encrypted columns as stored, decrypted here one by one.
            row = session.execute(
                select(
                    OutboxItem.route,
                    type_coerce(OutboxItem.destination, Text),
                    OutboxItem.conversation_id,
                    type_coerce(OutboxItem.body, Text),
                    OutboxItem.attempts,
                    OutboxItem.dedupe_key,
                    OutboxItem.created_at,
                ).where(OutboxItem.id == item_id)
            ).one()
            try:
                destination, body = decrypt(row[1]), decrypt(row[3])
            except ValueError:
                unreadable.append(item_id)
                continue
            created = row[6] if row[6].tzinfo else row[6].replace(tzinfo=UTC)  # SQLite: naive UTC
            claimed.append(Pending(item_id, row[0], destination, row[2], body, row[4], row[5], created))
        for item_id in unreadable:
            _set_aside(session, item_id, "cannot decrypt: wrong key or damaged data")
    return claimed


def _set_aside(session: Session, item_id: int, reason: str) -> None:
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id)
        .values(status=Status.DEAD, last_error=reason[:255], locked_until=None, locked_by=None)
        .execution_options(synchronize_session=False)
    )
    logger.error("outbox item %s set aside: %s", item_id, reason)
    conversation_id = session.execute(
        select(OutboxItem.conversation_id).where(OutboxItem.id == item_id)
    ).scalar()
    body = render_both("coordinator_item_set_aside", item=str(item_id), reason=reason)
    notify_coordinators(session, str(conversation_id or "-"), f"dead:{item_id}", body)


def renew(item_id: int, worker: str, lease: float = LEASE_SECONDS) -> bool:
    """Extends this worker's lease just before a send; False if it lost the item."""
    with session_scope() as session:
        return bool(
            session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id == item_id,
                    OutboxItem.locked_by == worker,
                    OutboxItem.status == Status.PENDING,
                )
                .values(locked_until=utcnow() + timedelta(seconds=lease))
                .execution_options(synchronize_session=False)
            ).rowcount
        )


def mark_sent(item_id: int, worker: str) -> bool:
    """Records a send; only the worker holding the item may. False if it didn't."""
    with session_scope() as session:
        done = session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.id == item_id, OutboxItem.locked_by == worker, OutboxItem.status == Status.PENDING
            )
            .values(
                status=Status.SENT,
                sent_at=utcnow(),
                locked_until=None,
                locked_by=None,
                attempts=OutboxItem.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    if not done:
        logger.warning("outbox item %s was sent by a worker that no longer held it", item_id)
    return bool(done)


def mark_failed(item_id: int, worker: str, error: str, max_attempts: int) -> None:
    """Retries later with exponential backoff; gives up (and keeps the row) after ``max_attempts``."""
    with session_scope() as session:
        item = session.get(OutboxItem, item_id)
        if item is None or item.locked_by != worker or item.status != Status.PENDING:
            return
        item.attempts += 1
        item.last_error = error[:255]
        item.locked_until, item.locked_by = None, None
        if item.attempts >= max_attempts:
            item.status = Status.FAILED
        else:
            delay = min(2**item.attempts, MAX_BACKOFF_SECONDS)
            item.next_attempt_at = utcnow() + timedelta(seconds=delay)


def set_aside(item_id: int, worker: str, reason: str) -> None:
    """An item that fails in a way no retry will fix (a bug, an unknown route)."""
    with session_scope() as session:
        owned = session.execute(
            select(OutboxItem.id).where(OutboxItem.id == item_id, OutboxItem.locked_by == worker)
        ).first()
        if owned:
            _set_aside(session, item_id, reason)


__all__ = [
    "Pending",
    "Status",
    "claim_due",
    "enqueue",
    "has_pending_replies",
    "mark_failed",
    "mark_sent",
    "notify_coordinators",
    "renew",
    "set_aside",
]
