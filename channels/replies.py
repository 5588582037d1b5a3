"""A turn's replies: held while Rasa runs (under the conversation's lock),
then sent once the lock is released. Each gets one quick try; anything not
confirmed goes to the outbox, whose worker retries with backoff, so a crisis
reply to a young person has the same guarantee as a coordinator's alert.

Order is kept: once one reply has gone to the outbox, the ones after it go
too (the worker sends in order). Each has an idempotency key (the inbound
message's key and its place in the turn), so a retried turn never queues it
twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from rasa.core.channels.channel import OutputChannel

from bot.db.engine import session_scope
from bot.handoff.outbox import enqueue, has_pending_replies

logger = logging.getLogger(__name__)
# Longer than a provider's own timeout (Twilio 10 s; python-telegram-bot 5 s to
# connect + 5 s to read), so a send the provider accepted is not cut short.
FIRST_TRY_SECONDS = 15.0
_queued_for: set[str] = set()  # conversations whose replies this process put in the outbox


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[dict[str, Any], ...] = ()


def with_choices(text: str, buttons: list[dict[str, Any]]) -> str:
    """SMS has no buttons: list the choices (typing one is understood by NLU),
    unless the text already numbers them ("1) ..., 2) ...")."""
    numbered = all(f"{button['payload']})" in text for button in buttons)
    if not buttons or numbered:
        return text
    return text + "\n\n" + " / ".join(button["title"] for button in buttons)


class TriesOnce(Protocol):
    """A provider's output channel that can try a reply once, and say where
    the outbox should send it instead."""

    async def try_once(self, conversation_id: str, reply: Reply) -> bool: ...

    async def route_for(self, conversation_id: str) -> tuple[str, str] | None:
        """(route, address) for the outbox; None when nothing may be sent (SMS STOP)."""
        ...

    def as_text(self, reply: Reply) -> str:
        """The reply as one text, for the outbox (which has no buttons)."""
        ...

    def parts(self, reply: Reply) -> list[Reply]:
        """What the provider sends as separate messages (SMS-sized parts)."""
        ...


class HeldReplies(OutputChannel):
    """Rasa's output channel for one turn: it keeps the replies instead of
    sending them, and answers to the real channel's name (the NLG renders by it)."""

    def __init__(self, real: OutputChannel) -> None:
        self.real = real
        self.replies: list[Reply] = []

    def name(self) -> str:
        return self.real.name()

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.replies.append(Reply(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.replies.append(Reply(text, tuple(buttons)))


@contextlib.asynccontextmanager
async def holding(real: OutputChannel, conversation_id: str, key: str) -> AsyncIterator[HeldReplies]:
    """The output channel for one turn; what it held is sent on the way out,
    whatever happened inside."""
    held = HeldReplies(real)
    try:
        yield held
    finally:
        await send_held(held, conversation_id, key)


async def send_held(held: HeldReplies, conversation_id: str, key: str) -> None:
    """Sends the turn's replies: a quick try each, the rest through the outbox."""
    real: Any = held.real
    if not hasattr(real, "try_once"):  # a channel without the outbox (the terminal chat)
        for reply in held.replies:
            await real.send_text_with_buttons(conversation_id, reply.text, list(reply.buttons))
        return
    # Each SMS part on its own: a failed second part never sends the first again.
    parts: list[Reply] = [part for reply in held.replies for part in real.parts(reply)]
    if not parts:
        return
    # Replies of an earlier turn still in the outbox go first: this turn's wait
    # behind them. Only conversations this process queued for are looked up
    # (order is kept within a process, not across replicas).
    waiting = conversation_id in _queued_for and await asyncio.to_thread(has_pending_replies, conversation_id)
    if not waiting:
        _queued_for.discard(conversation_id)
    for index, part in enumerate(parts):
        sent = False
        if not waiting:
            try:
                sent = await asyncio.wait_for(real.try_once(conversation_id, part), FIRST_TRY_SECONDS)
            except Exception:  # a provider's error, or our limit (maybe delivered): the outbox decides
                logger.warning("a reply's first try failed; it goes through the outbox")
        if not sent:
            await _queue_or_send(real, conversation_id, key, index, parts[index:])
            return


async def _queue_or_send(real: Any, conversation_id: str, key: str, start: int, parts: list[Reply]) -> None:
    try:
        route = await real.route_for(conversation_id)
        if route is not None:
            texts = [real.as_text(p) for p in parts]
            await asyncio.to_thread(queue_replies, route, conversation_id, key, start, texts)
            _queued_for.add(conversation_id)
    except Exception:
        # The outbox can't be reached: send them now, with the provider's own retries.
        logger.exception("could not queue replies; sending them directly")
        for part in parts:
            with contextlib.suppress(Exception):
                await real.send_text_with_buttons(conversation_id, part.text, list(part.buttons))


def queue_replies(
    route: tuple[str, str], conversation_id: str, key: str, start: int, texts: list[str]
) -> None:
    """The rest of a turn's replies, in order, in one transaction."""
    channel, address = route
    with session_scope() as session:
        for offset, text in enumerate(texts):
            enqueue(
                session,
                dedupe_key=f"reply:{key}:{start + offset}",
                route=channel,
                destination=address,
                conversation_id=conversation_id,
                body=text,
            )
