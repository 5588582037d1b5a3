"""Provider retries (Telegram ``update_id``, Twilio ``MessageSid``) must not
produce a second reply: the first delivery claims its id (``inbound.accept``),
later ones see it taken. The claim is a unique row, so it holds across
processes too.

At least once in: the claim keeps what is needed to handle the message again
(encrypted) until it is marked processed. One that stays unprocessed (its
process died mid-turn) is taken up again by ``take_unprocessed``, or, when
it is too late for that, the young person is told something went wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, select, type_coerce, update

from bot.crypto import decrypt
from bot.db.engine import session_scope
from bot.db.models import OutboundMessage, ProcessedDelivery, utcnow

logger = logging.getLogger(__name__)


MAX_ATTEMPTS = 3  # a message that fails this often gets the kind "something went wrong"
TOO_LATE = timedelta(minutes=15)  # to answer as if nothing happened


# A message that waited this long in its conversation's queue is marked as
# started, so recovery doesn't take it for lost; most start at once and skip it.
QUEUED_LONG_SECONDS = 10.0


def touch(channel: str, delivery_id: str) -> None:
    """Its handling starts now: not lost for another ``stale_seconds``."""
    with session_scope() as session:
        session.execute(
            update(ProcessedDelivery)
            .where(
                ProcessedDelivery.channel == channel,
                ProcessedDelivery.delivery_id == delivery_id,
                ProcessedDelivery.processed_at.is_(None),
            )
            .values(received_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def is_processed(channel: str, delivery_id: str) -> bool:
    with session_scope() as session:
        return (
            session.execute(
                select(ProcessedDelivery.id).where(
                    ProcessedDelivery.channel == channel,
                    ProcessedDelivery.delivery_id == delivery_id,
                    ProcessedDelivery.processed_at.is_not(None),
                )
            ).first()
            is not None
        )


# A turn's records of what was sent, written with its "processed" mark in one
# transaction (``outbound_held`` / ``mark_processed``) rather than one each.
_held_outbound: ContextVar[list[dict[str, Any]] | None] = ContextVar("held_outbound", default=None)


@contextmanager
def outbound_held() -> Iterator[list[dict[str, Any]]]:
    """Inside, records of sent messages wait in the list given, for
    ``mark_processed`` (``asyncio.to_thread`` carries the list along)."""
    held: list[dict[str, Any]] = []
    token = _held_outbound.set(held)
    try:
        yield held
    finally:
        _held_outbound.reset(token)


def mark_processed(channel: str, delivery_id: str, outbound: list[dict[str, Any]] | None = None) -> None:
    """Done with (answered, or told something went wrong): its payload goes,
    and the turn's held records of what was sent are written with it."""
    with session_scope() as session:
        session.add_all(OutboundMessage(**fields) for fields in outbound or [])
        session.execute(
            update(ProcessedDelivery)
            .where(ProcessedDelivery.channel == channel, ProcessedDelivery.delivery_id == delivery_id)
            .values(processed_at=utcnow(), payload=None)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class Unprocessed:
    delivery_id: str
    conversation_id: str | None
    payload: str | None  # None: unreadable, or given up on
    give_up: bool  # too late or too often: tell the young person, don't handle it


def take_unprocessed(channel: str, stale_seconds: float, now: datetime | None = None) -> list[Unprocessed]:
    """Deliveries received over ``stale_seconds`` ago and never processed,
    oldest first, each taken by a compare-and-set on its ``received_at`` (so
    two processes never both take one)."""
    now = now or utcnow()
    taken: list[Unprocessed] = []
    with session_scope() as session:
        rows = session.execute(
            select(
                ProcessedDelivery.id,
                ProcessedDelivery.delivery_id,
                ProcessedDelivery.conversation_id,
                type_coerce(ProcessedDelivery.payload, Text),
                ProcessedDelivery.attempts,
                ProcessedDelivery.received_at,
            )
            .where(
                ProcessedDelivery.channel == channel,
                ProcessedDelivery.processed_at.is_(None),
                ProcessedDelivery.payload.is_not(None),
                ProcessedDelivery.received_at < now - timedelta(seconds=stale_seconds),
            )
            .order_by(ProcessedDelivery.id)
        ).all()
        for row_id, delivery_id, conversation_id, raw, attempts, received_at in rows:
            won = session.execute(
                update(ProcessedDelivery)
                .where(ProcessedDelivery.id == row_id, ProcessedDelivery.received_at == received_at)
                .values(received_at=now, attempts=attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not won:
                continue
            try:
                payload: str | None = decrypt(raw)
            except ValueError:
                payload = None
            late = received_at.replace(tzinfo=received_at.tzinfo or now.tzinfo) < now - TOO_LATE
            give_up = payload is None or late or attempts >= MAX_ATTEMPTS
            taken.append(Unprocessed(delivery_id, conversation_id, payload, give_up))
    return taken


def record_outbound(
    *,
    conversation_id: str,
    channel: str,
    status: str,
    attempts: int,
    provider_id: str | None = None,
    segments: int | None = None,
    error: str | None = None,
) -> None:
    fields = {
        "conversation_id": conversation_id,
        "channel": channel,
        "status": status,
        "attempts": attempts,
        "provider_id": provider_id,
        "segments": segments,
        "error": (error or "")[:255] or None,
    }
    held = _held_outbound.get()
    if held is not None:
        held.append(fields)
        return
    with session_scope() as session:
        session.add(OutboundMessage(**fields))


def record_suppressed(conversation_id: str, channel: str) -> None:
    """Not sent: the young person has stopped texts (SMS STOP)."""
    record_outbound(conversation_id=conversation_id, channel=channel, status="suppressed", attempts=0)


def known_provider_ids(provider_ids: list[str]) -> set[str]:
    """Which of these provider message ids we have a record of sending."""
    with session_scope() as session:
        rows = session.execute(
            select(OutboundMessage.provider_id).where(OutboundMessage.provider_id.in_(provider_ids))
        )
        return {row[0] for row in rows}


def record_failure(
    *, conversation_id: str, channel: str, attempts: int, error: str, segments: int | None = None
) -> None:
    """A send that failed for good: logged (by conversation id only) and kept."""
    logger.error("%s message to %s failed after %d attempts: %s", channel, conversation_id, attempts, error)
    record_outbound(
        conversation_id=conversation_id,
        channel=channel,
        status="failed",
        attempts=attempts,
        segments=segments,
        error=error,
    )


def record_status(provider_id: str, status: str, error: str | None = None) -> bool:
    """A delivery-status callback: updates the message it is about, if known."""
    with session_scope() as session:
        result = session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.provider_id == provider_id)
            .values(status=status, error=error, updated_at=utcnow())
        )
        return bool(result.rowcount)
