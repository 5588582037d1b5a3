"""Web chat, as a Rasa custom connector (``credentials.yml``:
``channels.webchat.connector.WebChatInput``), mounted at ``/webhooks/webchat/``.

- ``GET /``: the page (``?lang=cy|en``), its script and styles from here only.
- ``POST /session``: the server issues the conversation (a signed, HttpOnly,
  SameSite=Strict cookie, bot.conversations.webchat); the page never names it.
  Rasa's REST and socket.io channels take the sender id from the client, so
  anyone could post as anyone: this one refuses any cookie it didn't issue,
  and one whose conversation was deleted.
- ``POST /messages``: a message (``{"id", "text"}`` or a button's
  ``{"id", "payload", "text"}``); the page's random ``id`` makes a resend a
  duplicate, ignored. It goes through the same inbox as SMS and Telegram.
- ``GET /messages?after=N``: what the page hasn't shown yet (polled).
- ``POST /leave``: "leave quickly" drops the cookie.

Every call but the page needs the ``X-IV-Chat`` header: a form or link on
another site can't send it (a custom header needs CORS, which isn't offered),
so with the SameSite cookie that is the CSRF protection.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversations import deliveries, inbound, webchat
from bot.conversations.webchat import CHANNEL, Page
from bot.crypto import conversation_id
from bot.locales import catalogue, render_text
from bot.settings import LANGUAGES, Language, Settings, get_settings
from channels.inbox import GREET, UNREAD, CaseOnArrival, Inbox
from channels.rate_limit import RateLimiter
from channels.recovery import recover_forever
from channels.replies import Reply

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "iv_chat"
HEADER = "X-IV-Chat"
CHOOSE_LANGUAGE = '/choose_language{{"language":"{}"}}'  # the welcome's own button
MAX_BODY_BYTES = 16_384  # a message is cut at 4,000 characters anyway
MAX_PAYLOAD_CHARS = 200  # our own buttons' payloads are far shorter
MESSAGE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
STATIC = {"chat.js": "text/javascript; charset=utf-8", "chat.css": "text/css; charset=utf-8"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def page_language(request: Request) -> Language:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    accepted = request.headers.get("Accept-Language", "")
    return "cy" if accepted.lower().startswith("cy") else "en"


def page_texts(language: Language) -> dict[str, str]:
    return {key: render_text(key, language) for key in catalogue(language) if key.startswith("webchat_")}


def delivery_id(page: Page, message_id: str) -> str:
    """Unique per conversation: one page's ids can't collide with another's."""
    return hashlib.sha256(f"{page.conversation_id}:{message_id}".encode()).hexdigest()[:40]


def _secured(resp: HTTPResponse) -> HTTPResponse:
    resp.headers.update(SECURITY_HEADERS)
    return resp


