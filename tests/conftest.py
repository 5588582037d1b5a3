from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


class Chat:
    """Talks to the trained assistant in-process, as the terminal chat does."""

    def __init__(self, agent: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.agent = agent
        self.loop = loop
        self.sender = f"test-{uuid.uuid4().hex}"

    def say(self, text: str) -> list[dict[str, Any]]:
        replies = self.loop.run_until_complete(self.agent.handle_text(text, sender_id=self.sender))
        return list(replies or [])

    def texts(self, text: str) -> list[str]:
        return [reply.get("text", "") for reply in self.say(text)]

    def slot(self, name: str) -> Any:
        tracker = self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender))
        return tracker.get_slot(name) if tracker else None

    def language(self) -> str | None:
        from bot.language import conversation_language

        tracker = self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender))
        return conversation_language(tracker.current_slot_values()) if tracker else None


@pytest.fixture(scope="session")
def event_loop_for_agent() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(event_loop_for_agent: asyncio.AbstractEventLoop) -> Any:
    from rasa.core.agent import Agent

    from bot.nlg import LocaleNLG
    from bot.training import ensure_model

    return Agent.load(str(ensure_model()), generator=LocaleNLG())


@pytest.fixture()
def chat(agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop) -> Chat:
    return Chat(agent, event_loop_for_agent)
