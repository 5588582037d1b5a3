"""``python -m bot.coordinator``: what a coordinator does from a terminal.

Every change, and every look at a young person's details, is written to the
audit log under ``--actor`` (or ``IV_COORDINATOR_NAME``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bot.coordinator.check_ins import CheckInFailed, send_check_in
from bot.db.engine import session_scope
from bot.forms.councils import council_name
from bot.records import audit, complaints, feedback, referrals
from bot.settings import require_production_secrets


def _actor(args: argparse.Namespace) -> str:
    actor = args.actor or os.environ.get("IV_COORDINATOR_NAME")
    if not actor:
        sys.exit("say who you are: --actor NAME (or set IV_COORDINATOR_NAME)")
    return str(actor)


def _viewed(actor: str, record: str) -> None:
    with session_scope() as session:
        audit.audit(session, actor, "viewed", record=record)


def referrals_list(args: argparse.Namespace) -> None:
    rows = referrals.list_referrals(args.status)
    for r in rows:
        duplicate = f" possible duplicate of {r.possible_duplicate_of}" if r.possible_duplicate_of else ""
        print(
            f"{r.reference}  {r.status:<16} age {r.age:<3} {r.care_status:<12} "
            f"{council_name(r.local_authority, 'en'):<28} {r.language or '?'} {r.created_at:%Y-%m-%d}{duplicate}"
        )
    print(f"{len(rows)} referral(s)")


def referrals_show(args: argparse.Namespace) -> None:
    actor = _actor(args)
    r = referrals.get(args.reference)
    if r is None:
        sys.exit(f"no referral {args.reference}")
    _viewed(actor, f"referral:{r.reference}")
    for label, value in [
        ("reference", r.reference), ("status", f"{r.status} since {r.status_changed_at:%Y-%m-%d %H:%M}"),
        ("name", r.name), ("age", r.age), ("care status", r.care_status),
        ("council", council_name(r.local_authority, "en")), ("contact", f"{r.contact_method} via {r.channel}"),
        ("good time", r.contact_time), ("likes / wants", r.interests), ("social worker", r.social_worker),
        ("language", r.language), ("received", f"{r.created_at:%Y-%m-%d %H:%M}"),
        ("possible duplicate of", r.possible_duplicate_of or "-"),
    ]:  # fmt: skip
        print(f"{label:>22}: {value}")


def referrals_set_status(args: argparse.Namespace) -> None:
    updated = referrals.set_status(args.reference, args.status, _actor(args))
    if updated is None:
        sys.exit(f"no referral {args.reference}")
    print(f"{updated.reference} is now {updated.status}")


def feedback_list(args: argparse.Namespace) -> None:
    actor = _actor(args)
    rows = feedback.list_feedback(args.about)
    for f in rows:
        _viewed(actor, f"feedback:{f.reference}")
        who = "anonymous" if f.anonymous else ("check-in" if f.check_in_id else "named")
        print(
            f"{f.reference}  {f.about:<8} {f.rating}/5  {who:<10} {f.created_at:%Y-%m-%d}  {f.comment or ''}"
        )
    print(f"{len(rows)} feedback item(s)")


def complaints_list(args: argparse.Namespace) -> None:
    rows = complaints.list_complaints(args.status)
    for c in rows:
        flag = " SAFEGUARDING" if c.safeguarding else ""
        print(
            f"{c.reference}  {c.status:<12} about {c.about:<8} case {c.case_id or '-'} {c.created_at:%Y-%m-%d}{flag}"
        )
    print(f"{len(rows)} complaint(s)")


def complaints_show(args: argparse.Namespace) -> None:
    actor = _actor(args)
    c = complaints.get(args.reference)
    if c is None:
        sys.exit(f"no complaint {args.reference}")
    _viewed(actor, f"complaint:{c.reference}")
    print(f"{c.reference} ({c.status}) about {c.about}, case {c.case_id}, language {c.language}")
    print(c.details)


def complaints_set_status(args: argparse.Namespace) -> None:
    updated = complaints.set_status(args.reference, args.status, _actor(args))
    if updated is None:
        sys.exit(f"no complaint {args.reference}")
    print(f"{updated.reference} is now {updated.status}")


def check_ins_due(args: argparse.Namespace) -> None:
    due = feedback.due()
    print("\n".join(due) if due else "no check-ins due")


def check_ins_send(args: argparse.Namespace) -> None:
    actor = _actor(args)
    references = feedback.due() if args.due else args.references
    failed = 0
    for reference in references:
        try:
            check_in = send_check_in(reference, actor)
            print(f"{reference}: check-in {check_in.id} sent")
        except CheckInFailed as error:
            failed += 1
            print(f"not sent: {error}", file=sys.stderr)
    if failed:
        sys.exit(1)


def audit_trail(args: argparse.Namespace) -> None:
    for actor, action, detail in audit.trail(args.record):
        print(f"{actor:<20} {action:<12} {detail}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot.coordinator", description=__doc__)
    p.add_argument("--actor", help="your name, for the audit log (or IV_COORDINATOR_NAME)")
    kinds = p.add_subparsers(dest="kind", required=True)

    r = kinds.add_parser("referrals").add_subparsers(dest="command", required=True)
    c = r.add_parser("list")
    c.add_argument("--status", choices=referrals.STATUSES)
    c.set_defaults(run=referrals_list)
    c = r.add_parser("show")
    c.add_argument("reference")
    c.set_defaults(run=referrals_show)
    c = r.add_parser("set-status")
    c.add_argument("reference")
    c.add_argument("status", choices=referrals.STATUSES)
    c.set_defaults(run=referrals_set_status)

    f = kinds.add_parser("feedback").add_subparsers(dest="command", required=True)
    c = f.add_parser("list")
    c.add_argument("--about", choices=["match", "service"])
    c.set_defaults(run=feedback_list)

    k = kinds.add_parser("complaints").add_subparsers(dest="command", required=True)
    c = k.add_parser("list")
    c.add_argument("--status", choices=complaints.STATUSES)
    c.set_defaults(run=complaints_list)
    c = k.add_parser("show")
    c.add_argument("reference")
    c.set_defaults(run=complaints_show)
    c = k.add_parser("set-status")
    c.add_argument("reference")
    c.add_argument("status", choices=complaints.STATUSES)
    c.set_defaults(run=complaints_set_status)

    i = kinds.add_parser("check-ins").add_subparsers(dest="command", required=True)
    i.add_parser("due").set_defaults(run=check_ins_due)
    c = i.add_parser("send")
    c.add_argument("references", nargs="*")
    c.add_argument("--due", action="store_true", help="send every check-in that is due")
    c.set_defaults(run=check_ins_send)

    a = kinds.add_parser("audit")
    a.add_argument("record", help="e.g. referral:R-7K3PQX")
    a.set_defaults(run=audit_trail)
    return p


def main(argv: Sequence[str] | None = None) -> None:
    require_production_secrets()
    args = parser().parse_args(argv)
    args.run(args)
