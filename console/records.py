"""Referrals, feedback, complaints, check-ins and erasure: lists with a
filter, a detail page, status changes. Every look at a young person's
details is audited (bot.records.audit)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.coordinator.check_ins import CheckInFailed, send_check_in
from bot.db.engine import session_scope
from bot.db.models import ErasureRequest
from bot.forms.councils import council_name
from bot.records import complaints, feedback, referrals
from bot.records.audit import audit
from console.app import signed_in
from console.charts import feedback_chart
from console.security import Role

pages = Blueprint("records", __name__)


def _actor() -> str:
    return f"console:{g.staff.username}"


def _viewed(record: str) -> None:
    with session_scope() as session:
        audit(session, _actor(), "viewed", record=record)


@pages.get("/referrals")
@signed_in()
def referral_list() -> Any:
    status = request.args.get("status") or None
    rows = referrals.list_referrals(status if status in referrals.STATUSES else None)
    return render_template(
        "referrals.html", referrals=rows, statuses=referrals.STATUSES, status=status, council=council_name
    )


@pages.get("/referrals/<reference>")
@signed_in()
def referral(reference: str) -> Any:
    found = referrals.get(reference)
    if found is None:
        abort(404)
    _viewed(f"referral:{found.reference}")
    duplicate = referrals.get(found.possible_duplicate_of) if found.possible_duplicate_of else None
    if duplicate is not None:
        _viewed(f"referral:{duplicate.reference}")
    return render_template(
        "referral.html",
        referral=found,
        duplicate=duplicate,
        statuses=referrals.STATUSES,
        council=council_name,
    )


@pages.post("/referrals/<reference>/status")
@signed_in()
def referral_status(reference: str) -> Any:
    status = request.form.get("status", "")
    if status not in referrals.STATUSES or referrals.set_status(reference, status, _actor()) is None:
        abort(400)
    return redirect(url_for("records.referral", reference=reference))


@pages.get("/feedback")
@signed_in()
def feedback_list() -> Any:
    rows = feedback.list_feedback()
    with session_scope() as session:
        for f in rows:
            audit(session, _actor(), "viewed", record=f"feedback:{f.reference}")
    return render_template("feedback.html", feedback=rows)


@pages.get("/feedback/chart.png")
@signed_in()
def chart() -> Response:
    return Response(feedback_chart(feedback.list_feedback(), g.t["console_chart"]), mimetype="image/png")


@pages.get("/complaints")
@signed_in()
def complaint_list() -> Any:
    status = request.args.get("status") or None
    rows = complaints.list_complaints(status if status in complaints.STATUSES else None)
    return render_template("complaints.html", complaints=rows, statuses=complaints.STATUSES, status=status)


@pages.get("/complaints/<reference>")
@signed_in()
def complaint(reference: str) -> Any:
    found = complaints.get(reference)
    if found is None:
        abort(404)
    _viewed(f"complaint:{found.reference}")
    return render_template("complaint.html", complaint=found, statuses=complaints.STATUSES)


@pages.post("/complaints/<reference>/status")
@signed_in()
def complaint_status(reference: str) -> Any:
    status = request.form.get("status", "")
    if status not in complaints.STATUSES or complaints.set_status(reference, status, _actor()) is None:
        abort(400)
    return redirect(url_for("records.complaint", reference=reference))


@pages.get("/check-ins")
@signed_in()
def check_ins() -> Any:
    return render_template(
        "check_ins.html", due=feedback.due(), sent=feedback.sent_check_ins(), error=request.args.get("error")
    )


@pages.post("/check-ins/<reference>")
@signed_in()
def check_in(reference: str) -> Any:
    try:
        send_check_in(reference, _actor())
    except CheckInFailed:
        return redirect(url_for("records.check_ins", error=1))
    return redirect(url_for("records.check_ins"))


@pages.get("/erasure")
@signed_in(Role.MANAGER)
def erasure() -> Any:
    with session_scope() as session:
        rows = session.execute(select(ErasureRequest).order_by(ErasureRequest.requested_at.desc())).scalars()
        requests = [(r.requested_at, r.done_at, r.keep_conversation) for r in rows]
    return render_template("erasure.html", requests=requests)
