"""A conversation as a coordinator reads it: what the young person and the
bot said, from Rasa's events table (decrypted). Whoever calls this must
audit the view."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.crypto import decrypt
from bot.db.engine import session_scope

EVENTS_TABLE = "events"
SAID = {"user": "young_person", "bot": "bot"}


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str  # young_person | bot
    text: str


def conversation_so_far(conversation_id: str, limit: int = 300) -> list[Line]:
    """The last ``limit`` things said, oldest first; an unreadable one is skipped."""
    events = sa.table(
        EVENTS_TABLE, sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
        sa.column("timestamp"), sa.column("data"),
    )  # fmt: skip
    with session_scope() as session:
        if not sa.inspect(session.get_bind()).has_table(EVENTS_TABLE):
            return []
        rows = session.execute(
            sa.select(events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id == conversation_id, events.c.type_name.in_(list(SAID)))
            .order_by(events.c.id.desc())
            .limit(limit)
        ).all()
    lines = []
    offered: dict[str, str] = {}  # the last buttons the bot showed: payload -> title
    for type_name, timestamp, data in reversed(rows):
        try:
            event = json.loads(decrypt(data))
        except ValueError:
            continue
        text = event.get("text")
        if type_name == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            offered = {str(b.get("payload")): str(b.get("title")) for b in buttons if isinstance(b, dict)}
        elif text and text.startswith("/"):
            # A button: what it said to the young person, or its intent if we can't tell.
            text = offered.get(text) or f"[{text[1:].split('{')[0]}]"
        if text:
            lines.append(Line(datetime.fromtimestamp(timestamp or 0, UTC), SAID[type_name], text))
    return lines
