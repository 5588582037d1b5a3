"""Engine and sessions, created lazily so that importing never touches a database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import ROOT, get_settings


def _sqlite_file(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        (ROOT / url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@cache
def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    _sqlite_file(url)
    engine = create_engine(url, future=True)
    _ping_when_idle(engine)
    if engine.dialect.name == "sqlite":
        # Several async tasks share the file: wait for a lock instead of failing.
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()

    return engine


# A pooled connection unused this long is checked before use (the database may
# have restarted meanwhile); one in steady use is not, which saves a round trip
# (pool_pre_ping's, a transaction of its own on PostgreSQL) twice a turn.
IDLE_BEFORE_PING_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < IDLE_BEFORE_PING_SECONDS:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception:
            alive = False
        if not alive:
            raise DisconnectionError("stale pooled connection")  # the pool connects afresh


@cache
def _sessions(engine: Engine) -> sessionmaker:
    """One session factory per engine (not one per transaction)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on error."""
    session = _sessions(engine or get_engine())()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def delete_where(session: Session, table: Any, where: Any, dry_run: bool = False) -> int:
    """Deletes the rows of ``table`` matching ``where`` (or counts them); returns how many."""
    if dry_run:
        return int(session.execute(select(func.count()).select_from(table).where(where)).scalar() or 0)
    return int(session.execute(delete(table).where(where)).rowcount or 0)
