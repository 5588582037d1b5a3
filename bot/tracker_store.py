"""Rasa's SQL tracker store, with every event encrypted at rest.

Conversations hold what young people tell us, so the ``data`` column of
Rasa's ``events`` table is stored as a Fernet token (bot.db.models.EncryptedText).
Only the column type changes: Rasa's own save and retrieve code runs as is.
The database is ours (``IV_DATABASE_URL``) unless the endpoint names another.

endpoints.yml::

    tracker_store:
      type: bot.tracker_store.EncryptedSQLTrackerStore
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url
from sqlalchemy.orm import declarative_base

from bot.db.models import EncryptedText
from bot.settings import ROOT, get_settings

EventsBase: Any = declarative_base()


class EncryptedSQLTrackerStore(SQLTrackerStore):
    Base = EventsBase

    class SQLEvent(EventsBase):
        __tablename__ = "events"

        id = sa.Column(sa.Integer, primary_key=True)
        sender_id = sa.Column(sa.String(255), nullable=False, index=True)
        type_name = sa.Column(sa.String(255), nullable=False)
        timestamp = sa.Column(sa.Float)
        intent_name = sa.Column(sa.String(255))
        action_name = sa.Column(sa.String(255))
        data = sa.Column(EncryptedText)

    def __init__(
        self, domain: Any = None, host: str | None = None, event_broker: Any = None, **kwargs: Any
    ) -> None:
        url = make_url(kwargs.pop("url", None) or get_settings().database_url)
        database = url.database or ""
        if url.get_backend_name() == "sqlite" and not database.startswith("/"):
            database = str(ROOT / database)  # relative to the project, like our own engine
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=database,
            username=url.username,
            password=url.password,
            query=dict(url.query) or None,
            event_broker=event_broker,
        )
        if self.engine.dialect.name == "sqlite":
            # Shared with our own engine and the action server: wait for a
            # lock instead of failing, and let readers work while one writes.
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA busy_timeout = 5000")
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.close()
