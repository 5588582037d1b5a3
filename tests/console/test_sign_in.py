"""Signing in to the console: a password and a TOTP code, sessions that end,
CSRF on every form, roles, and the security headers."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from bot.db.models import utcnow
from console import security
from console.security import Role
from tests.console.conftest import Browser, new_account
from tests.test_forms import count


def test_a_password_and_a_code_open_the_case_queue(
    browser: Browser, coordinator: security.NewAccount
) -> None:
    response = browser.sign_in(coordinator)
    assert response.status_code == 302 and response.location.endswith("/")
    queue = browser.get("/")
    assert queue.status_code == 200 and "queue-rows" in queue.get_data(as_text=True)


def test_the_queue_is_closed_to_anyone_not_signed_in(browser: Browser) -> None:
    response = browser.get("/")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_a_wrong_code_or_a_code_used_already_is_refused(
    browser: Browser, coordinator: security.NewAccount
) -> None:
    browser.post("/sign-in", {"username": coordinator.username, "password": coordinator.password})
    assert browser.post("/sign-in/code", {"code": "000000"}).status_code == 401
    assert browser.get("/").status_code == 302
    code = pyotp.TOTP(coordinator.totp_secret).now()
    assert browser.post("/sign-in/code", {"code": code}, form_from="/sign-in/code").status_code == 302
    again = Browser(browser.client.application.test_client())
    assert again.sign_in(coordinator, code=code).status_code == 401, "a code works once"


def test_a_wrong_password_gets_no_code_step(browser: Browser, coordinator: security.NewAccount) -> None:
    response = browser.post("/sign-in", {"username": coordinator.username, "password": "guess"})
    assert response.status_code == 401
    assert browser.get("/sign-in/code").status_code == 302


def test_five_wrong_passwords_lock_the_account(browser: Browser) -> None:
    account = new_account()
    for _ in range(security.LOCK_AFTER):
        browser.post("/sign-in", {"username": account.username, "password": "wrong"}, form_from="/sign-in")
    response = browser.post("/sign-in", {"username": account.username, "password": account.password})
    assert response.status_code == 401, "locked, even with the right password"
    assert browser.get("/sign-in/code").status_code == 302, "no code step"
    assert "locked" not in response.get_data(as_text=True).lower(), "a lock doesn't say the account exists"


def test_a_locked_account_takes_no_more_guesses_at_the_code(coordinator: security.NewAccount) -> None:
    """Someone with the password once had unlimited tries at the six digits."""
    staff = security.check_password(coordinator.username, coordinator.password)
    assert staff is not None
    for _ in range(security.LOCK_AFTER):
        assert not security.check_code(staff.id, "000000")
    assert not security.check_code(staff.id, pyotp.TOTP(coordinator.totp_secret).now()), "locked now"


def test_five_wrong_codes_send_the_browser_back_to_the_password(browser: Browser) -> None:
    account = new_account()
    browser.post("/sign-in", {"username": account.username, "password": account.password})
    for _ in range(security.LOCK_AFTER):
        response = browser.post("/sign-in/code", {"code": "123456"}, form_from="/sign-in")
    assert response.status_code == 302 and "/sign-in" in response.location
    assert browser.get("/sign-in/code").status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_not_an_error(coordinator: security.NewAccount) -> None:
    staff = security.check_password(coordinator.username, coordinator.password)
    assert staff is not None
    assert not security.check_code(staff.id, "１２３４５６")  # full-width digits once gave a 500
    assert not security.check_code(staff.id, "12345")


def test_a_form_without_its_csrf_token_is_refused(browser: Browser, coordinator: security.NewAccount) -> None:
    response = browser.client.post(
        "/sign-in", data={"username": coordinator.username, "password": coordinator.password}
    )
    assert response.status_code == 400
    browser.sign_in(coordinator)
    assert browser.client.post("/sign-out").status_code == 400  # signed in, still refused without a token


def test_a_coordinator_cannot_open_a_managers_page(
    browser: Browser, coordinator: security.NewAccount
) -> None:
    browser.sign_in(coordinator)
    assert browser.get("/erasure").status_code == 403
    manager = Browser(browser.client.application.test_client())
    manager.sign_in(new_account(Role.MANAGER))
    assert manager.get("/erasure").status_code == 200


def test_a_made_up_session_cookie_is_refused(browser: Browser) -> None:
    browser.client.set_cookie("iv_console", "eyJzaWQiOiJtYWRlLXVwIn0.forged.signature")
    assert browser.get("/").status_code == 302


def test_sessions_end_when_idle_too_long_or_too_old(coordinator: security.NewAccount) -> None:
    staff = security.check_password(coordinator.username, coordinator.password)
    assert staff is not None
    token = security.start_session(staff.id)
    now = utcnow()
    assert security.session_staff(token, now + timedelta(minutes=10)) is not None
    assert (
        security.session_staff(token, now + timedelta(minutes=10) + security.IDLE_FOR + timedelta(seconds=1))
        is None
    )
    assert security.session_staff(token, now) is None, "once ended, it stays ended"
    old = security.start_session(staff.id)
    for minutes in range(25, 11 * 60, 25):  # busy all day, never idle
        seen = security.session_staff(old, now + timedelta(minutes=minutes))
    assert seen is None, "ended after SESSION_AT_MOST however busy"


def test_the_queue_refreshing_itself_does_not_keep_a_session_open(coordinator: security.NewAccount) -> None:
    staff = security.check_password(coordinator.username, coordinator.password)
    assert staff is not None
    token = security.start_session(staff.id)
    now = utcnow()
    for minutes in range(1, 30):  # an unattended screen polling every minute
        assert security.session_staff(token, now + timedelta(minutes=minutes), active=False) is not None
    assert security.session_staff(token, now + security.IDLE_FOR + timedelta(seconds=1)) is None


def test_signing_out_ends_the_session_on_the_server(
    browser: Browser, coordinator: security.NewAccount
) -> None:
    browser.sign_in(coordinator)
    cookie = browser.client.get_cookie("iv_console")
    browser.post("/sign-out", form_from="/")
    replay = browser.client.application.test_client()
    replay.set_cookie("iv_console", cookie.value)
    assert replay.get("/").status_code == 302, "the old cookie is worth nothing"


def test_pages_carry_the_security_headers(browser: Browser) -> None:
    response = browser.get("/sign-in")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Cache-Control"] == "no-store"
    cookie = browser.client.get_cookie("iv_console")
    assert cookie is None or cookie.http_only


def test_signing_in_is_audited(browser: Browser, coordinator: security.NewAccount) -> None:
    from bot.db.models import AuditEntry

    browser.sign_in(coordinator)
    assert count(AuditEntry, action="signed in", actor=coordinator.username) == 1


def test_many_sign_ins_from_one_address_are_slowed_down(session_env: dict[str, str]) -> None:
    from console.app import create_app

    browser = Browser(create_app(testing=True, sign_ins_per_minute=3).test_client())
    statuses = [
        browser.post(
            "/sign-in", {"username": f"someone-{n}", "password": "guess"}, form_from="/sign-in"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]
