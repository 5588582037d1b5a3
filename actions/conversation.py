"""Facts about the conversation an action needs: who, which channel, which language."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.db.engine import session_scope
from bot.db.models import ChannelContact
from bot.language import conversation_language
from bot.locales import render_text
from bot.settings import Language, get_settings


def language_or_default(tracker: Tracker) -> Language:
    return conversation_language(tracker.current_slot_values()) or get_settings().default_language


def language_if_known(tracker: Tracker) -> Language | None:
    return conversation_language(tracker.current_slot_values())


def channel_of(tracker: Tracker) -> str:
    """The channel the young person uses: the one we hold their address for,
    else the one the message came in on (the terminal chat has none)."""
    with session_scope() as session:
        contact = session.get(ChannelContact, tracker.sender_id)
        if contact is not None:
            return str(contact.channel)
    return tracker.get_latest_input_channel() or "chat"


def label(key: str, tracker: Tracker) -> str:
    return render_text(key, language_or_default(tracker))


def in_full(text: str | None) -> str:
    """An answer as the young person gave it ("-" for none): the summary they
    check before sending must show what will be sent, not a cut version."""
    return text.strip() if text and text.strip() else "-"
