"""One sender per provider per process, shared by the connectors and by
anything that sends on its own (coordinator alerts, replies from a person)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import cache

from bot.conversations import contacts
from bot.conversations.deliveries import record_suppressed
from bot.handoff.worker import Sender
from bot.settings import get_settings
from channels.sms.sender import SmsSender
from channels.telegram.sender import TelegramSender
from channels.webchat.sender import WebChatSender


@cache
def sms_sender() -> SmsSender:
    return SmsSender(get_settings())


@cache
def telegram_sender() -> TelegramSender:
    return TelegramSender(get_settings())


class _TelegramByChatId:
    """The outbox keeps a chat id as text; Telegram wants a number."""

    async def send(
        self, conversation_id: str, destination: str, text: str, sent_since: datetime | None = None
    ) -> bool:
        # The Bot API can't say whether a message went: a timeout is sent again.
        return await telegram_sender().send(
            conversation_id, int(destination), text, retries=0, raise_refusal=True
        )


class _SmsOnce:
    async def send(
        self, conversation_id: str, destination: str, text: str, sent_since: datetime | None = None
    ) -> bool:
        # A reply queued before the young person sent STOP is not sent after it
        # (an alert to a coordinator's phone is, whatever the young person did).
        contact = await asyncio.to_thread(contacts.lookup, conversation_id)
        if contact is not None and contact.opted_out and contact.address == destination:
            await asyncio.to_thread(record_suppressed, conversation_id, "sms")
            return True
        return await sms_sender().send(
            conversation_id, destination, text, retries=0, raise_refusal=True, sent_since=sent_since
        )


def senders() -> dict[str, Sender]:
    """What the outbox worker sends with, by route: one try each, since the
    outbox itself retries (one retry layer)."""
    return {"sms": _SmsOnce(), "telegram": _TelegramByChatId(), "webchat": WebChatSender()}
