"""SMS through Twilio, as a Rasa custom connector (``credentials.yml``:
``channels.sms.connector.SmsInput``), mounted at ``/webhooks/sms/``.

Unlike Rasa's own Twilio connector it checks ``X-Twilio-Signature`` (403 if
forged or missing), keys conversations by a keyed hash of the number, answers
Twilio at once and replies from a background task through the non-blocking
client, ignores Twilio's retries of a ``MessageSid`` it has seen, honours
STOP/START/HELP in both languages, and records delivery-status callbacks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.conversations import contacts, deliveries, inbound
from bot.conversations.contacts import Contact
from bot.locales import render
from bot.settings import Settings, get_settings
from channels.inbox import UNREAD, CaseOnArrival, Inbox
from channels.recovery import recover_forever
from channels.replies import Reply, with_choices
from channels.senders import sms_sender
from channels.sms.keywords import keyword
from channels.sms.segments import split_for_sms
from channels.sms.sender import CHANNEL, MAX_SEGMENTS_PER_MESSAGE, SmsSender
from channels.texts import channel_text, language_of

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twilio_params(request: Request) -> dict[str, str]:
    """The POSTed fields, blank ones included: Twilio signs an MMS's empty
    ``Body`` too, and Sanic's own form parser drops blank values."""
    return dict(parse_qsl((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True))


class SmsOutput(OutputChannel):
    """Replies to one conversation. ``recipient_id`` is the conversation id;
    the number is looked up (decrypted) only here, at the moment of sending."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, sender: SmsSender, contact: Contact | None = None) -> None:
        self.sender = sender
        # One message's output: its contact came with the message, or is looked up once.
        self._contacts: dict[str, Contact | None] = {contact.conversation_id: contact} if contact else {}

    async def _contact(self, conversation_id: str) -> Contact | None:
        if conversation_id not in self._contacts:
            self._contacts[conversation_id] = await asyncio.to_thread(contacts.lookup, conversation_id)
        return self._contacts[conversation_id]

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        contact = await self._contact(recipient_id)
        if contact is None:
            logger.error("no SMS contact for %s", recipient_id)
            return
        if contact.opted_out:
            await asyncio.to_thread(deliveries.record_suppressed, recipient_id, CHANNEL)
            return
        await self.sender.send(recipient_id, contact.address, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, with_choices(text, buttons))

    # A turn's replies (channels/replies.py): one quick try, then the outbox.
    async def try_once(self, conversation_id: str, reply: Reply) -> bool:
        contact = await self._contact(conversation_id)
        if contact is None or contact.opted_out:
            await self.send_text_message(conversation_id, reply.text)  # logs or records the suppression
            return True  # nothing to retry
        return await self.sender.send(conversation_id, contact.address, self.as_text(reply), retries=0)

    async def route_for(self, conversation_id: str) -> tuple[str, str] | None:
        contact = await self._contact(conversation_id)
        return None if contact is None or contact.opted_out else (CHANNEL, contact.address)

    def as_text(self, reply: Reply) -> str:
        return with_choices(reply.text, list(reply.buttons))

    def parts(self, reply: Reply) -> list[Reply]:
        return [Reply(part) for part in split_for_sms(self.as_text(reply), MAX_SEGMENTS_PER_MESSAGE)]


class SmsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sender = sms_sender()
        self.inbox = Inbox(settings)
        self.validator = RequestValidator(settings.twilio_auth_token or "")

    def get_output_channel(self, contact: Contact | None = None) -> OutputChannel:
        return SmsOutput(self.sender, contact)

    def _signed_url(self, request: Request) -> str:
        # Behind a proxy the URL Twilio signed is the public one, not ours.
        base = self.settings.public_base_url
        if not base:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{base.rstrip('/')}{request.path}{query}"

    def is_genuine(self, request: Request) -> bool:
        if not self.settings.twilio_auth_token:
            return False  # unconfigured: refuse everything rather than trust anyone
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(signature) and self.validator.validate(
            self._signed_url(request), twilio_params(request), signature
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's own on_new_message is not used: the inbox runs the turn itself
        # (bot.turn), so the handoff is decided inside it.
        hook = Blueprint("sms_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.listener("after_server_start")
        async def recover(app: Any, _loop: Any) -> None:
            app.add_task(
                recover_forever(app, self.inbox, CHANNEL, self.settings, self._redo, self.get_output_channel)
            )

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_genuine(request):
                logger.warning("refused an SMS webhook with a bad or missing signature")
                return response.text("forbidden", status=403)
            form = twilio_params(request)
            sid, sender = form.get("MessageSid"), form.get("From")
            if not sid or not sender:
                return response.text("missing MessageSid or From", status=400)
            turns_before = self.inbox.turns_finished
            accepted = await asyncio.to_thread(inbound.accept, CHANNEL, sid, sender, json.dumps(form))
            if accepted.first_time and accepted.contact is not None:
                cid = accepted.contact.conversation_id
                case = self.inbox.case_on_arrival(cid, accepted.case, turns_before)
                handling = self._handle(request.app.ctx.agent, form, accepted.contact, case, time.monotonic())
                self.inbox.in_order(cid, handling)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @hook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            if not self.is_genuine(request):
                return response.text("forbidden", status=403)
            form = twilio_params(request)
            if form.get("MessageSid") and form.get("MessageStatus"):
                await asyncio.to_thread(
                    deliveries.record_status, form["MessageSid"], form["MessageStatus"], form.get("ErrorCode")
                )
            return response.empty()

        return hook

    async def _handle(
        self,
        agent: Any,
        form: dict[str, str],
        contact: Contact,
        case: CaseOnArrival = UNREAD,
        queued_at: float | None = None,
        redo: bool = False,
    ) -> None:
        async def say_something_went_wrong() -> None:
            output = self.get_output_channel(contact)
            await self.inbox.notice(agent, output, contact.conversation_id, "something_went_wrong")

        def work() -> Awaitable[None]:
            return self._handle_message(agent, form, contact, case, redo)

        await self.inbox.handle_once(
            CHANNEL, form["MessageSid"], work, say_something_went_wrong, queued_at=queued_at, redo=redo
        )

    async def _redo(self, agent: Any, delivery_id: str, payload: str, give_up: bool) -> None:
        form = json.loads(payload)
        if await asyncio.to_thread(deliveries.is_processed, CHANNEL, delivery_id):
            return  # it was only slow: handled meanwhile
        contact = await asyncio.to_thread(contacts.remember_contact, CHANNEL, form["From"])
        if not give_up:
            await self._handle(agent, form, contact, redo=True)
            return
        output = self.get_output_channel(contact)
        await self.inbox.notice(agent, output, contact.conversation_id, "something_went_wrong")
        await asyncio.to_thread(deliveries.mark_processed, CHANNEL, delivery_id)

    async def _handle_message(
        self, agent: Any, form: dict[str, str], contact: Contact, case: CaseOnArrival, redo: bool = False
    ) -> None:
        cid = contact.conversation_id
        output = self.get_output_channel(contact)
        body = form.get("Body", "").strip()
        has_media = int(form.get("NumMedia", "0") or 0) > 0

        word = keyword(body)
        if word is not None:
            # STOP and START are always honoured; HELP counts towards the limit.
            if word.action in ("stop", "start") or await self.inbox.admit(agent, output, cid):
                await self._keyword(word, cid, agent, output)
            return
        if has_media and not body:
            if await self.inbox.admit(agent, output, cid):
                await self.inbox.notice(agent, output, cid, "media_not_supported")
            return
        await self.inbox.deliver(
            agent=agent,
            output=output,
            conversation_id=cid,
            channel=CHANNEL,
            text=body,
            delivery_key=form["MessageSid"],
            redo=redo,
            case=case,
        )
        if has_media:
            await self.inbox.notice(agent, output, cid, "media_not_supported")

    async def _keyword(self, word: Any, cid: str, agent: Any, output: OutputChannel) -> None:
        if word.action == "stop":
            if not word.answered_by_twilio:
                await output.send_text_message(cid, channel_text("sms_stopped", word.language))
            await asyncio.to_thread(contacts.set_opted_out, cid, True)
        elif word.action == "start":
            await asyncio.to_thread(contacts.set_opted_out, cid, False)
            if not word.answered_by_twilio:
                await output.send_text_message(cid, channel_text("sms_started", word.language))
        else:
            # Who we are and how to reach a person, then the menu of what the bot can do.
            language = await language_of(agent, cid) or word.language
            await output.send_text_message(cid, channel_text("sms_help", language))
            menu = render("help", language)
            await output.send_text_with_buttons(cid, menu["text"], menu.get("buttons", []))
