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
    # At least once: what is needed to handle it again if its process died
    # before it was processed (bot/conversations/deliveries.py), kept until then.
    conversation_id = Column(String(64))
    payload = Column(EncryptedText)
    attempts = Column(Integer, nullable=False, default=1, server_default="1")
    processed_at = Column(DateTime(timezone=True))


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
    # Safeguarding only: urgent | concern, and why (the triage signals; they
    # can quote corrected words of the message, so they are encrypted).
    level = Column(String(8))
    signals = Column(EncryptedText)
    categories = Column(String(255), nullable=False, default="")
    language = Column(String(2))
    excerpt = Column(EncryptedText, nullable=False)
    status = Column(String(16), nullable=False, default="open")  # open | acknowledged | closed
    escalation_level = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    acknowledged_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))
    # When the bot last told the young person a person has their message.
    waiting_notice_at = Column(DateTime(timezone=True))
    # When it last became more urgent (for escalation timers).
    raised_at = Column(DateTime(timezone=True))


class CaseMessage(Base):
    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(String(12), nullable=False, index=True)
    direction = Column(String(8), nullable=False)  # in (young person) | out (coordinator) | note
    text = Column(EncryptedText, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class WebChatMessage(Base):
    """A web chat conversation as its page shows it: the young person's
    messages and ours (the bot's, and a coordinator's through the outbox).
    The page asks for those after the last id it has (channels/webchat/)."""

    __tablename__ = "webchat_messages"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    direction = Column(String(8), nullable=False)  # in (young person) | out (us)
    body = Column(EncryptedText, nullable=False)  # JSON: {"text": ..., "buttons": [...]}
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
    status = Column(String(16), nullable=False, default="pending")  # bot.handoff.outbox.Status
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    locked_until = Column(DateTime(timezone=True))
    locked_by = Column(String(64))  # the worker holding the lease
    last_error = Column(String(255))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who did what to a case or a record, and when (no personal data in it)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    case_id = Column(String(12), index=True)
    # A record other than a case: "referral:R-7K3PQX", "complaint:C-...".
    record = Column(String(32), index=True)
    detail = Column(String(255))


class ConsentRecord(Base):
    """What a young person agreed to (or refused), in which language, and when:
    the proof we asked before storing anything about them."""

    __tablename__ = "consent_records"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    purpose = Column(String(32), nullable=False)  # referral | feedback | complaint
    granted = Column(Boolean, nullable=False)
    language = Column(String(2))
    text_key = Column(String(64), nullable=False)  # the locale key of what they were told
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Referral(Base):
    """A self-referral. Answers a young person typed are encrypted."""

    __tablename__ = "referrals"

    id = Column(Integer, primary_key=True)
    reference = Column(String(12), nullable=False, unique=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    language = Column(String(2))
    # Keyed hash of name, age and council: the same person from another chat.
    fingerprint = Column(String(32), nullable=False, index=True)
    possible_duplicate_of = Column(String(12))
    name = Column(EncryptedText, nullable=False)
    age = Column(Integer, nullable=False)
    care_status = Column(String(16), nullable=False)  # in_care | care_leaver | not_sure
    local_authority = Column(String(64), nullable=False)  # a council id, or "other"
    contact_method = Column(String(16), nullable=False)  # chat | phone | via_adult
    contact_time = Column(EncryptedText)
    interests = Column(EncryptedText)
    # Wishes about the IV said in the chat: "gender:woman; language:cy; interest:art".
    preferences = Column(EncryptedText)
    social_worker = Column(EncryptedText)
    status = Column(String(24), nullable=False, default="received")
    status_changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    matched_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Feedback(Base):
    """How a match or the service is going. Anonymous feedback keeps no link
    to the conversation."""

    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    reference = Column(String(12), nullable=False, unique=True)
    conversation_id = Column(String(64), index=True)  # None when anonymous
    about = Column(String(16), nullable=False)  # match | service
    rating = Column(Integer, nullable=False)  # 1 (bad) .. 5 (great)
    comment = Column(EncryptedText)
    language = Column(String(2))
    check_in_id = Column(Integer, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CheckIn(Base):
    """A coordinator's "how is it going?" to a matched young person."""

    __tablename__ = "check_ins"

    id = Column(Integer, primary_key=True)
    referral_reference = Column(String(12), nullable=False, index=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    sent_by = Column(String(64), nullable=False)
    sent_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    answered_at = Column(DateTime(timezone=True))


class Complaint(Base):
    """A complaint, stored before anyone is told about it."""

    __tablename__ = "complaints"

    id = Column(Integer, primary_key=True)
    reference = Column(String(12), nullable=False, unique=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    about = Column(String(16), nullable=False)  # iv | service | other
    details = Column(EncryptedText, nullable=False)
    language = Column(String(2))
    case_id = Column(String(12))
    safeguarding = Column(Boolean, nullable=False, default=False)
    status = Column(String(16), nullable=False, default="received")  # received | in_progress | resolved
    status_changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ErasureRequest(Base):
    """A "delete my data" the young person confirmed. Records go at once; the
    conversation itself goes once Rasa has finished the turn (the worker)."""

    __tablename__ = "erasure_requests"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    keep_conversation = Column(Boolean, nullable=False, default=False)  # a safeguarding case holds it
    requested_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    done_at = Column(DateTime(timezone=True))


class StaffAccount(Base):
    """A coordinator's or manager's sign-in to the console (console/): created
    by an admin command, password hashed with argon2, TOTP for everyone."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False)  # coordinator | manager (console.security.Role)
    password_hash = Column(String(255), nullable=False)
    totp_secret = Column(EncryptedText, nullable=False)
    last_totp_step = Column(Integer, nullable=False, default=0)  # a code is used once
    failed_sign_ins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True))
    disabled_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class StaffSession(Base):
    """A signed-in console session, kept on the server: the cookie holds only
    a random token, whose hash is the key. Ends when idle or too old."""

    __tablename__ = "staff_sessions"

    token_hash = Column(String(64), primary_key=True)
    staff_id = Column(Integer, nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = Column(DateTime(timezone=True))
