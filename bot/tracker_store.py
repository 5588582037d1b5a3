"""Rasa's SQL tracker store, with every event encrypted at rest.

Conversations hold what young people tell us, so the ``data`` column of
Rasa's ``events`` table is stored as a Fernet token (bot.db.models.EncryptedText).
The database is ours (``IV_DATABASE_URL``) unless the endpoint names another.

Rasa reads (and we decrypt) every event of the conversation session on every
turn, so a turn's cost grew with the conversation. The current session's
events are kept (decrypted, as JSON) for the most recent conversations, and
each read asks the database only for events newer than those: see
``SessionEvents``. Rasa's own save runs as is.

endpoints.yml::

    tracker_store:
      type: bot.tracker_store.EncryptedSQLTrackerStore
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import AgentUttered, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import declarative_base

from bot.crypto import decrypt
from bot.db.engine import session_scope
from bot.db.models import EncryptedText
from bot.handoff.cases import notify_coordinators
from bot.locales import render_both
from bot.settings import ROOT, get_settings

logger = logging.getLogger(__name__)
EventsBase: Any = declarative_base()
UNREADABLE = "unreadable"
# Stands in for an event that can't be decrypted: AgentUttered changes no
# state, and keeps the count of stored events right (Rasa saves only the
# events past that count, so dropping a row would lose the next ones).
UNREADABLE_EVENT = json.dumps({"event": "agent", "text": None, "data": {UNREADABLE: True}})


class EventData(EncryptedText):
    """An event, decrypted; one that can't be (a wrong key, a damaged row)
    reads as a stand-in instead of raising: Rasa's store takes any
    ``ValueError`` for a missing schema and exits the whole server."""

    cache_ok = True

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return decrypt(value)
        except ValueError:
            return UNREADABLE_EVENT


def unreadable_events(tracker: DialogueStateTracker | None) -> int:
    if tracker is None:
        return 0
    return sum(1 for e in tracker.events if isinstance(e, AgentUttered) and (e.data or {}).get(UNREADABLE))


def tell_coordinators_once(conversation_id: str, count: int) -> None:
    with session_scope() as session:
        body = render_both("coordinator_unreadable", conversation=conversation_id, count=str(count))
        notify_coordinators(session, conversation_id, f"unreadable:{conversation_id}", body)


# Conversations whose current session is kept in memory (most recent first out
# last). A session is bounded by Rasa's session expiry (domain.yml).
RECENT_CONVERSATIONS = 500


@dataclass
class SessionEvents:
    """One conversation's current session as stored: (row id, timestamp,
    event JSON), in id order; ``start`` is its latest ``session_started``
    timestamp. Rasa's query keeps the events at or after that timestamp
    (all of them if there is none); ``add`` keeps the same ones."""

    rows: list[tuple[int, float | None, str]]
    start: float | None = None

    def add(self, rows: list[tuple[int, str, float | None, str]]) -> None:
        for row_id, type_name, timestamp, data in rows:
            if type_name == SessionStarted.type_name and timestamp is not None:
                self.start = timestamp if self.start is None else max(self.start, timestamp)
            self.rows.append((row_id, timestamp, data))
        if self.start is not None:
            start = self.start
            self.rows = [r for r in self.rows if r[1] is not None and r[1] >= start]

    @property
    def first_id(self) -> int | None:
        return self.rows[0][0] if self.rows else None

    @property
    def last_id(self) -> int:
        return self.rows[-1][0] if self.rows else 0


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
        data = sa.Column(EventData)

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

        self._recent: OrderedDict[str, SessionEvents] = OrderedDict()

    def _columns(self) -> tuple[Any, ...]:
        e = self.SQLEvent
        return (e.id, e.type_name, e.timestamp, e.data)

    def _session_events(self, sender_id: str) -> SessionEvents:
        """The current session's events: only the new ones are read and
        decrypted, unless the conversation was deleted since (retention,
        erasure: its first kept row is gone), when all are read again."""
        e = self.SQLEvent
        with self.session_scope() as session:
            known = self._recent.pop(sender_id, None)
            if known is not None and known.first_id is not None:
                # The first kept row comes back too (not decrypted): is it still there?
                data = sa.type_coerce(sa.case((e.id > known.last_id, e.data)), EventData)
                rows = (
                    session.query(e.id, e.type_name, e.timestamp, data)
                    .filter(e.sender_id == sender_id, sa.or_(e.id > known.last_id, e.id == known.first_id))
                    .order_by(e.id)
                    .all()
                )
                if rows and rows[0][0] == known.first_id:
                    known.add([tuple(r) for r in rows[1:]])
                else:
                    known = None
            if known is None:
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
                known = SessionEvents([])
                known.add([tuple(r) for r in query.with_entities(*self._columns()).all()])
        if known.rows:
            self._recent[sender_id] = known
            while len(self._recent) > RECENT_CONVERSATIONS:
                self._recent.popitem(last=False)
        return known

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        else:
            rows = self._session_events(sender_id).rows
            events = [json.loads(data) for _id, _timestamp, data in rows]
            tracker = (
                DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
                if self.domain and events
                else None
            )
        count = unreadable_events(tracker)
        if count:
            # The conversation goes on without the unreadable part; never its content in a log.
            logger.error("%d events of a conversation could not be decrypted", count)
            try:
                tell_coordinators_once(sender_id, count)
            except Exception:
                logger.exception("could not tell coordinators about an unreadable conversation")
        return tracker
