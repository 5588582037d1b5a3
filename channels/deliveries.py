"""Provider retries (Telegram ``update_id``, Twilio ``MessageSid``) must not
produce a second reply: the first delivery claims its id, later ones see it
taken. The claim is a unique row, so it holds across processes too."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import session_scope
from bot.db.models import OutboundMessage, ProcessedDelivery, utcnow

logger = logging.getLogger(__name__)


def claim(channel: str, delivery_id: str) -> bool:
    """True the first time this delivery is seen, False for a retry."""
    try:
        with session_scope() as session:
            session.add(ProcessedDelivery(channel=channel, delivery_id=delivery_id))
        return True
    except IntegrityError:
        return False


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
    with session_scope() as session:
        session.add(
            OutboundMessage(
                conversation_id=conversation_id,
                channel=channel,
                status=status,
                attempts=attempts,
                provider_id=provider_id,
                segments=segments,
                error=(error or "")[:255] or None,
            )
        )


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


def outbound_for(conversation_id: str) -> list[OutboundMessage]:
    with session_scope() as session:
        return list(
            session.execute(select(OutboundMessage).where(OutboundMessage.conversation_id == conversation_id))
            .scalars()
            .all()
        )
