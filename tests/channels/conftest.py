"""The assistant running for real (``rasa run`` with our connectors) against
the fake Telegram and Twilio APIs, on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from bot.api_auth import api_headers
from tests.channels.fakes import FakeTelegram, FakeTwilio
from tests.servers import ActionServer, Worker, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_BASE_URL = "https://iv.example.org"  # what Twilio signs: we sit behind a proxy
TWILIO_TOKEN = "twilio-test-auth-token"
TELEGRAM_SECRET = "telegram-secret-token-for-tests"
COORDINATOR_CHAT = 777001
API_TOKEN = "rasa-api-test-token"
RATE_LIMIT = 20  # the default: a form takes a dozen quick messages
NEW_WEB_CHATS = 25  # from one address a minute: every web chat test and browser test comes from 127.0.0.1
ONCALL_NUMBER = "+447700900888"
ESCALATION_NUMBER = "+447700900999"
ESCALATION_SECONDS = 3


@dataclass
class Assistant:
    url: str
    address_key: str
    database_url: str
    log_file: Path
    telegram: FakeTelegram
    twilio: FakeTwilio
    client: httpx.Client
    worker: Worker
    env: dict[str, str]
    actions: ActionServer

    def conversation_id(self, channel: str, address: str) -> str:
        digest = hmac.new(self.address_key.encode(), f"{channel}:{address}".encode(), hashlib.sha256)
        return f"{channel}-{digest.hexdigest()[:32]}"

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        response = self.client.get(
            f"{self.url}/conversations/{conversation_id}/tracker", headers=api_headers(API_TOKEN)
        )
        response.raise_for_status()
        return response.json()

    def user_texts(self, conversation_id: str) -> list[str]:
        return [e.get("text") for e in self.tracker(conversation_id)["events"] if e["event"] == "user"]

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with create_engine(self.database_url).connect() as connection:
            return list(connection.execute(text(sql), params))

    def execute(self, sql: str, **params: Any) -> None:
        with create_engine(self.database_url).begin() as connection:
            connection.execute(text(sql), params)

    # --- Twilio -------------------------------------------------------------
    def sms(self, sender: str, body: str, sid: str | None = None, **extra: str) -> httpx.Response:
        params = {
            "MessageSid": sid or f"SM{uuid.uuid4().hex}",
            "From": sender,
            "To": "+447700900000",
            "Body": body,
        }
        params.update(extra)
        return self.post_twilio("/webhooks/sms/webhook", params)

    def post_twilio(self, path: str, params: dict[str, str], signature: str | None = None) -> httpx.Response:
        if signature is None:
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE_URL + path, params)
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return self.client.post(self.url + path, data=params, headers=headers)

    # --- Telegram -----------------------------------------------------------
    def telegram_update(self, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return self.client.post(self.url + "/webhooks/telegram/webhook", json=update, headers=headers)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    from bot.training import ensure_model

    model = ensure_model()
    workdir = tmp_path_factory.mktemp("assistant")
    telegram, twilio = FakeTelegram().start(), FakeTwilio().start()
    port = free_port()
    address_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    database_url = f"sqlite:///{workdir / 'channels.db'}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "IV_DATABASE_URL": database_url,
        "IV_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "IV_ADDRESS_KEY": address_key,
        "IV_TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN,
        "IV_TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "IV_TELEGRAM_API_BASE_URL": telegram.url,
        "IV_COORDINATOR_TELEGRAM_CHAT_IDS": str(COORDINATOR_CHAT),
        "IV_TWILIO_ACCOUNT_SID": FakeTwilio.ACCOUNT_SID,
        "IV_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "IV_TWILIO_FROM_NUMBER": "+447700900000",
        "IV_TWILIO_API_BASE_URL": twilio.url,
        "IV_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "IV_RATE_LIMIT_MESSAGES": str(RATE_LIMIT),
        "IV_WEBCHAT_NEW_CHATS_PER_WINDOW": str(NEW_WEB_CHATS),
        "IV_SEND_BACKOFF_SECONDS": "0.05",
        "IV_ONCALL_SMS_NUMBER": ONCALL_NUMBER,
        "IV_ESCALATION_SMS_NUMBER": ESCALATION_NUMBER,
        "IV_ESCALATION_SECONDS": str(ESCALATION_SECONDS),
        "IV_WORKER_POLL_SECONDS": "0.2",
        "IV_RASA_API_TOKEN": API_TOKEN,
        "IV_RECOVERY_SECONDS": "0.5",
        "IV_DELIVERY_STALE_SECONDS": "1",
    }
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)
    actions = ActionServer(env, workdir).start()
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = actions.url
    endpoints_file = workdir / "endpoints.yml"
    endpoints_file.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    log_file = workdir / "rasa.log"
    with open(workdir / "rasa.out", "w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "scripts.serve", "--debug",
                "--model", str(model), "--port", str(port),
                "--credentials", "credentials.channels.yml", "--endpoints", str(endpoints_file),
                "--log-file", str(log_file),
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    client = httpx.Client(timeout=30)
    url = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError((workdir / "rasa.out").read_text()[-3000:])
            try:
                return client.get(url + "/status", headers=api_headers(API_TOKEN)).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout=180)
        worker = Worker(env, workdir)
        worker.start()
        yield Assistant(
            url, address_key, database_url, log_file, telegram, twilio, client, worker, env, actions
        )
    finally:
        if "worker" in locals():
            worker.stop()
        process.terminate()
        process.wait(timeout=30)
        actions.stop()
        client.close()
        telegram.stop()
        twilio.stop()
        (workdir / "rasa.out").read_text()  # kept in the temp dir for debugging
