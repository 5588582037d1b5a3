"""The outbox worker: sends queued alerts, relays and replies, retrying with
backoff, escalates cases nobody acknowledged, and deletes the conversations
of confirmed "delete my data" requests once their turn is over.

The providers come in as ``Sender``s (``channels/worker.py`` runs this with
Twilio and Telegram), so ``bot/`` never imports ``channels/``. State lives
in the database, so a restarted worker carries on where the last one
stopped, and two workers never send the same item (bot.handoff.outbox).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from bot.handoff import cases, outbox
from bot.records import erasure

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 50  # with backoff capped at 5 minutes: about four hours of trying
# A send gets well under its lease: a slow provider can't let another worker
# take the item (and send it again) while this one is still sending.
SEND_TIMEOUT = outbox.LEASE_SECONDS / 3


class Refused(Exception):
    """The provider refuses this message for good (the bot blocked, the number
    unsubscribed): trying again for hours won't help."""


class Sender(Protocol):
    async def send(
        self, conversation_id: str, destination: str, text: str, sent_since: datetime | None = None
    ) -> bool:
        """Sends one message; True once the provider accepted it. Raises
        ``Refused`` when no retry can succeed. ``sent_since``: an earlier try
        since then may have got through unheard (a timeout); a provider that
        can tell skips what it finds was sent (Twilio), one that can't sends
        again (Telegram: a possible duplicate rather than a possible loss)."""
        ...


def worker_name() -> str:
    """Unique even for two containers with the same hostname and pid 1; fits ``locked_by``."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def send_one(
    item: outbox.Pending, worker_id: str, senders: Mapping[str, Sender], timeout: float = SEND_TIMEOUT
) -> bool:
    """Sends one leased item and records the outcome; True if it was sent."""
    sender = senders.get(item.route)
    if sender is None:
        await asyncio.to_thread(outbox.set_aside, item.id, worker_id, f"no sender for route {item.route}")
        return False
    if not await asyncio.to_thread(outbox.renew, item.id, worker_id):
        return False  # another worker has it now
    try:
        ok = await asyncio.wait_for(
            sender.send(item.conversation_id, item.destination, item.body, item.sent_since), timeout
        )
        reason = "provider refused or unreachable"
    except TimeoutError:
        # Maybe delivered: tried again only after the backoff, never at once.
        ok, reason = False, "timed out (may have been delivered)"
    except Refused as refusal:
        await asyncio.to_thread(outbox.set_aside, item.id, worker_id, f"refused: {refusal}")
        return False
    except Exception as error:  # a bug or an outage must not stop the worker
        logger.exception("outbox item %s failed", item.id)
        ok, reason = False, type(error).__name__
    if ok:
        return await asyncio.to_thread(outbox.mark_sent, item.id, worker_id)
    await asyncio.to_thread(outbox.mark_failed, item.id, worker_id, reason, MAX_ATTEMPTS)
    return False


async def run_once(worker_id: str, senders: Mapping[str, Sender]) -> int:
    """One pass: escalations first, then everything due. Returns items sent."""
    for chore in (cases.escalate_unacknowledged, erasure.process_pending):
        try:
            await asyncio.to_thread(chore)
        except Exception:  # e.g. a locked SQLite file: try again next pass, keep sending
            logger.exception("%s failed; will retry", chore.__name__)
    sent = 0
    try:
        due = await asyncio.to_thread(outbox.claim_due, worker_id)
    except Exception:
        logger.exception("could not claim outbox items; will retry")
        return 0
    for item in due:
        sent += await send_one(item, worker_id, senders)
    return sent


async def run_forever(senders: Mapping[str, Sender], poll_seconds: float = 1.0) -> None:
    worker_id = worker_name()
    logger.info("outbox worker %s started", worker_id)
    while True:
        try:
            await run_once(worker_id, senders)
        except Exception:  # a database error recording an outcome: the lease lapses, the item is retried
            logger.exception("an outbox pass failed; carrying on")
        await asyncio.sleep(poll_seconds)
