"""Who a conversation is, on which channel: the only place raw addresses live
(encrypted). Everything else, logs and Rasa's tracker included, sees only the
keyed conversation id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.crypto import conversation_id
from bot.db.engine import session_scope
from bot.db.models import ChannelContact, utcnow


@dataclass(frozen=True)
class Contact:
    conversation_id: str
    channel: str
    address: str
    opted_out: bool


def remember(channel: str, address: str) -> str:
    """Records the address behind a conversation id, and returns the id."""
    cid = conversation_id(channel, address)
    for _attempt in range(2):
        try:
            with session_scope() as session:
                row = session.get(ChannelContact, cid)
                if row is None:
                    session.add(ChannelContact(conversation_id=cid, channel=channel, address=address))
                else:
                    row.last_seen_at = utcnow()
            return cid
        except IntegrityError:
            # Two first messages at once: the other one created the row. Update it.
            continue
    return cid


def remember_contact(channel: str, address: str) -> Contact:
    """``remember``, and the contact as it now is."""
    cid = remember(channel, address)
    contact = lookup(cid)
    return contact if contact is not None else Contact(cid, channel, address, False)


def lookup(cid: str) -> Contact | None:
    with session_scope() as session:
        row = session.execute(select(ChannelContact).where(ChannelContact.conversation_id == cid)).scalar()
        if row is None:
            return None
        return Contact(row.conversation_id, row.channel, row.address, row.opted_out)


def set_opted_out(cid: str, opted_out: bool) -> None:
    with session_scope() as session:
        row = session.get(ChannelContact, cid)
        if row is not None:
            row.opted_out = opted_out
            row.opted_out_at = utcnow() if opted_out else None
