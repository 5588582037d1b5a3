"""What the connectors themselves say, in the conversation's language.

The language is the ``language`` slot of the conversation's tracker; while it
is unknown the text goes in both languages, Welsh first, as bot/nlg.py does.
"""

from __future__ import annotations

from typing import Any

from bot.locales import render_text
from bot.nlg import BILINGUAL_SEPARATOR, LANGUAGE_SLOT
from bot.settings import LANGUAGES, Language

CHANNEL_KEYS = frozenset(
    {
        "media_not_supported",
        "rate_limited",
        "message_too_long",
        "sms_stopped",
        "sms_started",
        "sms_help",
        "coordinator_only",
        "coordinator_welcome",
        "private_chat_only",
        "something_went_wrong",
    }
)


async def conversation_language(agent: Any, conversation_id: str) -> Language | None:
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    tracker = await store.retrieve(conversation_id)
    language = tracker.get_slot(LANGUAGE_SLOT) if tracker else None
    return language if language in LANGUAGES else None


def channel_text(key: str, language: Language | None) -> str:
    if language is not None:
        return render_text(key, language)
    return render_text(key, "cy") + BILINGUAL_SEPARATOR + render_text(key, "en")
