"""At least once in: a message received but never processed (its process
died mid-turn) is handled again, in order, by a loop each Rasa process runs;
one that is too old or has failed too often gets a kind "something went
wrong, try again" instead of silence (bot/conversations/deliveries.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.conversations import deliveries
from bot.settings import Settings
from channels.inbox import Inbox

logger = logging.getLogger(__name__)

Redo = Callable[[Any, str, str, bool], Coroutine[Any, Any, None]]
"""(agent, delivery id, payload, give up) -> handle that message again, or
(give up) only tell its sender something went wrong; either way, mark it processed."""


async def recover_once(
    app: Any, inbox: Inbox, channel: str, settings: Settings, redo: Redo, output: OutputChannel
) -> int:
    agent = getattr(app.ctx, "agent", None)
    if agent is None:
        return 0  # still loading the model
    taken = await asyncio.to_thread(deliveries.take_unprocessed, channel, settings.delivery_stale_seconds)
    for lost in taken:
        if lost.conversation_id is None:
            continue
        if lost.payload is None:
            logger.error("a %s message could not be read again; the sender is told", channel)
            await inbox.notice(agent, output, lost.conversation_id, "something_went_wrong")
            await asyncio.to_thread(deliveries.mark_processed, channel, lost.delivery_id)
            continue
        logger.warning(
            "a %s message was never processed; %s",
            channel,
            "telling its sender" if lost.give_up else "handling it again",
        )
        inbox.in_order(lost.conversation_id, redo(agent, lost.delivery_id, lost.payload, lost.give_up))
    return len(taken)


async def recover_forever(
    app: Any, inbox: Inbox, channel: str, settings: Settings, redo: Redo, output: Callable[[], OutputChannel]
) -> None:
    while True:
        await asyncio.sleep(settings.recovery_seconds)
        try:
            await recover_once(app, inbox, channel, settings, redo, output())
        except Exception:  # a locked database, say: try again next time
            logger.exception("recovering %s messages failed; will retry", channel)
