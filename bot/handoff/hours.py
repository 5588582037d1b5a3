"""Whether the office is open, so a young person is told honestly when a
person will see their message."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.settings import get_settings

TIMEZONE = ZoneInfo("Europe/London")


def office_open(now: datetime | None = None) -> bool:
    settings = get_settings()
    local = (now or datetime.now(TIMEZONE)).astimezone(TIMEZONE)
    opens, closes = time.fromisoformat(settings.hours_open), time.fromisoformat(settings.hours_close)
    return local.weekday() < 5 and opens <= local.time() < closes


def handoff_text_key(kind: str, now: datetime | None = None) -> str:
    """Which promise we can keep: someone now, someone on call, or next working day."""
    if office_open(now):
        return "handoff_in_hours"
    if kind == "safeguarding" and get_settings().oncall_sms_number:
        return "handoff_on_call"
    return "handoff_out_of_hours"


def waiting_text_key(kind: str, now: datetime | None = None) -> str:
    """While nobody has joined yet: the same promise, with 999 and a 24-hour line."""
    return handoff_text_key(kind, now).replace("handoff_", "safeguarding_waiting_")
