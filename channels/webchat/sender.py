"""The outbox worker's sender for web chat: a coordinator's reply, or a
turn's reply that was queued, appears in the page (bot.conversations.webchat)."""

from __future__ import annotations

import asyncio

from bot.conversations import webchat


class WebChatSender:
    async def send(self, conversation_id: str, destination: str, text: str) -> bool:
        await asyncio.to_thread(webchat.append, conversation_id, "out", text)
        return True
