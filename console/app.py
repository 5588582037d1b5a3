"""The console's Flask app: sessions, CSRF, language, roles, security headers.

Pages are server-rendered (templates/), forms are plain HTML posts with a
CSRF token (Flask-WTF), and the one script (static/console.js) only keeps
the case queue up to date. Routes are thin: they call bot/'s records.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Flask, Response, abort, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.crypto import _secret
from bot.locales import CODE, catalogue, render_text, say_code
from bot.settings import LANGUAGES, Language, get_settings
from console import security
from console.security import Role, Staff

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
COOKIE = "iv_console"


def secret_key() -> bytes:
    """Signs the console's own cookie (which holds only a session token):
    derived from the address key, so there is no extra secret to set."""
    base = _secret("IV_ADDRESS_KEY", get_settings().address_key).encode()
    return hmac.new(base, b"console-cookie", hashlib.sha256).digest()


def texts(language: Language) -> dict[str, str]:
    values = {"days": str(get_settings().retention_conversation_days)}
    return {
        key: render_text(key, language, values) for key in catalogue(language) if key.startswith("console_")
    }


def language() -> Language:
    chosen = session.get("lang")
    if chosen == "cy" or chosen == "en":
        return chosen
    return "cy" if request.accept_languages.best_match(["cy", "en"]) == "cy" else "en"


def signed_in(role: Role = Role.COORDINATOR) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The page needs a signed-in account with ``role`` (a manager may do anything)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            staff: Staff | None = g.get("staff")
            if staff is None:
                return redirect(url_for("sign_in.form"))
            if not staff.may(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def create_app(testing: bool = False, sign_ins_per_minute: int = 10) -> Flask:
    settings = get_settings()
    app = Flask(__name__)
    if settings.console_behind_proxy:
        # Behind one trusted proxy: its X-Forwarded-For names the client (for the sign-in limit).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.environment == "production" or settings.console_secure_cookies,
        PERMANENT_SESSION_LIFETIME=security.SESSION_AT_MOST,
        WTF_CSRF_TIME_LIMIT=int(timedelta(hours=2).total_seconds()),
        TESTING=testing,
    )
    app.extensions["sign_in_attempts"] = security.Attempts(sign_ins_per_minute)
    # Codes (urgent, physical_abuse, acknowledged...) in the page's language, as in coordinators' alerts.
    app.jinja_env.filters["code"] = lambda value: CODE.sub(
        lambda m: say_code(m.group(0), g.lang), str(value or "-")
    )

    @app.before_request
    def who() -> None:
        g.lang = language()
        g.t = texts(g.lang)
        # The queue refreshing itself every second doesn't keep an unattended session open.
        g.staff = security.session_staff(session.get("sid"), active=request.endpoint != "cases.queue_rows")
        if g.staff is None:
            session.pop("sid", None)

    CSRFProtect(app)  # after ``who``: a refused form is answered in the right language

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.errorhandler(CSRFError)
    def refused(_: CSRFError) -> tuple[str, int]:
        return render_template("message.html", message=g.t["console_expired"]), 400

    @app.errorhandler(403)
    def forbidden(_: Any) -> tuple[str, int]:
        return render_template("message.html", message=g.t["console_not_allowed"]), 403

    @app.get("/language/<lang>")
    def switch_language(lang: str) -> Any:
        if lang in LANGUAGES:
            session["lang"] = lang
        return redirect(
            request.referrer if request.referrer and request.referrer.startswith(request.host_url) else "/"
        )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    from console import cases, records, sign_in

    app.register_blueprint(sign_in.pages)
    app.register_blueprint(cases.pages)
    app.register_blueprint(records.pages)
    return app
