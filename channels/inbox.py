"""What both connectors do with a young person's message once the provider's
request is verified: rate limit, length limit, then hand it to Rasa.

Runs in a background task, so the webhook can answer the provider at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.handoff import cases
from bot.handoff.hours import handoff_text_key
from bot.language import conversation_language
from bot.safeguarding.detector import categories as safeguarding_categories
from bot.settings import Settings
from channels.rate_limit import RateLimiter
from channels.texts import channel_text, language_of

# Intents that hand the conversation to a person, and the kind of case each opens.
HANDOFF_KINDS = {"safeguarding_concern": "safeguarding", "talk_to_human": "human"}

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class Inbox:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_seconds)

    async def notice(self, agent: Any, output: OutputChannel, conversation_id: str, key: str) -> None:
        """Sends one of the connectors' own texts, in the conversation's language."""
        language = await language_of(agent, conversation_id)
        await output.send_text_message(conversation_id, channel_text(key, language))

    async def deliver(
        self,
        *,
        on_new_message: OnNewMessage,
        agent: Any,
        output: OutputChannel,
        conversation_id: str,
        channel: str,
        text: str,
        delivery_key: str,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        # Limits never hide a disclosure: the detector reads every message whole.
        disclosure = bool(await asyncio.to_thread(safeguarding_categories, text))
        if not self.limiter.allow(conversation_id) and not disclosure:
            logger.warning("rate limit reached for %s", conversation_id)
            if self.limiter.should_warn(conversation_id):
                await self.notice(agent, output, conversation_id, "rate_limited")
            return
        too_long = len(text) > self.settings.max_message_chars and not disclosure
        if too_long:
            text = text[: self.settings.max_message_chars]
        message = UserMessage(text, output, conversation_id, input_channel=channel, metadata=metadata)
        open_case = await asyncio.to_thread(cases.open_case_for, conversation_id)
        if open_case is not None:
            # A person has this conversation: the bot steps aside and relays.
            await asyncio.to_thread(cases.relay_to_coordinators, open_case.id, text, delivery_key)
            await agent.log_message(message)  # recorded in the tracker, no bot reply
            if disclosure:
                # A person has it, but they may not have read it yet: the crisis
                # contacts go again, at once.
                await self.notice(agent, output, conversation_id, "safeguarding_helplines")
            return
        try:
            await on_new_message(message)
        except Exception:
            # Never leave the young person without a reply because of our error.
            logger.exception("assistant failed on a message from %s", conversation_id)
            await self.notice(agent, output, conversation_id, "something_went_wrong")
            return
        if too_long:
            await self.notice(agent, output, conversation_id, "message_too_long")
        await self.hand_off_if_needed(agent, output, conversation_id, channel, text)

    async def hand_off_if_needed(
        self, agent: Any, output: OutputChannel, conversation_id: str, channel: str, text: str
    ) -> None:
        """After Rasa has answered: a disclosure (or asking for a person) opens a
        case, stored before any alert is queued, and the young person is told
        honestly when a person will see it."""
        tracker = await agent.tracker_store.retrieve(conversation_id)
        parsed = tracker.latest_message.parse_data if tracker and tracker.latest_message else {}
        kind = HANDOFF_KINDS.get((parsed.get("intent") or {}).get("name") or "")
        if kind is None:
            return
        found = (parsed.get("safeguarding") or {}).get("categories") or []
        language = conversation_language(tracker.current_slot_values())
        case, created = await asyncio.to_thread(
            cases.open_case,
            conversation_id=conversation_id,
            channel=channel,
            kind=kind,
            categories=found,
            language=language,
            text=text,
        )
        if created:
            await output.send_text_message(
                conversation_id, channel_text(handoff_text_key(case.kind), language)
            )
