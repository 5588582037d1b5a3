"""Purges what we no longer need to keep, after the configured periods.

    python -m bot.retention [--dry-run]

- whole conversations (Rasa's events) whose last message is older than
  IV_RETENTION_CONVERSATION_DAYS (never part of one: a history cut short
  would be read back without its start), and then the encrypted address
  behind each (``channel_contacts``) unless a case, an open referral or a
  complaint still needs it;
- closed cases that are not safeguarding cases, with their messages, after
  IV_RETENTION_CLOSED_CASE_DAYS;
- delivery records (provider ids, send outcomes, sent outbox items) after
  IV_RETENTION_DELIVERY_DAYS;
- closed referrals (with their check-ins), resolved complaints that are not
  safeguarding matters, feedback, consent records and finished erasure
  requests after IV_RETENTION_CLOSED_RECORD_DAYS.

Never purged here: safeguarding cases, their messages and audit trail, and
the conversations they came from. Those follow the safeguarding
record-keeping rules of the service's local authority, and we say so.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.db.engine import delete_where, get_engine, session_scope
from bot.db.models import (
    AuditEntry,
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
    ProcessedDelivery,
    Referral,
    WebChatMessage,
    utcnow,
)
from bot.settings import get_settings, require_production_secrets

EVENTS_TABLE = "events"


def purge(now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    now = now or utcnow()
    settings = get_settings()
    conversations_before = now - timedelta(days=settings.retention_conversation_days)
    cases_before = now - timedelta(days=settings.retention_closed_case_days)
    deliveries_before = now - timedelta(days=settings.retention_delivery_days)
    counts: dict[str, int] = {}
    with session_scope() as session:
        safeguarding = sa.select(Case.conversation_id).where(Case.kind == "safeguarding")
        if sa.inspect(get_engine()).has_table(EVENTS_TABLE):
            events = sa.table(EVENTS_TABLE, sa.column("sender_id"), sa.column("timestamp"))
            finished = (
                sa.select(events.c.sender_id)
                .group_by(events.c.sender_id)
                .having(sa.func.max(events.c.timestamp) < conversations_before.timestamp())
            )
            old_events = sa.and_(events.c.sender_id.in_(finished), events.c.sender_id.not_in(safeguarding))
            counts["conversation events"] = delete_where(session, events, old_events, dry_run)
            still_needed = sa.union(
                sa.select(Case.conversation_id),
                sa.select(Referral.conversation_id).where(Referral.status != "closed"),
                sa.select(Complaint.conversation_id),
                sa.select(events.c.sender_id),
            )
            counts["addresses"] = delete_where(
                session,
                ChannelContact.__table__,
                sa.and_(
                    ChannelContact.created_at < conversations_before,
                    ChannelContact.conversation_id.not_in(still_needed),
                ),
                dry_run,
            )
        # A web chat page's copy of a conversation goes whole, like its events.
        quiet_pages = (
            sa.select(WebChatMessage.conversation_id)
            .group_by(WebChatMessage.conversation_id)
            .having(sa.func.max(WebChatMessage.created_at) < conversations_before)
        )
        counts["web chat messages"] = delete_where(
            session,
            WebChatMessage.__table__,
            sa.and_(
                WebChatMessage.conversation_id.in_(quiet_pages),
                WebChatMessage.conversation_id.not_in(safeguarding),
            ),
            dry_run,
        )
        old_cases = sa.select(Case.id).where(
            Case.kind != "safeguarding", Case.status == "closed", Case.closed_at < cases_before
        )
        counts["case messages"] = delete_where(
            session, CaseMessage.__table__, CaseMessage.case_id.in_(old_cases), dry_run
        )
        counts["audit entries"] = delete_where(
            session, AuditEntry.__table__, AuditEntry.case_id.in_(old_cases), dry_run
        )
        counts["cases"] = delete_where(session, Case.__table__, Case.id.in_(old_cases), dry_run)
        counts["processed deliveries"] = delete_where(
            session, ProcessedDelivery.__table__, ProcessedDelivery.received_at < deliveries_before, dry_run
        )
        counts["outbound messages"] = delete_where(
            session, OutboundMessage.__table__, OutboundMessage.created_at < deliveries_before, dry_run
        )
        counts["sent outbox items"] = delete_where(
            session,
            OutboxItem.__table__,
            sa.and_(OutboxItem.status == "sent", OutboxItem.sent_at < deliveries_before),
            dry_run,
        )
        records_before = now - timedelta(days=settings.retention_closed_record_days)
        old_referrals = sa.select(Referral.reference).where(
            Referral.status == "closed", Referral.status_changed_at < records_before
        )
        counts["check-ins"] = delete_where(
            session, CheckIn.__table__, CheckIn.referral_reference.in_(old_referrals), dry_run
        )
        counts["referrals"] = delete_where(
            session, Referral.__table__, Referral.reference.in_(old_referrals.scalar_subquery()), dry_run
        )
        counts["complaints"] = delete_where(
            session,
            Complaint.__table__,
            sa.and_(
                Complaint.status == "resolved",
                Complaint.safeguarding.is_(False),
                Complaint.status_changed_at < records_before,
            ),
            dry_run,
        )
        counts["feedback"] = delete_where(
            session, Feedback.__table__, Feedback.created_at < records_before, dry_run
        )
        counts["consent records"] = delete_where(
            session, ConsentRecord.__table__, ConsentRecord.created_at < records_before, dry_run
        )
        counts["erasure requests"] = delete_where(
            session,
            ErasureRequest.__table__,
            sa.and_(ErasureRequest.done_at.is_not(None), ErasureRequest.requested_at < records_before),
            dry_run,
        )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
    args = parser.parse_args()
    require_production_secrets()
    for what, n in purge(dry_run=args.dry_run).items():
        print(f"{what}: {n}{' (dry run)' if args.dry_run else ''}")


if __name__ == "__main__":
    main()
