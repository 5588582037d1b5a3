"""One sender per provider per process, shared by the connectors and by
anything that sends on its own (coordinator alerts, replies from a person)."""

from __future__ import annotations

from functools import cache

from bot.handoff.worker import Sender
from bot.settings import get_settings
from channels.sms.sender import SmsSender
from channels.telegram.sender import TelegramSender


@cache
def sms_sender() -> SmsSender:
    return SmsSender(get_settings())


@cache
def telegram_sender() -> TelegramSender:
    return TelegramSender(get_settings())


class _TelegramByChatId:
    """The outbox keeps a chat id as text; Telegram wants a number."""

    async def send(self, conversation_id: str, destination: str, text: str) -> bool:
        return await telegram_sender().send(conversation_id, int(destination), text, retries=0)


class _SmsOnce:
    async def send(self, conversation_id: str, destination: str, text: str) -> bool:
        return await sms_sender().send(conversation_id, destination, text, retries=0)


def senders() -> dict[str, Sender]:
    """What the outbox worker sends with, by route: one try each, since the
    outbox itself retries (one retry layer)."""
    return {"sms": _SmsOnce(), "telegram": _TelegramByChatId()}
