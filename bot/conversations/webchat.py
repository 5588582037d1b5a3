"""Web chat conversations: who a page is (a token the server issued, kept
in a signed, HttpOnly cookie) and what the page shows (``WebChatMessage``).

The token is the web chat's "address": its keyed hash is the conversation
id, and it is remembered (encrypted) as the conversation's contact. A cookie
the server didn't sign is refused; so is a signed one whose conversation was
deleted (erasure, retention) or is older than ``SESSION_DAYS``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.conversations import contacts
from bot.crypto import conversation_id, sign, unsign
from bot.db.engine import session_scope
from bot.db.models import ChannelContact, WebChatMessage, utcnow

CHANNEL = "webchat"
COOKIE_PURPOSE = "webchat-session"
SESSION_DAYS = 30


@dataclass(frozen=True)
class Page:
    token: str
    conversation_id: str


def start() -> tuple[Page, str]:
    """A new conversation, and the signed cookie value that names it."""
    token = secrets.token_urlsafe(32)
    contacts.remember(CHANNEL, token)
    return Page(token, conversation_id(CHANNEL, token)), sign(COOKIE_PURPOSE, token)


def page_for(cookie: str | None) -> Page | None:
    """The conversation a cookie names, if we issued it and it still exists."""
    token = unsign(COOKIE_PURPOSE, cookie or "")
    if token is None:
        return None
    cid = conversation_id(CHANNEL, token)
    with session_scope() as session:
        created = session.execute(
            select(ChannelContact.created_at).where(ChannelContact.conversation_id == cid)
        ).scalar()
    if created is None:
        return None  # deleted, or never ours
    if created.replace(tzinfo=created.tzinfo or utcnow().tzinfo) < utcnow() - timedelta(days=SESSION_DAYS):
        return None
    return Page(token, cid)


def append(cid: str, direction: str, text: str, buttons: list[dict[str, Any]] | None = None) -> int:
    with session_scope() as session:
        row = WebChatMessage(
            conversation_id=cid,
            direction=direction,
            body=json.dumps({"text": text, "buttons": buttons or []}, ensure_ascii=False),
        )
        session.add(row)
        session.flush()
        return int(row.id)


def since(cid: str, after: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """The page's messages after id ``after``, oldest first."""
    with session_scope() as session:
        rows = session.execute(
            select(WebChatMessage)
            .where(WebChatMessage.conversation_id == cid, WebChatMessage.id > after)
            .order_by(WebChatMessage.id)
            .limit(limit)
        ).scalars()
        return [
            {"id": r.id, "from": "you" if r.direction == "in" else "us", **json.loads(r.body)} for r in rows
        ]
