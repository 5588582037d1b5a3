"""The outbox worker's sender for web chat: a coordinator's reply, or a
turn's reply that was queued, appears in the page (bot.conversations.webchat)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.conversations import webchat


class WebChatSender:
    async def send(
        self, conversation_id: str, destination: str, text: str, sent_since: datetime | None = None
    ) -> bool:  # our own database: a failed append was not made
        await asyncio.to_thread(webchat.append, conversation_id, "out", text)
        return True
