"""What the connectors themselves say, in the conversation's language.

The language is the conversation's (bot.language.conversation_language); while it
is unknown the text goes in both languages, Welsh first, as bot/nlg.py does.
"""

from __future__ import annotations

from typing import Any

from bot.language import conversation_language
from bot.locales import render_both, render_text
from bot.settings import Language

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
        "handoff_in_hours",
        "handoff_on_call",
        "handoff_out_of_hours",
        "handoff_closed",
        "coordinator_alert",
        "coordinator_alert_sms",
        "coordinator_help",
        "coordinator_no_cases",
        "coordinator_case_line",
        "coordinator_done",
        "coordinator_unknown_case",
        "handoff_person_joined",
        "safeguarding_waiting_in_hours",
        "safeguarding_waiting_on_call",
        "safeguarding_waiting_out_of_hours",
        "safeguarding_retraction",
        "safeguarding_not_in_danger",
        "group_chat_concern",
        "form_paused_referral_form",
        "form_paused_feedback_form",
        "form_paused_complaint_form",
    }
)


async def language_of(agent: Any, conversation_id: str) -> Language | None:
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    tracker = await store.retrieve(conversation_id)
    return conversation_language(tracker.current_slot_values()) if tracker else None


def channel_text(key: str, language: Language | None) -> str:
    return render_text(key, language) if language is not None else render_both(key)
