"""Who may use the console: accounts made by an admin command, argon2
passwords, a TOTP code for everyone, lockout after repeated failures, and
sessions kept on the server (the cookie holds a random token; its hash is
the key), ended when idle or too old. No Flask here: tested on its own."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import StaffAccount, StaffSession, utcnow
from bot.records.audit import audit


class Role(StrEnum):
    COORDINATOR = "coordinator"  # cases, referrals, feedback, complaints, check-ins
    MANAGER = "manager"  # and erasure and retention


LOCK_AFTER = 5  # failed sign-ins in a row
LOCKED_FOR = timedelta(minutes=15)
IDLE_FOR = timedelta(minutes=30)
SESSION_AT_MOST = timedelta(hours=10)
ISSUER = "IV console"
CODE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    display_name: str
    role: Role

    def may(self, role: Role) -> bool:
        return self.role == Role.MANAGER or self.role == role


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _stand_in_hash() -> str:
    """Checked against when the username is unknown, so the answer takes as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _staff(row: StaffAccount) -> Staff:
    return Staff(row.id, row.username, row.display_name, Role(row.role))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    totp_secret: str

    def totp_uri(self) -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(name=self.username, issuer_name=ISSUER)


def create_account(username: str, display_name: str, role: Role, actor: str = "admin") -> NewAccount:
    """A new account with a random password and TOTP secret, shown once."""
    password, secret = secrets.token_urlsafe(12), pyotp.random_base32()
    with session_scope() as session:
        session.add(
            StaffAccount(
                username=username,
                display_name=display_name,
                role=str(role),
                password_hash=_hasher().hash(password),
                totp_secret=secret,
            )
        )
        audit(session, actor, "account created", record=f"staff:{username}"[:32], detail=str(role))
    return NewAccount(username, password, secret)


class Locked(Exception):
    """Too many failed sign-ins: try again later."""


def check_password(username: str, password: str, now: datetime | None = None) -> Staff | None:
    """The account, if the password is right (and it isn't locked or disabled)."""
    now = now or utcnow()
    with session_scope() as session:
        row = session.execute(select(StaffAccount).where(StaffAccount.username == username)).scalar()
        if row is None or row.disabled_at is not None:
            _verify(_stand_in_hash(), password)
            return None
        if row.locked_until is not None and _aware(row.locked_until) > now:
            _verify(_stand_in_hash(), password)  # as slow as any answer: a lock doesn't tell who exists
            raise Locked()
        if not _verify(row.password_hash, password):
            row.failed_sign_ins += 1
            if row.failed_sign_ins >= LOCK_AFTER:
                row.locked_until, row.failed_sign_ins = now + LOCKED_FOR, 0
                audit(session, username, "locked out", record=f"staff:{username}"[:32])
            return None
        return _staff(row)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_code(staff_id: int, code: str, now: datetime | None = None) -> bool:
    """The TOTP code for now (or the 30 s either side), used once only."""
    now = now or utcnow()
    code = code.strip()
    if not CODE.fullmatch(code):
        return False
    with session_scope() as session:
        # Locked for update: two requests at once can't both spend one code.
        row = session.get(StaffAccount, staff_id, with_for_update=True)
        if row is None or row.disabled_at is not None:
            return False
        if row.locked_until is not None and _aware(row.locked_until) > now:
            return False  # locked: no more guesses at the code either
        totp = pyotp.TOTP(row.totp_secret)
        step = totp.timecode(now)
        for candidate in (step, step - 1, step + 1):
            if candidate > row.last_totp_step and secrets.compare_digest(
                totp.generate_otp(candidate), code.strip()
            ):
                row.last_totp_step, row.failed_sign_ins = candidate, 0
                audit(session, row.username, "signed in", record=f"staff:{row.username}"[:32])
                return True
        row.failed_sign_ins += 1
        if row.failed_sign_ins >= LOCK_AFTER:
            row.locked_until, row.failed_sign_ins = now + LOCKED_FOR, 0
        return False


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(staff_id: int) -> str:
    token = secrets.token_urlsafe(32)
    with session_scope() as session:
        session.add(StaffSession(token_hash=_hash(token), staff_id=staff_id))
    return token


def session_staff(token: str | None, now: datetime | None = None, active: bool = True) -> Staff | None:
    """Who holds this session, if it is still open; seen now if ``active``
    (a page refreshing itself is not a person at the keyboard)."""
    if not token:
        return None
    now = now or utcnow()
    with session_scope() as session:
        row = session.get(StaffSession, _hash(token))
        if row is None or row.ended_at is not None:
            return None
        if _aware(row.last_seen_at) < now - IDLE_FOR or _aware(row.created_at) < now - SESSION_AT_MOST:
            row.ended_at = now
            return None
        account = session.get(StaffAccount, row.staff_id)
        if account is None or account.disabled_at is not None:
            return None
        if active:
            row.last_seen_at = now
        return _staff(account)


def end_session(token: str | None) -> None:
    if not token:
        return
    with session_scope() as session:
        row = session.get(StaffSession, _hash(token))
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()


class Attempts:
    """Sign-in attempts per client address in the last minute (this process):
    guessing many accounts from one place is slowed as well as each account locked."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = [t for t in self._seen.get(client, []) if t > now - self.window]
            recent.append(now)
            self._seen[client] = recent
            for other in [c for c, times in self._seen.items() if times[-1] <= now - self.window]:
                del self._seen[other]  # forgotten once quiet
            return len(recent) <= self.limit
