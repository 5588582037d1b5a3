"""The outbox worker: sends queued alerts, relays and replies, retrying with
backoff, escalates cases nobody acknowledged, and deletes the conversations
of confirmed "delete my data" requests once their turn is over. Run one or more:

    python -m bot.handoff.worker

State lives in the database, so a restarted worker carries on where the
last one stopped, and two workers never send the same item (bot.handoff.outbox).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from bot.handoff import cases, outbox
from bot.records import erasure
from bot.settings import get_settings
from channels.senders import sms_sender, telegram_sender

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 50  # with backoff capped at 5 minutes: about four hours of trying


async def deliver(item: outbox.Pending) -> bool:
    if item.route == "telegram":
        return await telegram_sender().send(item.conversation_id, int(item.destination), item.body)
    if item.route == "sms":
        return await sms_sender().send(item.conversation_id, item.destination, item.body)
    logger.error("unknown route %s for outbox item %s", item.route, item.id)
    return False


async def run_once(worker_id: str) -> int:
    """One pass: escalations first, then everything due. Returns items sent."""
    for chore in (cases.escalate_unacknowledged, erasure.process_pending):
        try:
            await asyncio.to_thread(chore)
        except Exception:  # e.g. a locked SQLite file: try again next pass, keep sending
            logger.exception("%s failed; will retry", chore.__name__)
    sent = 0
    for item in await asyncio.to_thread(outbox.claim_due, worker_id):
        try:
            ok = await deliver(item)
        except Exception as error:  # a bug or an outage must not stop the worker
            logger.exception("outbox item %s failed", item.id)
            ok, reason = False, type(error).__name__
        else:
            reason = "provider refused or unreachable"
        if ok:
            await asyncio.to_thread(outbox.mark_sent, item.id)
            sent += 1
        else:
            await asyncio.to_thread(outbox.mark_failed, item.id, reason, MAX_ATTEMPTS)
    return sent


async def run_forever(poll_seconds: float = 1.0) -> None:
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    logger.info("outbox worker %s started", worker_id)
    while True:
        await run_once(worker_id)
        await asyncio.sleep(poll_seconds)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    get_settings()  # fail fast on bad configuration
    asyncio.run(run_forever(float(os.environ.get("IV_WORKER_POLL_SECONDS", "1.0"))))


if __name__ == "__main__":
    main()
