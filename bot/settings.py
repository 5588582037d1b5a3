"""Deployment settings, read once from the environment.

Everything that differs between IV services (names, contacts, age limits,
target times, helplines) lives here, never in the texts. Each field can be set
with an environment variable of the same name in capitals with the ``IV_``
prefix, e.g. ``IV_SERVICE_PHONE``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseSettings

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

    # Used only when a conversation's language can't be told yet and a reply
    # is too long to send in both languages.
    default_language: Language = "en"

    class Config:
        env_prefix = "IV_"

    def text_values(self, language: Language) -> dict[str, str]:
        """The placeholders a locale text may use, in the given language."""
        values = self.dict(exclude={"service_name_en", "service_name_cy", "default_language"})
        values["service_name"] = self.service_name_cy if language == "cy" else self.service_name_en
        return {key: str(value) for key, value in values.items()}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
