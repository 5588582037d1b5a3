"""Runs the outbox worker (bot/handoff/worker.py) with the real providers:

python -m channels.worker
"""

from __future__ import annotations

import asyncio
import logging
import os

from bot.handoff.worker import run_forever
from bot.settings import require_production_secrets
from channels.senders import senders


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    require_production_secrets()  # fail fast on bad configuration
    asyncio.run(run_forever(senders(), float(os.environ.get("IV_WORKER_POLL_SECONDS", "1.0"))))


if __name__ == "__main__":
    main()
