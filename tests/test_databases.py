"""Our schema and stores on SQLite and on a real PostgreSQL (pgserver):
migrations from empty and from the previous revision, encryption at rest,
and the outbox handing each item to exactly one of two workers."""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parent.parent
REVISIONS = ["0001", "0002", "0003"]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    import pgserver

    server = pgserver.get_server(tempfile.mkdtemp(prefix="iv-pg-"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, with the app pointed at it."""
    from bot.db.engine import get_engine
    from bot.settings import get_settings

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'iv.db'}"
    else:
        base = request.getfixturevalue("postgres_url")
        name = f"iv_{os.getpid()}_{abs(hash(tmp_path)) % 10**8}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"create database {name}"))
        url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    previous = os.environ.get("IV_DATABASE_URL")
    os.environ["IV_DATABASE_URL"] = url
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield url
    if previous is None:
        os.environ.pop("IV_DATABASE_URL", None)
    else:
        os.environ["IV_DATABASE_URL"] = previous
    get_settings.cache_clear()
    get_engine.cache_clear()


def migrate(url: str, revision: str, down: bool = False) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    (command.downgrade if down else command.upgrade)(config, revision)


def tables(url: str) -> set[str]:
    return set(sa.inspect(sa.create_engine(url)).get_table_names())


def test_migrations_upgrade_an_empty_database_and_one_at_the_previous_revision(database_url: str) -> None:
    migrate(database_url, "head")
    records = {"referrals", "feedback", "check_ins", "complaints", "consent_records", "erasure_requests"}
    assert {"channel_contacts", "cases", "outbox", "audit_log"} | records <= tables(database_url)
    migrate(database_url, REVISIONS[-2], down=True)
    assert not records & tables(database_url) and "cases" in tables(database_url)
    migrate(database_url, "head")
    assert records <= tables(database_url)
    migrate(database_url, REVISIONS[0], down=True)
    assert "cases" not in tables(database_url) and "channel_contacts" in tables(database_url)
    migrate(database_url, "head")
    assert "cases" in tables(database_url) and records <= tables(database_url)


def test_addresses_are_unreadable_in_the_table(database_url: str) -> None:
    from bot.conversations.contacts import lookup, remember

    migrate(database_url, "head")
    cid = remember("sms", "+447700900123")
    with sa.create_engine(database_url).connect() as connection:
        raw = connection.execute(sa.text("select address from channel_contacts")).scalar()
    assert "447700900123" not in raw and raw.startswith("gAAAA")
    assert lookup(cid).address == "+447700900123"  # type: ignore[union-attr]


def test_a_message_is_accepted_with_its_senders_contact_in_one_go(database_url: str) -> None:
    """Claim, remember and read the contact: one transaction, not three."""
    from bot.conversations import contacts, inbound

    migrate(database_url, "head")
    first = inbound.accept("sms", "SM1", "+447700900123", "{}")
    assert first.first_time and first.contact is not None
    assert (first.contact.address, first.contact.opted_out) == ("+447700900123", False)
    contacts.set_opted_out(first.contact.conversation_id, True)
    second = inbound.accept("sms", "SM2", "+447700900123", "{}")
    assert second.contact == contacts.lookup(first.contact.conversation_id)
    assert second.contact is not None and second.contact.opted_out, "STOP is known without a second read"
    assert inbound.accept("telegram", "77", None, None) == inbound.Accepted(True, None)
    assert inbound.accept("telegram", "77", None, None) == inbound.Accepted(False, None)


def test_a_turns_records_of_what_was_sent_are_written_with_its_processed_mark(database_url: str) -> None:
    """One transaction at the end of a turn, not one per reply."""
    from bot.conversations import deliveries, inbound
    from bot.db.engine import session_scope
    from bot.db.models import OutboundMessage

    def stored() -> list[str]:
        with session_scope() as session:
            return sorted(session.execute(sa.select(OutboundMessage.provider_id)).scalars())

    migrate(database_url, "head")
    cid = inbound.accept("sms", "SM1", "+447700900123", "{}").contact.conversation_id  # type: ignore[union-attr]
    with deliveries.outbound_held() as sent:
        deliveries.record_outbound(
            conversation_id=cid, channel="sms", status="sent", attempts=1, provider_id="a"
        )
        deliveries.record_outbound(
            conversation_id=cid, channel="sms", status="sent", attempts=1, provider_id="b"
        )
        assert stored() == [], "held until the turn is over"
    deliveries.record_outbound(conversation_id=cid, channel="sms", status="sent", attempts=1, provider_id="c")
    assert stored() == ["c"], "outside a turn (the worker), written at once"
    deliveries.mark_processed("sms", "SM1", sent)
    assert stored() == ["a", "b", "c"] and deliveries.is_processed("sms", "SM1")


def test_two_workers_never_claim_the_same_outbox_item(database_url: str) -> None:
    from bot.db.engine import session_scope
    from bot.handoff import outbox

    migrate(database_url, "head")
    with session_scope() as session:
        for i in range(40):
            outbox.enqueue(
                session,
                dedupe_key=f"t:{i}",
                route="telegram",
                destination="1",
                conversation_id="c",
                body=f"{i}",
            )
    claimed: dict[str, list[int]] = {}

    def work(name: str) -> None:
        claimed[name] = [item.id for item in outbox.claim_due(name, limit=40)]

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    first, second = claimed["w0"], claimed["w1"]
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40


def test_conversations_are_encrypted_in_the_tracker_store(database_url: str) -> None:
    from bot.tracker_store import EncryptedSQLTrackerStore

    store = EncryptedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), url=database_url)
    tracker = DialogueStateTracker("sms-xyz", [])
    tracker.update(UserUttered("i want to die", {"name": "safeguarding_concern", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    with sa.create_engine(database_url).connect() as connection:
        raw = connection.execute(sa.text("select data from events")).scalar()
    assert "want to die" not in raw
    again = asyncio.run(store.retrieve("sms-xyz"))
    assert again is not None and again.latest_message.text == "i want to die"  # type: ignore[union-attr]


def test_retention_purges_old_records_but_keeps_safeguarding_ones(database_url: str) -> None:
    from datetime import timedelta

    from bot.db.engine import session_scope
    from bot.db.models import (
        Case,
        CaseMessage,
        ChannelContact,
        Complaint,
        ProcessedDelivery,
        Referral,
        utcnow,
    )
    from bot.retention import purge
    from bot.tracker_store import EncryptedSQLTrackerStore

    migrate(database_url, "head")
    long_ago = utcnow() - timedelta(days=3000)
    with session_scope() as session:
        for case_id, kind in (("safe01", "safeguarding"), ("human1", "human")):
            session.add(
                Case(id=case_id, conversation_id=f"c-{case_id}", channel="sms", kind=kind, priority=1,
                     excerpt="x", status="closed", created_at=long_ago, closed_at=long_ago)
            )  # fmt: skip
            session.add(CaseMessage(case_id=case_id, direction="in", text="old", created_at=long_ago))
        session.add(ProcessedDelivery(channel="sms", delivery_id="SMold", received_at=long_ago))
        for reference, status in (("R-OLDCLS", "closed"), ("R-OLDOPN", "matched")):
            session.add(
                Referral(reference=reference, conversation_id="c-r", channel="sms", fingerprint="f", name="n",
                         age=15, care_status="in_care", local_authority="powys", contact_method="chat",
                         status=status, status_changed_at=long_ago, created_at=long_ago)
            )  # fmt: skip
        for reference, safeguarding in (("C-OLDRES", False), ("C-OLDSAF", True)):
            session.add(
                Complaint(reference=reference, conversation_id="c-k", about="iv", details="d", status="resolved",
                          safeguarding=safeguarding, status_changed_at=long_ago, created_at=long_ago)
            )  # fmt: skip
    store = EncryptedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), url=database_url)
    for sender in ("c-safe01", "c-human1", "c-ongoing", "c-finished"):
        tracker = DialogueStateTracker(sender, [])
        tracker.update(UserUttered("old message", timestamp=long_ago.timestamp()))
        if sender == "c-ongoing":  # began long ago, still talking: kept whole, never cut short
            tracker.update(UserUttered("new message", timestamp=utcnow().timestamp()))
        asyncio.run(store.save(tracker))
    with session_scope() as session:
        for sender in ("c-finished", "c-ongoing", "c-r"):
            session.add(
                ChannelContact(
                    conversation_id=sender, channel="sms", address="+447700900001", created_at=long_ago
                )
            )

    assert purge(dry_run=True)["cases"] == 1
    counts = purge()

    assert counts["cases"] == 1 and counts["processed deliveries"] == 1
    # A closed referral goes, a matched one stays; a safeguarding complaint stays.
    assert counts["referrals"] == 1 and counts["complaints"] == 1
    with sa.create_engine(database_url).connect() as connection:
        assert [r[0] for r in connection.execute(sa.text("select id from cases"))] == ["safe01"]
        assert sorted(r[0] for r in connection.execute(sa.text("select distinct sender_id from events"))) == [
            "c-ongoing",
            "c-safe01",
        ]
        assert (
            connection.execute(sa.text("select count(*) from events where sender_id = 'c-ongoing'")).scalar()
            == 2
        )
        # The finished conversation's address goes; the open referral's and the ongoing one's stay.
        assert sorted(
            r[0] for r in connection.execute(sa.text("select conversation_id from channel_contacts"))
        ) == [
            "c-ongoing",
            "c-r",
        ]
        assert connection.execute(sa.text("select count(*) from case_messages")).scalar() == 1
        assert [r[0] for r in connection.execute(sa.text("select reference from referrals"))] == ["R-OLDOPN"]
        assert [r[0] for r in connection.execute(sa.text("select reference from complaints"))] == ["C-OLDSAF"]


def test_referrals_feedback_complaints_and_erasure(database_url: str) -> None:
    from bot.coordinator.cli import main as coordinator
    from bot.records import audit, complaints, erasure, feedback, referrals

    migrate(database_url, "head")
    answers = referrals.ReferralAnswers("Siân", 14, "in_care", "gwynedd", "chat", "weekends", "art", None)
    first, created = referrals.submit(answers, conversation_id="sms-a", channel="sms", language="cy")
    again, created_again = referrals.submit(answers, conversation_id="sms-a", channel="sms", language="cy")
    assert created and not created_again and again.reference == first.reference
    # The same answers from another chat: stored, and flagged for a coordinator.
    twin, _ = referrals.submit(answers, conversation_id="telegram-b", channel="telegram", language="cy")
    assert twin.possible_duplicate_of == first.reference
    with sa.create_engine(database_url).connect() as connection:
        raw = connection.execute(sa.text("select name, interests from referrals")).all()
    assert all(value.startswith("gAAAA") and "Siân" not in value for row in raw for value in row)

    coordinator(["--actor", "Ceri", "referrals", "set-status", first.reference, "matched"])
    assert referrals.latest_for("sms-a").status == "matched"  # type: ignore[union-attr]
    assert ("Ceri", "status", "received -> matched") in audit.trail(f"referral:{first.reference}")

    kept = feedback.submit(
        conversation_id="sms-a", about="match", rating=4, comment="ok", anonymous=False, language="cy"
    )
    complaint, case_created = complaints.submit(
        conversation_id="sms-a", channel="sms", about="service", details="slow", language="cy", categories=[]
    )
    assert case_created and complaint.case_id and kept.rating == 4

    counts = erasure.erase("sms-a")
    assert counts["referrals"] == 1 and counts["feedback"] == 1 and counts["complaints"] == 1
    assert referrals.latest_for("sms-a") is None and referrals.latest_for("telegram-b") is not None
    assert erasure.process_pending(settle_seconds=0) == 1


class RecordingSender:
    """A provider that accepts everything, slowly if asked, and counts what it got."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.sent: list[str] = []

    async def send(self, conversation_id: str, destination: str, text: str, sent_since: Any = None) -> bool:
        self.sent.append(text)
        await asyncio.sleep(self.delay)
        return True


class TimingOutSender:
    """A provider that never answers the first try of each message; notes when
    each try was told an earlier one may have got through."""

    def __init__(self) -> None:
        self.told: list[tuple[str, Any]] = []

    async def send(self, conversation_id: str, destination: str, text: str, sent_since: Any = None) -> bool:
        self.told.append((text, sent_since))
        if sum(1 for t, _ in self.told if t == text) == 1:
            raise TimeoutError
        return True


def test_a_retry_after_a_timeout_is_told_to_look_before_sending(database_url: str) -> None:
    """A timeout may mean sent: the next try is told since when, so a provider
    that can tell (Twilio) doesn't send twice. A queued reply had a first try already."""
    from bot.db.engine import session_scope
    from bot.handoff import outbox
    from bot.handoff.worker import send_one

    migrate(database_url, "head")
    with session_scope() as session:
        for key, body in (("alert:1", "alert"), ("reply:k:0", "reply")):
            outbox.enqueue(
                session,
                dedupe_key=key,
                route="sms",
                destination="+447700900001",
                conversation_id="c",
                body=body,
            )
    sms = TimingOutSender()
    for item in outbox.claim_due("w1"):
        asyncio.run(send_one(item, "w1", {"sms": sms}))
    later = datetime.now(UTC) + timedelta(minutes=10)  # past the backoff
    [again] = [i for i in outbox.claim_due("w1", now=later) if i.body == "alert"]
    asyncio.run(send_one(again, "w1", {"sms": sms}))

    since = dict(sms.told[:2])
    assert since["alert"] is None, "a first try: nothing to look for"
    assert since["reply"] is not None and since["reply"] < datetime.now(UTC)
    assert sms.told[-1][0] == "alert" and sms.told[-1][1] is not None


@pytest.mark.faults
def test_an_unreadable_outbox_item_is_set_aside_and_the_rest_are_sent(database_url: str) -> None:
    """One bad row used to kill the worker on every restart, and no alert went out."""
    from bot.db.engine import session_scope
    from bot.db.models import OutboxItem
    from bot.handoff import outbox
    from bot.handoff.worker import run_once

    migrate(database_url, "head")
    with session_scope() as session:
        for i in range(3):
            outbox.enqueue(
                session,
                dedupe_key=f"a:{i}",
                route="sms",
                destination="+447700900001",
                conversation_id="c",
                body=f"m{i}",
            )
    with sa.create_engine(database_url).begin() as connection:
        connection.execute(sa.text("update outbox set body = 'damaged' where dedupe_key = 'a:1'"))

    sms, telegram = RecordingSender(), RecordingSender()
    asyncio.run(run_once("w1", {"sms": sms, "telegram": telegram}))

    assert sms.sent == ["m0", "m2"]
    with session_scope() as session:
        dead = session.execute(
            sa.select(OutboxItem.status, OutboxItem.last_error).where(OutboxItem.dedupe_key == "a:1")
        ).one()
        assert tuple(dead) == ("dead", "cannot decrypt: wrong key or damaged data")
    asyncio.run(run_once("w1", {"sms": sms, "telegram": telegram}))
    assert len(telegram.sent) == 1 and "set aside" in telegram.sent[0], "coordinators are told"


@pytest.mark.faults
def test_two_workers_send_an_item_once_even_when_a_send_outlasts_the_lease(database_url: str) -> None:
    from bot.db.engine import session_scope
    from bot.handoff import outbox
    from bot.handoff.worker import send_one

    migrate(database_url, "head")
    with session_scope() as session:
        outbox.enqueue(
            session, dedupe_key="alert:1", route="telegram", destination="1", conversation_id="c", body="!"
        )
    slow = RecordingSender(delay=1.0)  # longer than the lease
    lease = 0.6
    start = threading.Barrier(2)
    results: dict[str, bool] = {}

    def work(name: str) -> None:
        start.wait()
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for item in outbox.claim_due(name, lease=lease):
                sent = asyncio.run(send_one(item, name, {"telegram": slow}, timeout=lease / 3))
                results[name] = results.get(name, False) or sent
            time.sleep(0.05)

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert slow.sent == ["!"], "one send reached the provider"
    assert not any(results.values()), "the timed-out send is not marked sent"
    with session_scope() as session:
        item = session.execute(
            sa.select(outbox.OutboxItem).where(outbox.OutboxItem.dedupe_key == "alert:1")
        ).scalar_one()
        assert item.status == "pending" and "timed out" in item.last_error and item.locked_by is None


@pytest.mark.faults
def test_only_the_worker_holding_an_item_can_mark_it_sent(database_url: str) -> None:
    from bot.db.engine import session_scope
    from bot.handoff import outbox

    migrate(database_url, "head")
    with session_scope() as session:
        outbox.enqueue(session, dedupe_key="x:1", route="sms", destination="1", conversation_id="c", body="b")
    [item] = outbox.claim_due("w1", lease=0.01)
    time.sleep(0.05)
    [again] = outbox.claim_due("w2")  # w1's lease lapsed
    assert again.id == item.id
    assert outbox.mark_sent(item.id, "w1") is False
    assert outbox.mark_sent(item.id, "w2") is True


@pytest.mark.faults
def test_a_message_never_processed_is_taken_up_again_once_then_given_up_on(database_url: str) -> None:
    """At least once in: a claimed message whose process died mid-turn used to be lost."""
    from datetime import timedelta

    from bot.conversations import deliveries, inbound
    from bot.db.models import utcnow

    migrate(database_url, "head")
    accepted = inbound.accept("sms", "SM1", "+447700900123", '{"Body": "hi"}')
    assert accepted.first_time and accepted.contact is not None
    retried = inbound.accept("sms", "SM1", "+447700900123", '{"Body": "hi"}')
    assert not retried.first_time, "a retry is still ignored"
    later = utcnow() + timedelta(seconds=10)
    [lost] = deliveries.take_unprocessed("sms", stale_seconds=5, now=later)
    assert (lost.delivery_id, lost.conversation_id, lost.payload, lost.give_up) == (
        "SM1",
        accepted.contact.conversation_id,
        '{"Body": "hi"}',
        False,
    )
    assert deliveries.take_unprocessed("sms", stale_seconds=5, now=later) == [], "taken by one process only"
    for _attempt in range(2):
        later += timedelta(seconds=10)
        [again] = deliveries.take_unprocessed("sms", stale_seconds=5, now=later)
    assert again.give_up, "after three tries the young person is told instead"
    deliveries.mark_processed("sms", "SM1")
    assert deliveries.take_unprocessed("sms", stale_seconds=5, now=later + timedelta(seconds=10)) == []


@pytest.mark.faults
def test_a_message_the_provider_refuses_for_good_is_set_aside_not_retried_for_hours(
    database_url: str,
) -> None:
    """A young person who blocked the bot used to be retried 50 times over four hours."""
    from bot.db.engine import session_scope
    from bot.db.models import OutboxItem
    from bot.handoff import outbox
    from bot.handoff.worker import Refused, run_once

    class Blocked:
        async def send(
            self, conversation_id: str, destination: str, text: str, sent_since: Any = None
        ) -> bool:
            raise Refused("blocked by the user")

    migrate(database_url, "head")
    with session_scope() as session:
        outbox.enqueue(
            session,
            dedupe_key="reply:x:0",
            route="sms",
            destination="+447700900002",
            conversation_id="c",
            body="hi",
        )
    telegram = RecordingSender()
    asyncio.run(run_once("w1", {"sms": Blocked(), "telegram": telegram}))
    with session_scope() as session:
        row = session.execute(
            sa.select(OutboxItem.status, OutboxItem.last_error).where(OutboxItem.dedupe_key == "reply:x:0")
        ).one()
    assert tuple(row) == ("dead", "refused: blocked by the user")
    asyncio.run(run_once("w1", {"sms": Blocked(), "telegram": telegram}))
    assert len(telegram.sent) == 1, "coordinators are told"


def test_a_connection_in_steady_use_is_not_pinged_and_a_stale_one_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pool_pre_ping cost a round trip (a transaction on PostgreSQL) at every
    checkout, twice a turn; now only a connection idle a while is checked."""
    from bot.db import engine as db

    engine = db.get_engine(database_url)
    pings: list[bool] = []
    real_ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        pings.append(True)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
    for _ in range(5):
        with db.session_scope(engine) as session:
            session.execute(sa.text("select 1"))
    assert pings == [], "in steady use: no ping"

    if engine.dialect.name == "postgresql":  # the database drops the pooled connection
        with db.session_scope(engine) as session:
            pid = session.execute(sa.text("select pg_backend_pid()")).scalar()
        with sa.create_engine(database_url).connect() as other:
            other.execute(sa.text("select pg_terminate_backend(:p)"), {"p": pid})
    monkeypatch.setattr(db, "IDLE_BEFORE_PING_SECONDS", 0.0)  # as if idle for a while
    with db.session_scope(engine) as session:
        assert session.execute(sa.text("select 1")).scalar() == 1, "a fresh connection, not an error"
    # SQLite's file pool (NullPool) connects afresh each time: nothing to check.
    assert len(pings) == (0 if engine.dialect.name == "sqlite" else 1)
