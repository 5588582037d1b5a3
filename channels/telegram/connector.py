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
import contextlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Message, Update
from telegram.error import TelegramError

from bot.conversations import contacts, deliveries, inbound
from bot.conversations.contacts import Contact
from bot.crypto import conversation_id
from bot.handoff import cases
from bot.language import detect
from bot.locales import render_both
from bot.settings import Settings, get_settings
from channels.coordinators import is_coordinator, is_coordinator_command
from channels.inbox import UNREAD, CaseOnArrival, Inbox
from channels.recovery import recover_forever
from channels.replies import Reply, with_choices
from channels.senders import telegram_sender
from channels.telegram.sender import CHANNEL, TelegramSender
from channels.texts import channel_text

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GROUP_CHAT = "telegram-group"  # how group chats appear in delivery records: no id
GREET = "/greet"
DEEP_LINK_LANGUAGES = {"cy": "cy", "en": "en", "cymraeg": "cy", "english": "en"}


async def record_bot_message(agent: Any, conversation_id: str, text: str) -> None:
    """A coordinator's reply goes into the young person's conversation as a bot
    message, so the record (and a later case) shows what was said."""
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.get_or_create_tracker(conversation_id)
        tracker.update(BotUttered(text, metadata={"author": "coordinator"}))
        await agent.tracker_store.save(tracker)


