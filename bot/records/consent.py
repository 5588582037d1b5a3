"""Consent records: what a young person was told, and whether they agreed."""

from __future__ import annotations

from bot.db.engine import session_scope
from bot.db.models import ConsentRecord


def record_consent(
    conversation_id: str, purpose: str, granted: bool, language: str | None, text_key: str
) -> None:
    with session_scope() as session:
        session.add(
            ConsentRecord(
                conversation_id=conversation_id,
                purpose=purpose,
                granted=granted,
                language=language,
                text_key=text_key,
            )
        )
