from __future__ import annotations

import asyncio
import base64
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from tests.servers import ActionServer, migrate

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# The whole test session uses its own database and keys, never var/.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="iv-tests-"))
os.environ["IV_DATABASE_URL"] = f"sqlite:///{_SESSION_DIR / 'iv.db'}"
os.environ["IV_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
os.environ["IV_ADDRESS_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
os.environ["IV_COORDINATOR_TELEGRAM_CHAT_IDS"] = "424242"  # so coordinators' notifications are queued


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
def session_env() -> dict[str, str]:
    """What every process the tests start shares: this session's database and keys."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    migrate(env)
    return env


@pytest.fixture(scope="session")
def action_server(session_env: dict[str, str]) -> Iterator[ActionServer]:
    server = ActionServer(session_env, _SESSION_DIR).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def agent(event_loop_for_agent: asyncio.AbstractEventLoop, action_server: ActionServer) -> Any:
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from bot.nlg import LocaleNLG
    from bot.training import ensure_model

    return Agent.load(
        str(ensure_model()), generator=LocaleNLG(), action_endpoint=EndpointConfig(action_server.url)
    )


@pytest.fixture()
def chat(agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop) -> Chat:
    return Chat(agent, event_loop_for_agent)


# Vague on purpose: a word or two that could be several things. Which of them
# leaves a given model unsure changes with the training data, so the tests
# take the first that does (and fail if none does).
UNSURE_CANDIDATES = {
    "cy": ["ymweliadau", "yr ymweliadau", "cwestiwn am YA", "y peth ymwelydd", "ymweld"],
    "en": ["the iv", "question about iv", "hmm the iv thing", "iv question", "visiting"],
}


@pytest.fixture(scope="session")
def unsure(agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop) -> dict[str, str]:
    """Per language, a message the classifier isn't sure of, with two guesses to offer."""
    from actions.clarify import guesses

    found: dict[str, str] = {}
    for language, candidates in UNSURE_CANDIDATES.items():
        for text in candidates:
            parsed = event_loop_for_agent.run_until_complete(agent.parse_message(text))
            if (
                parsed["intent"]["name"] == "nlu_fallback"
                and len(guesses(parsed["intent_ranking"], language)) == 2
            ):  # type: ignore[arg-type]
                found[language] = text
                break
    assert set(found) == {"cy", "en"}, f"no candidate leaves the classifier unsure: {found}"
    return found
