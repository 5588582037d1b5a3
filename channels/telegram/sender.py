"""Sends Telegram messages with python-telegram-bot, with buttons where the
bot offers choices, retrying transient failures with backoff and recording
every outcome."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError

from bot.conversations.deliveries import record_failure, record_outbound
from bot.handoff.worker import Refused
from bot.settings import Settings

# httpx logs every request URL at INFO, and a Telegram URL contains the token;
# python-telegram-bot logs each call's parameters, chat ids included, at DEBUG.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("telegram").setLevel(logging.WARNING)

CHANNEL = "telegram"
MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit for a button's payload


def keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    usable = [b for b in buttons if len(b["payload"].encode()) <= MAX_CALLBACK_DATA_BYTES]
    if not usable:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["title"], callback_data=b["payload"])] for b in usable]
    )


class TelegramSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._bot: Bot | None = None

    @property
    def configured(self) -> bool:
        return bool(self.settings.telegram_bot_token)

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            base_url = f"{self.settings.telegram_api_base_url.rstrip('/')}/bot"
            self._bot = Bot(self.settings.telegram_bot_token or "", base_url=base_url)
        return self._bot

    async def send(
        self,
        conversation_id: str,
        chat_id: int,
        text: str,
        buttons: list[dict[str, Any]] | None = None,
        retries: int | None = None,
        raise_refusal: bool = False,
    ) -> bool:
        """``retries``: 0 where the outbox retries instead (a turn's replies, the worker).
        ``raise_refusal``: raise ``Refused`` when the user has blocked the bot (the worker sets it aside)."""
        markup = keyboard(buttons or [])
        attempts, error, refused = 0, "", False
        retries = self.settings.send_retries if retries is None else retries
        while attempts <= retries:
            attempts += 1
            try:
                sent = await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
                await asyncio.to_thread(
                    record_outbound,
                    conversation_id=conversation_id,
                    channel=CHANNEL,
                    status="sent",
                    attempts=attempts,
                    provider_id=str(sent.message_id),
                )
                return True
            except RetryAfter as e:
                error = "rate limited by Telegram"
                delay = float(e.retry_after if isinstance(e.retry_after, int | float) else 1)
                await asyncio.sleep(min(delay, 30))
                continue
            except Forbidden:
                error, refused = "blocked by the user", True
                break
            except NetworkError as e:  # includes timeouts and 5xx
                error = f"network {type(e).__name__}"
            except TelegramError as e:
                error = f"telegram {type(e).__name__}"
                break
            if attempts <= retries:
                await asyncio.sleep(self.settings.send_backoff_seconds * 2 ** (attempts - 1))
        await asyncio.to_thread(
            record_failure, conversation_id=conversation_id, channel=CHANNEL, attempts=attempts, error=error
        )
        if refused and raise_refusal:
            raise Refused(error)
        return False
