"""A provider's message, accepted in one transaction: its delivery id claimed
(a retry is refused), what is needed to handle it again kept until it is
handled, the sender's address remembered, and their open case read. What
is needed to send the replies (the address, whether they stopped texts) and
to decide the turn (the case) comes back, so nothing is looked up again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.conversations.contacts import Contact
from bot.crypto import conversation_id
from bot.db.engine import session_scope
from bot.db.models import ChannelContact, ProcessedDelivery, utcnow
from bot.handoff.cases import CaseView, open_case_in


@dataclass(frozen=True)
class Accepted:
    first_time: bool  # False: the provider's retry of a message we already have
    contact: Contact | None  # None: no address kept (a group chat, a coordinator)
    case: CaseView | None = None  # the open case, as it was on arrival


def _insert(session: Session, table: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def accept(
    channel: str, delivery_id: str, address: str | None = None, payload: str | None = None
) -> Accepted:
    """``address``: the sender's, when this conversation is a young person's
    (its id is then kept with the payload, for recovery)."""
    cid = conversation_id(channel, address) if address is not None else None
    with session_scope() as session:
        claimed = session.execute(
            _insert(session, ProcessedDelivery.__table__)
            .values(channel=channel, delivery_id=delivery_id, conversation_id=cid, payload=payload)
            .on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
        ).rowcount
        if not claimed:
            return Accepted(False, None)
        if address is None or cid is None:
            return Accepted(True, None)
        now = utcnow()
        session.execute(
            _insert(session, ChannelContact.__table__)
            .values(conversation_id=cid, channel=channel, address=address, last_seen_at=now)
            .on_conflict_do_update(index_elements=["conversation_id"], set_={"last_seen_at": now})
        )
        opted_out = session.execute(
            select(ChannelContact.opted_out).where(ChannelContact.conversation_id == cid)
        ).scalar_one()
        return Accepted(True, Contact(cid, channel, address, bool(opted_out)), open_case_in(session, cid))
