"""Signing in: a password, then a TOTP code; then a server-side session."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for

from bot.db.models import utcnow
from console import security

pages = Blueprint("sign_in", __name__)
PENDING_SECONDS = 300  # to type the code after the password


def _allowed() -> bool:
    """Within the sign-in attempts allowed from this client address."""
    attempts: security.Attempts = current_app.extensions["sign_in_attempts"]
    return attempts.allow(request.remote_addr or "unknown")


@pages.get("/sign-in")
def form() -> Any:
    return render_template("sign_in.html", step="password")


@pages.post("/sign-in")
def password() -> Any:
    if not _allowed():
        return render_template("sign_in.html", step="password", error=g.t["console_slow_down"]), 429
    try:
        staff = security.check_password(request.form.get("username", ""), request.form.get("password", ""))
    except security.Locked:  # said only to the right password: a guess learns nothing
        return render_template("sign_in.html", step="password", error=g.t["console_wrong_sign_in"]), 401
    if staff is None:
        return render_template("sign_in.html", step="password", error=g.t["console_wrong_sign_in"]), 401
    session.clear()
    session["pending"] = staff.id
    session["pending_at"] = utcnow().timestamp()
    return redirect(url_for("sign_in.code_form"))


@pages.get("/sign-in/code")
def code_form() -> Any:
    if "pending" not in session:
        return redirect(url_for("sign_in.form"))
    return render_template("sign_in.html", step="code")


@pages.post("/sign-in/code")
def code() -> Any:
    pending, started = session.get("pending"), session.get("pending_at", 0)
    if pending is None or utcnow().timestamp() - started > PENDING_SECONDS:
        session.clear()
        return redirect(url_for("sign_in.form"))
    if not _allowed():
        return render_template("sign_in.html", step="code", error=g.t["console_slow_down"]), 429
    if not security.check_code(int(pending), request.form.get("code", "")):
        session["pending_failures"] = session.get("pending_failures", 0) + 1
        if session["pending_failures"] >= security.LOCK_AFTER:
            session.clear()  # start again from the password
            return redirect(url_for("sign_in.form"))
        return render_template("sign_in.html", step="code", error=g.t["console_wrong_code"]), 401
    lang = session.get("lang")
    session.clear()  # a new session on sign-in: nothing carried over from before
    session["sid"] = security.start_session(int(pending))
    if lang:
        session["lang"] = lang
    return redirect(url_for("cases.queue"))


@pages.post("/sign-out")
def sign_out() -> Any:
    security.end_session(session.get("sid"))
    session.clear()
    return redirect(url_for("sign_in.form"))
