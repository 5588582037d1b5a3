""" "Delete my data": what goes, what must stay, and doing it.

Deleted: referrals, feedback linked to the conversation, complaints and cases
that are not safeguarding matters (with their messages), consent records,
check-ins, queued and sent message records, the channel address, and the
conversation itself (Rasa's tracker).

Kept: safeguarding cases, their messages and the conversation they came from,
and the address needed to reach the young person about them. The law on
safeguarding records decides how long those are kept, not this service. The
audit log keeps only references and actions, never personal data, and records
that the deletion happened.

The conversation and the address are deleted by the worker shortly after
the turn ends: deleting the conversation inside the turn would let Rasa write
the whole tracker back, and the address is needed to send the last reply.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.db.engine import delete_where, session_scope
from bot.db.models import (
    Case,
    CaseMessage,
    ChannelContact,
    CheckIn,
    Complaint,
    ConsentRecord,
    ErasureRequest,
    Feedback,
    OutboundMessage,
    OutboxItem,
    Referral,
    WebChatMessage,
    utcnow,
)
from bot.records.audit import audit

EVENTS_TABLE = "events"
SETTLE_SECONDS = 3.0  # let Rasa finish saving the turn that asked for deletion


def has_safeguarding_record(conversation_id: str) -> bool:
    with session_scope() as session:
        return (
            session.execute(
                sa.select(Case.id).where(Case.conversation_id == conversation_id, Case.kind == "safeguarding")
            ).first()
            is not None
        )


def erase(conversation_id: str) -> dict[str, int]:
    """Deletes this conversation's records now and queues its conversation
    for the worker. Returns how many of each were deleted."""
    counts: dict[str, int] = {}
    with session_scope() as session:
        safeguarding_cases = sa.select(Case.id).where(
            Case.conversation_id == conversation_id, Case.kind == "safeguarding"
        )
        keep = session.execute(safeguarding_cases).first() is not None
        other_cases = sa.select(Case.id).where(
            Case.conversation_id == conversation_id, Case.kind != "safeguarding"
        )

        def delete(name: str, table: sa.Table, where: sa.sql.ColumnElement) -> None:
            counts[name] = delete_where(session, table, where)

        delete("referrals", Referral.__table__, Referral.conversation_id == conversation_id)
        delete("feedback", Feedback.__table__, Feedback.conversation_id == conversation_id)
        delete("check-ins", CheckIn.__table__, CheckIn.conversation_id == conversation_id)
        delete(
            "complaints",
            Complaint.__table__,
            sa.and_(Complaint.conversation_id == conversation_id, Complaint.safeguarding.is_(False)),
        )
        delete("case messages", CaseMessage.__table__, CaseMessage.case_id.in_(other_cases))
        delete("cases", Case.__table__, Case.id.in_(other_cases))
        delete("consent records", ConsentRecord.__table__, ConsentRecord.conversation_id == conversation_id)
        delete("sent messages", OutboundMessage.__table__, OutboundMessage.conversation_id == conversation_id)
        session.add(ErasureRequest(conversation_id=conversation_id, keep_conversation=keep))
        audit(
            session,
            "young person",
            "erased",
            record=f"conversation:{conversation_id[-12:]}",
            detail=", ".join(f"{k} {v}" for k, v in counts.items()) + ("; safeguarding kept" if keep else ""),
        )
    return counts


def delete_conversation(session: sa.orm.Session, conversation_id: str) -> int:
    # The web chat page's copy of the conversation goes with it.
    session.execute(sa.delete(WebChatMessage).where(WebChatMessage.conversation_id == conversation_id))
    if not sa.inspect(session.get_bind()).has_table(EVENTS_TABLE):
        return 0
    events = sa.table(EVENTS_TABLE, sa.column("sender_id"))
    return int(session.execute(sa.delete(events).where(events.c.sender_id == conversation_id)).rowcount or 0)


def process_pending(settle_seconds: float = SETTLE_SECONDS) -> int:
    """The worker's part: deletes the conversations of confirmed erasures
    once their turn has ended. Returns how many were done."""
    cutoff = utcnow() - timedelta(seconds=settle_seconds)
    done = 0
    with session_scope() as session:
        pending = session.execute(
            sa.select(ErasureRequest).where(
                ErasureRequest.done_at.is_(None), ErasureRequest.requested_at <= cutoff
            )
        ).scalars()
        requests = [(r.id, r.conversation_id, r.keep_conversation) for r in pending]
    for request_id, conversation_id, keep in requests:
        if not keep:
            # One transaction, so nobody sees the conversation gone but the address still there.
            with session_scope() as session:
                delete_conversation(session, conversation_id)
                # The address goes last: the reply to "delete my data" needed it.
                session.execute(sa.delete(OutboxItem).where(OutboxItem.conversation_id == conversation_id))
                session.execute(
                    sa.delete(ChannelContact).where(ChannelContact.conversation_id == conversation_id)
                )
        with session_scope() as session:
            session.get(ErasureRequest, request_id).done_at = utcnow()
        done += 1
    return done
