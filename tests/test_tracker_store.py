"""Conversations are kept in SQL, encrypted: readable through Rasa, not in the table."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import EncryptedSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def store(tmp_path: Path) -> EncryptedSQLTrackerStore:
    domain = Domain.load(str(ROOT / "domain.yml"))
    return EncryptedSQLTrackerStore(domain=domain, url=f"sqlite:///{tmp_path / 'trackers.db'}")


def test_a_conversation_is_stored_encrypted_and_read_back(
    store: EncryptedSQLTrackerStore, tmp_path: Path
) -> None:
    tracker = DialogueStateTracker("telegram-abc", store.domain.slots if store.domain else [])
    tracker.update(UserUttered("my foster dad hits me", {"name": "safeguarding_concern", "confidence": 1.0}))
    tracker.update(BotUttered("Thank you for telling me."))
    asyncio.run(store.save(tracker))

    with sa.create_engine(f"sqlite:///{tmp_path / 'trackers.db'}").connect() as connection:
        raw = " ".join(row[0] for row in connection.execute(sa.text("select data from events")))
    assert "foster dad" not in raw and "Thank you" not in raw
    assert raw.startswith("gAAAA")  # Fernet tokens

    again = asyncio.run(store.retrieve("telegram-abc"))
    assert again is not None
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["my foster dad hits me"]
