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


@pytest.mark.faults
def test_an_undecryptable_event_is_skipped_and_the_conversation_goes_on(
    store: EncryptedSQLTrackerStore, tmp_path: Path, session_env: dict[str, str]
) -> None:
    """A wrong key or a damaged row used to make Rasa exit the whole server
    (its store takes any ValueError for a missing schema)."""
    from bot.db.models import OutboxItem
    from tests.test_forms import count

    tracker = DialogueStateTracker("sms-damaged", store.domain.slots if store.domain else [])
    tracker.update(UserUttered("what is an IV", {"name": "ask_what_is_iv", "confidence": 1.0}))
    tracker.update(BotUttered("An IV is a volunteer."))
    asyncio.run(store.save(tracker))
    with sa.create_engine(f"sqlite:///{tmp_path / 'trackers.db'}").begin() as connection:
        connection.execute(sa.text("update events set data = 'not a token' where type_name = 'user'"))

    again = asyncio.run(store.retrieve("sms-damaged"))
    assert again is not None
    assert [e.text for e in again.events if isinstance(e, BotUttered)] == ["An IV is a volunteer."]
    assert not [e for e in again.events if isinstance(e, UserUttered)]

    # The next message is stored: the stand-in keeps Rasa's count of stored events right.
    again.update(UserUttered("thanks", {"name": "thank", "confidence": 1.0}))
    asyncio.run(store.save(again))
    later = asyncio.run(store.retrieve("sms-damaged"))
    assert later is not None and [e.text for e in later.events if isinstance(e, UserUttered)] == ["thanks"]

    # Coordinators are told, once per conversation.
    assert count(OutboxItem, conversation_id="sms-damaged") == 1
