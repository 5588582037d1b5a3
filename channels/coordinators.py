"""Who is a coordinator: coordinators use the same Telegram bot from their
phones; only chats on the allowlist (``IV_COORDINATOR_TELEGRAM_CHAT_IDS``)
count. What is sent to them goes through the outbox (bot/handoff/)."""

from __future__ import annotations

from bot.settings import get_settings

COORDINATOR_COMMANDS = frozenset({"/coordinator", "/cases", "/ack", "/reply", "/close"})


def is_coordinator(chat_id: int) -> bool:
    return chat_id in get_settings().coordinator_chat_ids


def is_coordinator_command(text: str) -> bool:
    first = text.strip().split(maxsplit=1)[0].split("@")[0].lower() if text.strip() else ""
    return first in COORDINATOR_COMMANDS
