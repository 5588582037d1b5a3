"""Deployment settings, read once from the environment.

Everything that differs between IV services (names, contacts, age limits,
target times, helplines) lives here, never in the texts. Each field can be set
with an environment variable of the same name in capitals with the ``IV_``
prefix, e.g. ``IV_SERVICE_PHONE``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseSettings

ROOT = Path(__file__).resolve().parent.parent
Language = Literal["cy", "en"]
LANGUAGES: tuple[Language, ...] = ("cy", "en")


class Settings(BaseSettings):
    service_name_en: str = "Independent Visitor Service"
    service_name_cy: str = "Gwasanaeth Ymwelwyr Annibynnol"
    # 01632 960xxx is Ofcom's range for drama: a safe default that is never a
    # real person's number. A deployment must set its own.
    service_phone: str = "01632 960123"
    service_email: str = "iv@example.org"
    hours_open: str = "09:00"
    hours_close: str = "17:00"

    min_age: int = 7
    max_new_referral_age: int = 25
    max_continue_age: int = 25
    matching_target_months: int = 3

    emergency_number: str = "999"
    childline_phone: str = "0800 1111"
    meic_phone: str = "080880 23456"
    meic_text: str = "84001"
    samaritans_phone: str = "116 123"
    samaritans_welsh_phone: str = "0808 164 0123"  # the Welsh-language line, 7pm to 11pm
    # Where a young person can go if our answer to a complaint isn't enough
    # (Standard 14). An English service sets the Children's Commissioner for England.
    commissioner_name_en: str = "the Children's Commissioner for Wales"
    commissioner_name_cy: str = "Comisiynydd Plant Cymru"
    commissioner_phone: str = "0808 801 1000"

    # Used only when a conversation's language can't be told yet and a reply
    # is too long to send in both languages.
    default_language: Language = "en"

    # "production" refuses to run without real secrets; anything else generates
    # local ones in var/ on first use (never committed).
    environment: str = "development"
    # The console's cookie is Secure in production; set this too behind HTTPS elsewhere.
    console_secure_cookies: bool = False
    # The console is behind one trusted proxy (an ingress): trust its X-Forwarded-For.
    console_behind_proxy: bool = False
    database_url: str = "sqlite:///var/iv.db"
    # Fernet key (cryptography) for names, addresses and free text at rest.
    encryption_key: str | None = None
    # HMAC key that turns a phone number or chat id into a conversation id.
    address_key: str | None = None

    # Channels (issue 3). Secrets come from the environment only.
    telegram_bot_token: str | None = None
    telegram_secret_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    # Telegram chat ids allowed to use coordinator commands, comma-separated.
    coordinator_telegram_chat_ids: str = ""
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    # The public base URL Twilio calls (behind a proxy the request URL differs).
    public_base_url: str | None = None

    # Handoff to a person (issue 4).
    # An on-call phone that gets every safeguarding alert by SMS, any time.
    oncall_sms_number: str | None = None
    # Where an alert nobody acknowledged goes next (e.g. an out-of-hours service).
    escalation_sms_number: str | None = None
    escalation_seconds: int = 300
    handoff_reply_minutes: int = 30
    # Safeguarding by severity (issue 10): a possible-risk case nobody has
    # acknowledged in this time becomes urgent (every coordinator, on call paged).
    concern_escalation_minutes: float = 30
    # While a person hasn't joined yet, how often the bot repeats that a person
    # has the message (with 999 and a 24-hour line) beside its answers.
    waiting_notice_minutes: float = 5
    # The bot's Telegram username (without @), for the private-chat link given in groups.
    telegram_bot_username: str = ""

    # Retention (bot/retention.py). Safeguarding cases, and the conversations
    # they came from, are never purged here: they follow the safeguarding
    # record-keeping rules of the service's local authority.
    retention_conversation_days: int = 365
    retention_closed_case_days: int = 730
    retention_delivery_days: int = 30
    # Closed referrals, resolved complaints, feedback and consent records.
    retention_closed_record_days: int = 730

    # Self-referral, feedback and complaints (issue 5).
    referral_contact_days: int = 5  # working days until a coordinator gets in touch
    complaint_reply_days: int = 3  # working days until a coordinator replies to a complaint
    check_in_first_days: int = 42  # six weeks after the match
    check_in_every_days: int = 182  # then every six months
    # The coordinator tool asks the running assistant to start a check-in.
    rasa_url: str = "http://localhost:5005"
    rasa_api_token: str | None = None

    max_message_chars: int = 1000
    rate_limit_messages: int = 20
    rate_limit_window_seconds: int = 60
    # New web chats from one address a window (a school or a care home shares one).
    webchat_new_chats_per_window: int = 30
    # Shared rate limits across Rasa replicas (the lock store's Redis); memory if unset.
    redis_host: str | None = None
    redis_port: int = 6379
    redis_password: str | None = None
    # At least once in: how often each Rasa process looks for messages received
    # but never processed, and how old one must be to count as lost.
    recovery_seconds: float = 30.0
    delivery_stale_seconds: float = 120.0
    send_retries: int = 3
    send_backoff_seconds: float = 0.5

    class Config:
        env_prefix = "IV_"

    def text_values(self, language: Language) -> dict[str, str]:
        """The placeholders a locale text may use, in the given language."""
        values = self.dict(include=TEXT_SETTINGS)
        values["service_name"] = self.service_name_cy if language == "cy" else self.service_name_en
        values["commissioner_name"] = (
            self.commissioner_name_cy if language == "cy" else self.commissioner_name_en
        )
        # The phone is answered in office hours only: say so wherever it is given.
        days = "Llun-Gwener" if language == "cy" else "Mon-Fri"
        values["phone_hours"] = f"{self.hours_open}-{self.hours_close} {days}"
        username = self.telegram_bot_username.lstrip("@")
        profile = "fy mhroffil (pwysa ar fy enw)" if language == "cy" else "my profile (tap my name)"
        values["private_chat_link"] = f"https://t.me/{username}" if username else profile
        return {key: str(value) for key, value in values.items()}

    @property
    def coordinator_chat_ids(self) -> frozenset[int]:
        return frozenset(int(v) for v in self.coordinator_telegram_chat_ids.replace(" ", "").split(",") if v)


# The settings a text may show (never a secret).
TEXT_SETTINGS = {
    "service_phone",
    "service_email",
    "hours_open",
    "hours_close",
    "min_age",
    "max_new_referral_age",
    "max_continue_age",
    "matching_target_months",
    "emergency_number",
    "childline_phone",
    "meic_phone",
    "meic_text",
    "samaritans_phone",
    "samaritans_welsh_phone",
    "commissioner_phone",
    "handoff_reply_minutes",
    "referral_contact_days",
    "complaint_reply_days",
}


class MissingSecret(RuntimeError):
    """A secret production needs is not set."""


def missing_production_secrets(settings: Settings) -> list[str]:
    """What production can't run without, by environment variable name."""
    if settings.environment != "production":
        return []
    required = {
        "IV_ENCRYPTION_KEY": settings.encryption_key,
        "IV_ADDRESS_KEY": settings.address_key,
        "IV_RASA_API_TOKEN": settings.rasa_api_token,
    }
    if settings.twilio_account_sid:
        required["IV_TWILIO_AUTH_TOKEN"] = settings.twilio_auth_token
    if settings.telegram_bot_token:
        required["IV_TELEGRAM_SECRET_TOKEN"] = settings.telegram_secret_token
    missing = [name for name, value in required.items() if not value]
    if settings.database_url.startswith("sqlite"):
        missing.append("IV_DATABASE_URL (PostgreSQL)")
    return missing


def require_production_secrets(settings: Settings | None = None) -> Settings:
    """Every entry point calls this first: production refuses to start
    without its secrets rather than generate throwaway ones."""
    settings = settings or get_settings()
    missing = missing_production_secrets(settings)
    if missing:
        raise MissingSecret("production needs these settings: " + ", ".join(missing))
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
