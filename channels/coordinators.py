"""Plumbing for coordinators: who is one, and sending to them or, on their
behalf, to a young person on whichever channel that young person uses.

Coordinators use the same Telegram bot from their phones; only chats on the
allowlist (``IV_COORDINATOR_TELEGRAM_CHAT_IDS``) count. The handoff itself
(alerts, acknowledge, reply, close) is built on this in issue 4.
"""

from __future__ import annotations

import asyncio
import logging

from bot.settings import get_settings
from channels import contacts
from channels.senders import sms_sender, telegram_sender

logger = logging.getLogger(__name__)

COORDINATOR_COMMANDS = frozenset({"/coordinator", "/cases", "/ack", "/reply", "/close"})
COORDINATORS_ID = "coordinators"  # how coordinator messages appear in our records


def is_coordinator(chat_id: int) -> bool:
    return chat_id in get_settings().coordinator_chat_ids


def is_coordinator_command(text: str) -> bool:
    first = text.strip().split(maxsplit=1)[0].split("@")[0].lower() if text.strip() else ""
    return first in COORDINATOR_COMMANDS


async def send_to_coordinators(text: str) -> int:
    """Sends to every allowlisted coordinator chat; returns how many got it."""
    sender = telegram_sender()
    results = [
        await sender.send(COORDINATORS_ID, chat_id, text)
        for chat_id in sorted(get_settings().coordinator_chat_ids)
    ]
    return sum(results)


async def send_to_young_person(conversation_id: str, text: str) -> bool:
    """Sends on the young person's own channel; never after an SMS STOP."""
    contact = await asyncio.to_thread(contacts.lookup, conversation_id)
    if contact is None:
        logger.error("no contact for %s", conversation_id)
        return False
    if contact.channel == "telegram":
        return await telegram_sender().send(conversation_id, int(contact.address), text)
    if contact.channel == "sms":
        if contact.opted_out:
            return False
        return await sms_sender().send(conversation_id, contact.address, text)
    logger.error("unknown channel %s for %s", contact.channel, conversation_id)
    return False
