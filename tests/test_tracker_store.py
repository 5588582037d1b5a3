"""Conversations are kept in SQL, encrypted: readable through Rasa, not in the table."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import tracker_store
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


# --- The current session kept in memory (reading cost must not grow with the conversation) ---


def _turn(tracker: DialogueStateTracker, text: str, at: float) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=at))
    tracker.update(BotUttered(f"reply to {text}", timestamp=at + 0.1))


def _as_rasa_reads_it(store: EncryptedSQLTrackerStore, sender: str) -> list[dict]:
    tracker = asyncio.run(SQLTrackerStore._retrieve(store, sender, fetch_events_from_all_sessions=False))
    return [e.as_dict() for e in tracker.events] if tracker else []


def _as_we_read_it(store: EncryptedSQLTrackerStore, sender: str) -> list[dict]:
    tracker = asyncio.run(store.retrieve(sender))
    return [e.as_dict() for e in tracker.events] if tracker else []


def test_a_conversation_reads_the_same_as_with_rasas_own_query_across_sessions(
    store: EncryptedSQLTrackerStore,
) -> None:
    slots = store.domain.slots if store.domain else []
    tracker = DialogueStateTracker("sms-sessions", slots)
    tracker.update(SessionStarted(timestamp=1.0))
    _turn(tracker, "first", 2.0)
    asyncio.run(store.save(tracker))
    assert _as_we_read_it(store, "sms-sessions") == _as_rasa_reads_it(store, "sms-sessions")

    tracker = asyncio.run(store.retrieve("sms-sessions"))
    _turn(tracker, "second", 3.0)
    tracker.update(ActionExecuted("action_session_start", timestamp=10.0))
    tracker.update(SessionStarted(timestamp=10.0))
    _turn(tracker, "after a break", 11.0)
    asyncio.run(store.save(tracker))

    ours = _as_we_read_it(store, "sms-sessions")
    assert ours == _as_rasa_reads_it(store, "sms-sessions")
    assert [e.get("text") for e in ours if e["event"] == "user"] == ["after a break"]


def test_only_new_events_are_read_and_decrypted_again(
    store: EncryptedSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = DialogueStateTracker("sms-long", store.domain.slots if store.domain else [])
    for n in range(20):
        _turn(tracker, f"message {n}", float(n))
    asyncio.run(store.save(tracker))
    asyncio.run(store.retrieve("sms-long"))

    decrypted: list[str] = []
    real = tracker_store.decrypt
    monkeypatch.setattr(tracker_store, "decrypt", lambda token: decrypted.append(token) or real(token))
    tracker = asyncio.run(store.retrieve("sms-long"))
    _turn(tracker, "one more", 100.0)
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("sms-long"))

    assert len(decrypted) == 2  # this turn's two events, not the 42 before them
    assert [e.text for e in again.events if isinstance(e, UserUttered)][-2:] == ["message 19", "one more"]


def test_events_another_replica_stored_are_read(tmp_path: Path, store: EncryptedSQLTrackerStore) -> None:
    other = EncryptedSQLTrackerStore(domain=store.domain, url=f"sqlite:///{tmp_path / 'trackers.db'}")
    tracker = DialogueStateTracker("sms-two", store.domain.slots if store.domain else [])
    _turn(tracker, "to this replica", 1.0)
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("sms-two"))

    _turn(tracker, "to the other", 2.0)
    asyncio.run(other.save(tracker))

    again = asyncio.run(store.retrieve("sms-two"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["to this replica", "to the other"]


def test_a_deleted_conversation_is_not_served_from_memory(
    store: EncryptedSQLTrackerStore, tmp_path: Path
) -> None:
    """Erasure and retention delete whole conversations: what was kept in
    memory must go with them."""
    tracker = DialogueStateTracker("sms-erased", store.domain.slots if store.domain else [])
    _turn(tracker, "please forget me", 1.0)
    asyncio.run(store.save(tracker))
    asyncio.run(store.retrieve("sms-erased"))
    with sa.create_engine(f"sqlite:///{tmp_path / 'trackers.db'}").begin() as connection:
        connection.execute(sa.text("delete from events where sender_id = 'sms-erased'"))
    assert asyncio.run(store.retrieve("sms-erased")) is None

    fresh = DialogueStateTracker("sms-erased", store.domain.slots if store.domain else [])
    _turn(fresh, "hello again", 5.0)
    asyncio.run(store.save(fresh))
    again = asyncio.run(store.retrieve("sms-erased"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello again"]
