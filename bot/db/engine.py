"""Engine and sessions, created lazily so that importing never touches a database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import ROOT, get_settings


def _sqlite_file(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        (ROOT / url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@cache
def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    _sqlite_file(url)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        # Several async tasks share the file: wait for a lock instead of failing.
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()

    return engine


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
