"""Sends SMS through Twilio's REST API without blocking the event loop
(twilio's own aiohttp client), retrying failures with backoff and recording
every attempt's outcome."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import ClientError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.conversations.deliveries import record_failure, record_outbound
from bot.handoff.worker import Refused
from bot.settings import Settings
from channels.sms.segments import segment_count, split_for_sms

# twilio's client logs request details, numbers included, at INFO.
_quiet_twilio_logger = logging.getLogger("iv.twilio.http")
_quiet_twilio_logger.setLevel(logging.WARNING)

CHANNEL = "sms"
MAX_SEGMENTS_PER_MESSAGE = 3


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
            http = AsyncTwilioHttpClient(logger=_quiet_twilio_logger, timeout=10)
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
    ) -> bool:
        """Sends ``text`` (split into SMS-sized parts) and says whether all went.
        ``retries``: 0 where the outbox retries instead (a turn's replies, the worker).
        ``raise_refusal``: raise ``Refused`` when Twilio refuses for good (e.g. 21610, unsubscribed)."""
        ok = True
        for part in split_for_sms(text, MAX_SEGMENTS_PER_MESSAGE):
            ok = await self._send_part(conversation_id, to, part, retries, raise_refusal) and ok
        return ok

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
