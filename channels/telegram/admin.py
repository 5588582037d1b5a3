"""Telegram set-up commands, run once by a person, never at server start-up
(Rasa's own connector calls setWebhook from every process).

    python -m channels.telegram.admin set-webhook https://example.org
    python -m channels.telegram.admin delete-webhook
    python -m channels.telegram.admin poll [--rasa http://localhost:5005]

``poll`` is for local use without a public URL: it long-polls Telegram and
posts each update to the local webhook with the secret token, so the same
code path (checks, deduplication, replies) runs as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import json

import httpx
from telegram import Update

from bot.settings import get_settings
from channels.senders import telegram_sender
from channels.telegram.connector import SECRET_HEADER

WEBHOOK_PATH = "/webhooks/telegram/webhook"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


async def set_webhook(public_base_url: str) -> None:
    settings = get_settings()
    if not settings.telegram_secret_token:
        raise SystemExit("set IV_TELEGRAM_SECRET_TOKEN first")
    bot = telegram_sender().bot
    await bot.set_webhook(
        url=public_base_url.rstrip("/") + WEBHOOK_PATH,
        secret_token=settings.telegram_secret_token,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
    )
    print("webhook registered")


async def delete_webhook() -> None:
    await telegram_sender().bot.delete_webhook()
    print("webhook deleted")


async def poll(rasa_url: str) -> None:
    settings = get_settings()
    bot = telegram_sender().bot
    await bot.delete_webhook()
    offset = 0
    headers = {SECRET_HEADER: settings.telegram_secret_token or "", "Content-Type": "application/json"}
    async with httpx.AsyncClient(timeout=30) as client:
        while True:
            updates = await bot.get_updates(offset=offset, timeout=25, allowed_updates=ALLOWED_UPDATES)
            for update in updates:
                await client.post(
                    rasa_url.rstrip("/") + WEBHOOK_PATH, content=json.dumps(update.to_dict()), headers=headers
                )
                offset = update.update_id + 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("set-webhook").add_argument("public_base_url")
    commands.add_parser("delete-webhook")
    commands.add_parser("poll").add_argument("--rasa", default="http://localhost:5005")
    args = parser.parse_args()
    if args.command == "set-webhook":
        asyncio.run(set_webhook(args.public_base_url))
    elif args.command == "delete-webhook":
        asyncio.run(delete_webhook())
    else:
        asyncio.run(poll(args.rasa))


if __name__ == "__main__":
    main()
