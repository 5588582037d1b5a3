"""Sends SMS through Twilio's REST API without blocking the event loop
(twilio's own aiohttp client), retrying failures with backoff and recording
every attempt's outcome."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from aiohttp import ClientError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.conversations.deliveries import known_provider_ids, record_failure, record_outbound
from bot.handoff.worker import Refused
from bot.settings import Settings
from channels.sms.segments import segment_count, split_for_sms

# twilio's client logs request details, numbers included, at INFO.
_quiet_twilio_logger = logging.getLogger("iv.twilio.http")
_quiet_twilio_logger.setLevel(logging.WARNING)

CHANNEL = "sms"
MAX_SEGMENTS_PER_MESSAGE = 3
TWILIO_TIMEOUT_SECONDS = 10.0
LOOK_BACK_MESSAGES = 20  # our latest messages to one number that a lost answer could be among
NOT_SENT = frozenset({"failed", "undelivered", "canceled"})
logger = logging.getLogger(__name__)


class _TimedHttpClient(AsyncTwilioHttpClient):
    """twilio's async client never uses its own ``timeout`` (it passes None to
    aiohttp, which then waits as long as Twilio does): a hung request ends here."""

    async def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return await super().request(*args, timeout=timeout or self.timeout, **kwargs)


class SmsSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Client | None = None

    @property
    def configured(self) -> bool:
        s = self.settings
        return bool(s.twilio_account_sid and s.twilio_auth_token and s.twilio_from_number)

    def _twilio(self) -> Client:
        # Built on first use, inside the running event loop aiohttp needs.
        if self._client is None:
            http = _TimedHttpClient(logger=_quiet_twilio_logger, timeout=TWILIO_TIMEOUT_SECONDS)
            self._client = Client(
                self.settings.twilio_account_sid, self.settings.twilio_auth_token, http_client=http
            )
            self._client.api.base_url = self.settings.twilio_api_base_url
        return self._client

    def _status_callback(self) -> str | None:
        base = self.settings.public_base_url
        return f"{base.rstrip('/')}/webhooks/sms/status" if base else None

    async def send(
        self,
        conversation_id: str,
        to: str,
        text: str,
        retries: int | None = None,
        raise_refusal: bool = False,
        sent_since: datetime | None = None,
    ) -> bool:
        """Sends ``text`` (split into SMS-sized parts) and says whether all went.
        ``retries``: 0 where the outbox retries instead (a turn's replies, the worker).
        ``raise_refusal``: raise ``Refused`` when Twilio refuses for good (e.g. 21610, unsubscribed).
        ``sent_since``: a try since then may have reached Twilio unheard (a
        timeout): a part Twilio has from then that we never heard of isn't sent again."""
        ok = True
        for part in split_for_sms(text, MAX_SEGMENTS_PER_MESSAGE):
            if sent_since is not None and await self._sent_unheard(conversation_id, to, part, sent_since):
                continue
            ok = await self._send_part(conversation_id, to, part, retries, raise_refusal) and ok
        return ok

    async def _sent_unheard(self, conversation_id: str, to: str, body: str, since: datetime) -> bool:
        """Twilio has this text to this number from ``since`` under a message id
        we never recorded (its answer to us was lost): that one was ours. It is
        recorded now, so it can't stand for a second lost message."""
        try:
            recent = await self._twilio().messages.list_async(
                to=to, from_=self.settings.twilio_from_number, limit=LOOK_BACK_MESSAGES
            )
        except (TwilioRestException, TimeoutError, ClientError, OSError) as e:
            logger.warning("could not ask Twilio what was sent (%s); sending again", type(e).__name__)
            return False
        candidates = [
            m.sid
            for m in reversed(recent)  # oldest first
            if m.body == body
            and m.status not in NOT_SENT
            and m.date_created is not None
            and m.date_created >= since
        ]
        known = await asyncio.to_thread(known_provider_ids, candidates) if candidates else set()
        for sid in candidates:
            if sid not in known:
                await asyncio.to_thread(
                    record_outbound,
                    conversation_id=conversation_id,
                    channel=CHANNEL,
                    status="sent",
                    attempts=0,
                    provider_id=sid,
                    segments=segment_count(body),
                    error="found at Twilio after a lost answer",
                )
                return True
        return False

    async def _send_part(
        self, conversation_id: str, to: str, body: str, retries: int | None, raise_refusal: bool = False
    ) -> bool:
        attempts, error, refused = 0, "", False
        retries = self.settings.send_retries if retries is None else retries
        while attempts <= retries:
            attempts += 1
            try:
                kwargs = {"to": to, "from_": self.settings.twilio_from_number, "body": body}
                callback = self._status_callback()
                if callback:
                    kwargs["status_callback"] = callback
                message = await self._twilio().messages.create_async(**kwargs)
                await asyncio.to_thread(
                    record_outbound,
                    conversation_id=conversation_id,
                    channel=CHANNEL,
                    status="sent",
                    attempts=attempts,
                    provider_id=message.sid,
                    segments=segment_count(body),
                )
                return True
            except TwilioRestException as e:
                error = f"twilio {e.status} {e.code}"
                if e.status < 500 and e.status != 429:
                    refused = True
                    break  # a refusal (e.g. 21610 unsubscribed): retrying won't help
            except (TimeoutError, ClientError, OSError) as e:
                error = f"network {type(e).__name__}"
            if attempts <= retries:
                await asyncio.sleep(self.settings.send_backoff_seconds * 2 ** (attempts - 1))
        await asyncio.to_thread(
            record_failure,
            conversation_id=conversation_id,
            channel=CHANNEL,
            attempts=attempts,
            error=error,
            segments=segment_count(body),
        )
        if refused and raise_refusal:
            raise Refused(error)
        return False
