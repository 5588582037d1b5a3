"""Cases: the queue (most severe first, then the longest waiting, kept up to
date by static/console.js), a case with its conversation, and what a
coordinator does with it. Every look at a case is audited."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from bot.db.engine import session_scope
from bot.handoff import cases
from bot.records.audit import audit
from bot.records.conversation import conversation_so_far
from console.app import signed_in

pages = Blueprint("cases", __name__)


def _actor() -> str:
    return f"console:{g.staff.username}"


@pages.get("/")
@signed_in()
def queue() -> Any:
    return render_template("queue.html", cases=cases.list_open(), waiting_for=cases.waiting_for)


@pages.get("/cases/queue")
@signed_in()
def queue_rows() -> Any:
    """The queue's rows alone, for the page to refresh itself."""
    return render_template("_queue_rows.html", cases=cases.list_open(), waiting_for=cases.waiting_for)


def _case(case_id: str) -> cases.CaseView:
    found = cases.find(case_id)
    if found is None:
        abort(404)
    return found


@pages.get("/cases/<case_id>")
@signed_in()
def case(case_id: str) -> Any:
    found = _case(case_id)
    with session_scope() as session:
        audit(session, _actor(), "viewed", case_id=found.id)
    return render_template(
        "case.html",
        case=found,
        conversation=conversation_so_far(found.conversation_id),
        notes=cases.messages(found.id),
        levels=cases.LEVELS,
        message_key=uuid.uuid4().hex,  # a form sent twice is one reply
        done=request.args.get("done"),
    )


def _back(case_id: str) -> Any:
    return redirect(url_for("cases.case", case_id=case_id, done=1))


@pages.post("/cases/<case_id>/acknowledge")
@signed_in()
def acknowledge(case_id: str) -> Any:
    if cases.acknowledge(_case(case_id).id, _actor(), f"console-{request.form.get('key', 'ack')}") is None:
        abort(409)
    return _back(case_id)


@pages.post("/cases/<case_id>/reply")
@signed_in()
def reply(case_id: str) -> Any:
    text = request.form.get("text", "").strip()
    if not text:
        return _back(case_id)
    key = f"console-{request.form.get('key') or uuid.uuid4().hex}"
    if cases.reply(_case(case_id).id, _actor(), text[:1000], key) is None:
        abort(409)
    return _back(case_id)


@pages.post("/cases/<case_id>/level")
@signed_in()
def level(case_id: str) -> Any:
    changed = cases.change_level(
        _case(case_id).id, request.form.get("level", ""), _actor(), request.form.get("reason", "")
    )
    if changed is None:
        abort(400)
    return _back(case_id)


@pages.post("/cases/<case_id>/close")
@signed_in()
def close(case_id: str) -> Any:
    if cases.close(_case(case_id).id, _actor()) is None:
        abort(409)
    return redirect(url_for("cases.queue"))
