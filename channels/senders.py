"""One sender per provider per process, shared by the connectors and by
anything that sends on its own (coordinator alerts, replies from a person)."""

from __future__ import annotations

from functools import cache

from bot.settings import get_settings
from channels.sms.sender import SmsSender
from channels.telegram.sender import TelegramSender


@cache
def sms_sender() -> SmsSender:
    return SmsSender(get_settings())


@cache
def telegram_sender() -> TelegramSender:
    return TelegramSender(get_settings())
