"""Tables. Addresses and free text are encrypted (``EncryptedText``); a
conversation is known by its keyed hash (bot.crypto.conversation_id)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from bot.crypto import decrypt, encrypt

Base: Any = declarative_base()


def utcnow() -> datetime:
    return datetime.now(UTC)


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token: unreadable without IV_ENCRYPTION_KEY."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)


class ChannelContact(Base):
    """How to reach a conversation: which channel, and its address (encrypted)."""

    __tablename__ = "channel_contacts"

    conversation_id = Column(String(64), primary_key=True)
    channel = Column(String(16), nullable=False)
    address = Column(EncryptedText, nullable=False)
    opted_out = Column(Boolean, nullable=False, default=False)
    opted_out_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ProcessedDelivery(Base):
    """A provider's delivery id we have already accepted: a retry is ignored."""

    __tablename__ = "processed_deliveries"
    __table_args__ = (UniqueConstraint("channel", "delivery_id", name="uq_delivery"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    delivery_id = Column(String(64), nullable=False)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OutboundMessage(Base):
    """Every message we tried to send, with its fate; failures are kept, not swallowed."""

    __tablename__ = "outbound_messages"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    provider_id = Column(String(64), index=True)  # Twilio MessageSid / Telegram message_id
    status = Column(String(16), nullable=False)  # sent | failed | suppressed | delivered | undelivered
    attempts = Column(Integer, nullable=False, default=0)
    segments = Column(Integer)
    error = Column(String(255))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Case(Base):
    """A young person's conversation handed to a person: a safeguarding
    concern, a complaint or a request to talk to someone."""

    __tablename__ = "cases"

    id = Column(String(12), primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    kind = Column(String(16), nullable=False)  # safeguarding | complaint | human
    priority = Column(Integer, nullable=False)  # 1 urgent .. 3
    categories = Column(String(255), nullable=False, default="")
    language = Column(String(2))
    excerpt = Column(EncryptedText, nullable=False)
    status = Column(String(16), nullable=False, default="open")  # open | acknowledged | closed
    escalation_level = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    acknowledged_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))


class CaseMessage(Base):
    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(String(12), nullable=False, index=True)
    direction = Column(String(8), nullable=False)  # in (young person) | out (coordinator)
    text = Column(EncryptedText, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OutboxItem(Base):
    """A message we must send, kept until it is sent: alerts survive a
    restart or a provider being down, and are sent once (``dedupe_key``)."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_outbox_dedupe"),)

    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(128), nullable=False)
    route = Column(String(16), nullable=False)  # telegram | sms
    destination = Column(EncryptedText, nullable=False)  # chat id or phone number
    conversation_id = Column(String(64), nullable=False)  # for records: whose message this is
    body = Column(EncryptedText, nullable=False)
    status = Column(String(16), nullable=False, default="pending")  # pending | sent | failed
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    locked_until = Column(DateTime(timezone=True))
    last_error = Column(String(255))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who did what to a case, and when."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    case_id = Column(String(12), index=True)
    detail = Column(String(255))