class TelegramOutput(OutputChannel):
    """``recipient_id`` is the conversation id; the chat id is looked up here."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, sender: TelegramSender, contact: Contact | None = None) -> None:
        self.sender = sender
        # One message's output: its chat came with the message, or is looked up once.
        self._chat_ids: dict[str, int | None] = (
            {contact.conversation_id: int(contact.address)} if contact else {}
        )

    async def _chat_id(self, recipient_id: str) -> int | None:
        if recipient_id not in self._chat_ids:
            contact = await asyncio.to_thread(contacts.lookup, recipient_id)
            self._chat_ids[recipient_id] = int(contact.address) if contact else None
        return self._chat_ids[recipient_id]

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

    # A turn's replies (channels/replies.py): one quick try, then the outbox.
    async def try_once(self, conversation_id: str, reply: Reply) -> bool:
        chat_id = await self._chat_id(conversation_id)
        if chat_id is None:
            return True  # nowhere to send: nothing to retry
        return await self.sender.send(
            conversation_id, chat_id, reply.text, list(reply.buttons) or None, retries=0
        )

    async def route_for(self, conversation_id: str) -> tuple[str, str] | None:
        chat_id = await self._chat_id(conversation_id)
        return None if chat_id is None else (CHANNEL, str(chat_id))

    def as_text(self, reply: Reply) -> str:
        # The outbox sends text only: the buttons' choices go in the text.
        return with_choices(reply.text, list(reply.buttons))

    def parts(self, reply: Reply) -> list[Reply]:
        return [reply]


def parse_update(body: bytes | None, bot: Any) -> Update | None:
    """An update, or None for JSON that isn't one (``null``, ``[]``, a
    string, ``{"message": "hi"}``): python-telegram-bot raises on those."""
    try:
        data = json.loads(body or b"null")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        return Update.de_json(data, bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


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

    def get_output_channel(self, contact: Contact | None = None) -> OutputChannel:
        return TelegramOutput(self.sender, contact)

    def is_genuine(self, request: Request) -> bool:
        expected = self.settings.telegram_secret_token
        given = request.headers.get(SECRET_HEADER, "")
        return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's own on_new_message is not used: the inbox runs the turn itself
        # (bot.turn), so the handoff is decided inside it.
        hook = Blueprint("telegram_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_genuine(request):
                logger.warning("refused a Telegram webhook without the secret token")
                return response.text("forbidden", status=403)
            update = parse_update(request.body, self.sender.bot)
            if update is None:
                # Acknowledged, not refused: Telegram redelivers anything but a 2xx, forever.
                logger.warning("ignored a Telegram webhook body that is not an update")
                return response.text("ignored: not a Telegram update")
            key = self._order_key(update)
            chat = update.effective_chat
            # Only a young person's private chat is kept for recovery: a group
            # is nobody's conversation, and a coordinator's command is never redone.
            young = chat is not None and chat.type == "private" and not is_coordinator(chat.id)
            payload = (request.body or b"").decode("utf-8", "replace") if young else None
            address = str(chat.id) if young and chat is not None else None
            turns_before = self.inbox.turns_finished
            accepted = await asyncio.to_thread(
                inbound.accept, CHANNEL, str(update.update_id), address, payload
            )
            if not accepted.first_time:
                return response.text("ok")
            case = self.inbox.case_on_arrival(key, accepted.case, turns_before)
            handling = self._handle(
                request.app.ctx.agent, update, accepted.contact, case, queued_at=time.monotonic()
            )
            self.inbox.in_order(key, handling)
            return response.text("ok")

        @hook.listener("after_server_start")
        async def recover(app: Any, _loop: Any) -> None:
            app.add_task(
                recover_forever(app, self.inbox, CHANNEL, self.settings, self._redo, self.get_output_channel)
            )

        return hook

    @staticmethod
    def _order_key(update: Update) -> str:
        """The conversation an update belongs to (its messages are handled in order)."""
        chat = update.effective_chat
        return conversation_id(CHANNEL, str(chat.id)) if chat is not None else f"update-{update.update_id}"

    async def _handle(
        self,
        agent: Any,
        update: Update,
        contact: Contact | None = None,
        case: CaseOnArrival = UNREAD,
        queued_at: float | None = None,
        redo: bool = False,
    ) -> None:
        chat = update.effective_chat
        young = chat is not None and chat.type == "private" and not is_coordinator(chat.id)

        async def say_something_went_wrong() -> None:
            await self.inbox.notice(
                agent, self.get_output_channel(), self._order_key(update), "something_went_wrong"
            )

        def work() -> Awaitable[None]:
            return self._handle_update(agent, update, contact, case, redo)

        await self.inbox.handle_once(
            CHANNEL,
            str(update.update_id),
            work,
            say_something_went_wrong if young else None,  # a group or a coordinator gets no apology
            queued_at=queued_at,
            redo=redo,
        )

    async def _redo(self, agent: Any, delivery_id: str, payload: str, give_up: bool) -> None:
        if await asyncio.to_thread(deliveries.is_processed, CHANNEL, delivery_id):
            return  # it was only slow: handled meanwhile
        update = parse_update(payload.encode(), self.sender.bot)
        if update is not None and not give_up:
            await self._handle(agent, update, redo=True)
            return
        chat = update.effective_chat if update is not None else None
        if chat is not None:
            cid = await asyncio.to_thread(contacts.remember, CHANNEL, str(chat.id))
            await self.inbox.notice(agent, self.get_output_channel(), cid, "something_went_wrong")
        await asyncio.to_thread(deliveries.mark_processed, CHANNEL, delivery_id)

    async def _handle_update(
        self,
        agent: Any,
        update: Update,
        contact: Contact | None = None,
        case: CaseOnArrival = UNREAD,
        redo: bool = False,
    ) -> None:
        if update.callback_query is not None:
            query = update.callback_query
            # Telegram refuses to answer an old press (a recovered message): the press still counts.
            with contextlib.suppress(TelegramError):
                await self.sender.bot.answer_callback_query(query.id)
            if query.message is None or not query.data:
                return
            chat, text, from_button = query.message.chat, query.data, True
        else:
            # An edit is read as a new message: it may say something new.
            message = update.message or update.edited_message
            if message is None:
                return  # channel posts, membership changes...: acknowledged, ignored
            chat, text, from_button = message.chat, (message.text or message.caption or ""), False

        if is_coordinator(chat.id):
            await self._coordinator(agent, chat.id, text, str(update.update_id))
            return
        if chat.type != "private":
            await self._group(agent, chat.id, text)
            return
        if contact is None:  # recovered after a restart: remembered again
            contact = await asyncio.to_thread(contacts.remember_contact, CHANNEL, str(chat.id))
        cid = contact.conversation_id
        output = self.get_output_channel(contact)
        if is_coordinator_command(text):
            if await self.inbox.admit(agent, output, cid):
                await self.inbox.notice(agent, output, cid, "coordinator_only")
            return
        media = update.callback_query is None and has_media(update.effective_message)  # type: ignore[arg-type]
        if media and not text:
            if await self.inbox.admit(agent, output, cid):
                await self.inbox.notice(agent, output, cid, "media_not_supported")
            return
        started = start_command_text(text)
        text, from_button = (started, True) if started else (text, from_button)
        await self.inbox.deliver(
            agent=agent,
            output=output,
            conversation_id=cid,
            channel=CHANNEL,
            text=text,
            delivery_key=str(update.update_id),
            from_button=from_button,
            redo=redo,
            case=case,
        )
        if media:
            await self.inbox.notice(agent, output, cid, "media_not_supported")

    async def _group(self, agent: Any, chat_id: int, text: str) -> None:
        """A group chat is nobody's conversation: nothing about it is stored
        (not even its id). A disclosure there gets the crisis contacts in the
        group and an invitation to a private chat; a command, a pointer to one."""
        if not text:
            return
        parse = await agent.parse_message(text)
        level = (parse.get("safeguarding") or {}).get("level")
        language = detect(text).language if level != "none" else None
        if level in ("urgent", "concern"):
            await self.sender.send(GROUP_CHAT, chat_id, channel_text("group_chat_concern", language))
        elif text.startswith("/"):
            await self.sender.send(GROUP_CHAT, chat_id, channel_text("private_chat_only", None))

    async def _coordinator(self, agent: Any, chat_id: int, text: str, message_key: str) -> None:
        """Coordinator messages never reach Rasa: they are not a young person's.
        Only allowlisted chats get here; every action on a case is audited."""
        actor = f"coordinator:{chat_id}"
        command, _, rest = text.strip().partition(" ")
        command = command.split("@")[0].lower()
        case_id, _, body = rest.strip().partition(" ")
        if command == "/cases":
            open_cases = await asyncio.to_thread(cases.list_open)
            lines = [cases.queue_line(c) for c in open_cases]
            reply = "\n".join(lines) or channel_text("coordinator_no_cases", None)
        elif command in ("/ack", "/close") and case_id:
            action = cases.acknowledge if command == "/ack" else cases.close
            case = await asyncio.to_thread(action, case_id, actor)
            reply = self._done(case, case_id)
        elif command == "/reply" and case_id and body.strip():
            case = await asyncio.to_thread(cases.reply, case_id, actor, body.strip(), message_key)
            if case is not None:
                await record_bot_message(agent, case.conversation_id, body.strip())
            reply = self._done(case, case_id)
        elif command in ("/start", "/coordinator"):
            reply = (
                channel_text("coordinator_welcome", None) + "\n\n" + channel_text("coordinator_help", None)
            )
        else:
            reply = channel_text("coordinator_help", None)
        await self.sender.send("coordinators", chat_id, reply)

    @staticmethod
    def _done(case: Any, case_id: str) -> str:
        if case is None:
            return render_both("coordinator_unknown_case", case_id=case_id)
        return render_both("coordinator_done", case_id=case.id, status=case.status)
