"""Telegram, as a Rasa custom connector built on python-telegram-bot
(``credentials.yml``: ``channels.telegram.connector.TelegramInput``), mounted
at ``/webhooks/telegram/``.

Unlike Rasa's aiogram connector it checks the ``X-Telegram-Bot-Api-Secret-Token``
header (403 otherwise), never calls getMe per update, answers 200 to updates
it doesn't use (so Telegram doesn't redeliver), ignores a redelivered
``update_id``, answers callback queries, tells a young person kindly that it
can only read text, and keeps coordinators' chats apart from young people's.
Registering the webhook is a separate command (``channels.telegram.admin``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Message, Update

from bot.settings import Settings, get_settings
from channels import contacts, deliveries
from channels.coordinators import is_coordinator, is_coordinator_command
from channels.inbox import Inbox
from channels.senders import telegram_sender
from channels.telegram.sender import CHANNEL, TelegramSender
from channels.texts import channel_text

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GREET = "/greet"
DEEP_LINK_LANGUAGES = {"cy": "cy", "en": "en", "cymraeg": "cy", "english": "en"}


class TelegramOutput(OutputChannel):
    """``recipient_id`` is the conversation id; the chat id is looked up here."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender

    async def _chat_id(self, recipient_id: str) -> int | None:
        contact = await asyncio.to_thread(contacts.lookup, recipient_id)
        return int(contact.address) if contact else None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        chat_id = await self._chat_id(recipient_id)
        if chat_id is not None:
            await self.sender.send(recipient_id, chat_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        chat_id = await self._chat_id(recipient_id)
        if chat_id is not None:
            await self.sender.send(recipient_id, chat_id, text, buttons)


def start_command_text(text: str) -> str | None:
    """``/start`` (and deep links such as ``/start cy``) open the conversation."""
    parts = text.strip().split(maxsplit=1)
    if not parts or parts[0].split("@")[0].lower() != "/start":
        return None
    language = DEEP_LINK_LANGUAGES.get(parts[1].strip().lower()) if len(parts) > 1 else None
    return f'/choose_language{{"language":"{language}"}}' if language else GREET


def has_media(message: Message) -> bool:
    return any(
        (
            message.sticker,
            message.photo,
            message.voice,
            message.video,
            message.video_note,
            message.audio,
            message.document,
            message.animation,
            message.location,
            message.contact,
        )
    )


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sender = telegram_sender()
        self.inbox = Inbox(settings)

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.sender)

    def is_genuine(self, request: Request) -> bool:
        expected = self.settings.telegram_secret_token
        given = request.headers.get(SECRET_HEADER, "")
        return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("telegram_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_genuine(request):
                logger.warning("refused a Telegram webhook without the secret token")
                return response.text("forbidden", status=403)
            try:
                update = Update.de_json(json.loads(request.body or b"{}"), self.sender.bot)
            except (ValueError, TypeError, KeyError):
                return response.text("not a Telegram update", status=400)
            if update is None or not await asyncio.to_thread(
                deliveries.claim, CHANNEL, str(update.update_id)
            ):
                return response.text("ok")
            request.app.add_task(self._handle(on_new_message, request.app.ctx.agent, update))
            return response.text("ok")

        return hook

    async def _handle(self, on_new_message: Any, agent: Any, update: Update) -> None:
        try:
            await self._handle_update(on_new_message, agent, update)
        except Exception:
            logger.exception("failed to handle a Telegram update")

    async def _handle_update(self, on_new_message: Any, agent: Any, update: Update) -> None:
        if update.callback_query is not None:
            query = update.callback_query
            await self.sender.bot.answer_callback_query(query.id)
            if query.message is None or not query.data:
                return
            chat, text = query.message.chat, query.data
        else:
            # An edit is read as a new message: it may say something new.
            message = update.message or update.edited_message
            if message is None:
                return  # channel posts, membership changes...: acknowledged, ignored
            chat, text = message.chat, (message.text or message.caption or "")

        if is_coordinator(chat.id):
            await self._coordinator(chat.id, text)
            return
        cid = await asyncio.to_thread(contacts.remember, CHANNEL, str(chat.id))
        output = self.get_output_channel()
        if is_coordinator_command(text):
            await self.inbox.notice(agent, output, cid, "coordinator_only")
            return
        if chat.type != "private":
            if text.startswith("/"):
                await self.inbox.notice(agent, output, cid, "private_chat_only")
            return
        media = update.callback_query is None and has_media(update.effective_message)  # type: ignore[arg-type]
        if media and not text:
            await self.inbox.notice(agent, output, cid, "media_not_supported")
            return
        text = start_command_text(text) or text
        await self.inbox.deliver(
            on_new_message=on_new_message,
            agent=agent,
            output=output,
            conversation_id=cid,
            channel=CHANNEL,
            text=text,
        )
        if media:
            await self.inbox.notice(agent, output, cid, "media_not_supported")

    async def _coordinator(self, chat_id: int, text: str) -> None:
        # Coordinator messages never reach Rasa: they are not a young person's.
        # The case commands (ack, reply, close) arrive with issue 4.
        await self.sender.send("coordinators", chat_id, channel_text("coordinator_welcome", None))