class WebChatOutput(OutputChannel):
    """Replies go where the page reads them; nothing can fail at a provider."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await asyncio.to_thread(webchat.append, recipient_id, "out", text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await asyncio.to_thread(webchat.append, recipient_id, "out", text, buttons)

    # A turn's replies (channels/replies.py).
    async def try_once(self, conversation_id: str, reply: Reply) -> bool:
        await self.send_text_with_buttons(conversation_id, reply.text, list(reply.buttons))
        return True

    async def route_for(self, conversation_id: str) -> tuple[str, str] | None:
        return (CHANNEL, conversation_id)

    def as_text(self, reply: Reply) -> str:
        return reply.text

    def parts(self, reply: Reply) -> list[Reply]:
        return [reply]


class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.inbox = Inbox(settings)
        # The inbox's counter (and Redis connection, if any): its keys don't overlap.
        self.new_chats = RateLimiter(
            settings.webchat_new_chats_per_window,
            settings.rate_limit_window_seconds,
            self.inbox.limiter.counter,
        )

    def get_output_channel(self) -> OutputChannel:
        return WebChatOutput()

    def _cookie_secure(self, request: Request) -> bool:
        return request.scheme == "https" or self.settings.environment == "production"

    async def _page(self, request: Request) -> Page | None:
        if request.headers.get(HEADER) != "1":
            return None
        return await asyncio.to_thread(webchat.page_for, request.cookies.get(COOKIE))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("webchat", __name__)

        @hook.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            language = page_language(request)
            chosen = request.args.get("lang")
            html = _templates.get_template("page.html").render(
                language=language,
                chosen=chosen if chosen in LANGUAGES else "",
                other="en" if language == "cy" else "cy",
                t=page_texts(language),
                base=request.path if request.path.endswith("/") else request.path + "/",
            )
            return _secured(response.html(html))

        @hook.route("/static/<name>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            if name not in STATIC:
                return response.text("not found", status=404)
            body = (HERE / "static" / name).read_text(encoding="utf-8")
            return _secured(response.text(body, content_type=STATIC[name]))

        @hook.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            if request.headers.get(HEADER) != "1":
                return _secured(response.json({"error": "forbidden"}, status=403))
            if await self._page(request) is not None:
                return _secured(response.json({"ok": True}))
            # A new conversation costs a Rasa turn: so many a window from one address.
            client = f"webchat-session:{request.remote_addr or request.ip}"
            if not await asyncio.to_thread(self.new_chats.allow, client):
                return _secured(response.json({"error": "slow down"}, status=429))
            page, cookie = await asyncio.to_thread(webchat.start)
            resp = _secured(response.json({"ok": True, "new": True}))
            resp.cookies[COOKIE] = cookie
            resp.cookies[COOKIE]["httponly"] = True
            resp.cookies[COOKIE]["samesite"] = "Strict"
            resp.cookies[COOKIE]["path"] = request.path.rsplit("/", 1)[0] + "/"
            resp.cookies[COOKIE]["secure"] = self._cookie_secure(request)
            # The first contact's welcome: in both languages, unless the page
            # was opened in one on purpose (?lang=cy), when that is chosen.
            chosen = request.args.get("lang")
            first = CHOOSE_LANGUAGE.format(chosen) if chosen in LANGUAGES else GREET
            await self._receive(
                request.app.ctx.agent, page, f"start-{page.token[:16]}", first, from_button=True
            )
            return resp

        @hook.route("/messages", methods=["GET"])
        async def messages(request: Request) -> HTTPResponse:
            page = await self._page(request)
            if page is None:
                return _secured(response.json({"error": "no chat"}, status=401))
            try:
                after = int(request.args.get("after", "0"))
            except ValueError:
                after = 0
            return _secured(
                response.json(await asyncio.to_thread(webchat.since, page.conversation_id, after))
            )

        @hook.route("/messages", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            page = await self._page(request)
            if page is None:
                return _secured(response.json({"error": "no chat"}, status=401))
            if len(request.body or b"") > MAX_BODY_BYTES:
                return _secured(response.json({"error": "too long"}, status=413))
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                body = None
            if not isinstance(body, dict) or not MESSAGE_ID.match(str(body.get("id", ""))):
                return _secured(response.json({"error": "bad message"}, status=400))
            text = str(body.get("text") or "")[:4000]
            payload = body.get("payload")
            button = (
                isinstance(payload, str) and payload.startswith("/") and len(payload) <= MAX_PAYLOAD_CHARS
            )
            words = str(payload) if button else text
            await self._receive(
                request.app.ctx.agent, page, body["id"], words, shown=text, from_button=words != text
            )
            return _secured(response.json({"ok": True}, status=202))

        @hook.route("/leave", methods=["POST"])
        async def leave(request: Request) -> HTTPResponse:
            if request.headers.get(HEADER) != "1":  # another site's form can't end someone's chat
                return _secured(response.json({"error": "forbidden"}, status=403))
            resp = _secured(response.json({"ok": True}))
            resp.cookies[COOKIE] = ""
            resp.cookies[COOKIE]["max-age"] = 0
            resp.cookies[COOKIE]["path"] = request.path.rsplit("/", 1)[0] + "/"
            return resp

        @hook.listener("after_server_start")
        async def recover(app: Any, _loop: Any) -> None:
            app.add_task(
                recover_forever(app, self.inbox, CHANNEL, self.settings, self._redo, self.get_output_channel)
            )

        return hook

    async def _receive(
        self, agent: Any, page: Page, message_id: str, words: str, shown: str = "", from_button: bool = False
    ) -> None:
        """Accepts the message (stored before the page hears "ok", so never
        lost between the two) and queues its turn; the page doesn't wait for it."""
        payload = json.dumps({"token": page.token, "words": words, "button": from_button})
        turns_before = self.inbox.turns_finished
        key = delivery_id(page, message_id)
        accepted = await asyncio.to_thread(inbound.accept, CHANNEL, key, page.token, payload)
        if not accepted.first_time:
            return  # the page sent it again
        if shown:
            await asyncio.to_thread(webchat.append, page.conversation_id, "in", shown)
        cid = page.conversation_id
        case = self.inbox.case_on_arrival(cid, accepted.case, turns_before)
        self.inbox.in_order(cid, self._handle(agent, cid, key, words, from_button, case, time.monotonic()))

    async def _redo(self, agent: Any, key: str, payload: str, give_up: bool) -> None:
        if await asyncio.to_thread(deliveries.is_processed, CHANNEL, key):
            return  # it was only slow: handled meanwhile
        message = json.loads(payload)
        cid = conversation_id(CHANNEL, message["token"])
        if not give_up:
            await self._handle(agent, cid, key, message["words"], message["button"], redo=True)
            return
        await self.inbox.notice(agent, self.get_output_channel(), cid, "something_went_wrong")
        await asyncio.to_thread(deliveries.mark_processed, CHANNEL, key)

    async def _handle(
        self,
        agent: Any,
        cid: str,
        key: str,
        words: str,
        from_button: bool,
        case: CaseOnArrival = UNREAD,
        queued_at: float | None = None,
        redo: bool = False,
    ) -> None:
        output = self.get_output_channel()

        def work() -> Awaitable[None]:
            return self.inbox.deliver(
                agent=agent,
                output=output,
                conversation_id=cid,
                channel=CHANNEL,
                text=words,
                delivery_key=key,
                from_button=from_button,
                redo=redo,
                case=case,
            )

        async def say_something_went_wrong() -> None:
            await self.inbox.notice(agent, output, cid, "something_went_wrong")

        await self.inbox.handle_once(
            CHANNEL, key, work, say_something_went_wrong, queued_at=queued_at, redo=redo
        )
