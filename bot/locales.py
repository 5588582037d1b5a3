"""Every text the bot says, loaded from ``locales/<language>/*.yml``.

A locale file maps a key to a text, or to ``{text, buttons}``. Both languages
hold the same keys (a test checks it). Texts may use the placeholders from
:meth:`bot.settings.Settings.text_values` and any values a caller passes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import Language, get_settings

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Entry:
    """One message as written in a locale file, before placeholders are filled."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


class LocaleError(Exception):
    pass


def _parse_entry(key: str, raw: Any, source: Path) -> Entry:
    if isinstance(raw, str):
        return Entry(text=raw)
    if isinstance(raw, dict) and isinstance(raw.get("text"), str):
        buttons = tuple(Button(title=b["title"], payload=b["payload"]) for b in raw.get("buttons", []))
        return Entry(text=raw["text"], buttons=buttons)
    raise LocaleError(f"{source}: '{key}' must be a text or a mapping with 'text'")


def load_locale(language: Language, root: Path = LOCALES_DIR) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in sorted((root / language).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, raw in data.items():
            if key in entries:
                raise LocaleError(f"{path}: '{key}' is defined twice in locales/{language}")
            entries[key] = _parse_entry(key, raw, path)
    return entries


@cache
def catalogue(language: Language) -> dict[str, Entry]:
    return load_locale(language)


def render(key: str, language: Language, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A message ready for Rasa: ``{"text": ..., "buttons": [...]}``.

    Settings fill the placeholders; ``values`` (slots, an action's arguments)
    may add more but never override a setting.
    """
    entry = catalogue(language).get(key)
    if entry is None:
        raise LocaleError(f"no text '{key}' in locales/{language}")
    fill: dict[str, Any] = dict(values or {})
    fill.update(get_settings().text_values(language))
    message: dict[str, Any] = {"text": entry.text.format_map(fill)}
    if entry.buttons:
        message["buttons"] = [{"title": b.title, "payload": b.payload} for b in entry.buttons]
    return message


def render_text(key: str, language: Language, values: Mapping[str, Any] | None = None) -> str:
    text: str = render(key, language, values)["text"]
    return text


# Values that reach coordinators as codes ("safeguarding urgent", "self_harm,
# missing", "acknowledged"): each code is said in the text's language.
CODED_VALUES = frozenset({"kind", "status", "categories", "about", "care_status", "language"})
CODE_PREFIX = "code_"
CODE = re.compile(r"[a-z][a-z_]*")


def say_code(code: str, language: Language) -> str:
    entry = catalogue(language).get(CODE_PREFIX + code)
    return entry.text if entry else code


def render_for_coordinators(key: str, language: Language, values: Mapping[str, Any]) -> str:
    """A coordinator's text, with its codes in the same language as the sentence."""
    said = {
        name: CODE.sub(lambda m: say_code(m.group(0), language), str(value))
        if name in CODED_VALUES
        else value
        for name, value in values.items()
    }
    return render_text(key, language, said)


def render_both(key: str, **values: Any) -> str:
    """A text in both languages, Welsh first: for coordinators (they may work
    in either) and for a young person whose language isn't known yet."""
    return render_for_coordinators(key, "cy", values) + "\n\n" + render_for_coordinators(key, "en", values)


# Texts that are not replies on their own: values filled into other texts by
# the actions (labels), and coordinators' notifications from bot.records.
NON_RESPONSE_KEYS = frozenset(
    {
        "status_received", "status_meeting_arranged", "status_being_matched", "status_matched",
        "status_closed", "care_status_in_care", "care_status_care_leaver", "care_status_not_sure",
        "contact_chat", "contact_phone", "contact_via_adult", "council_other",
        "coordinator_referral", "coordinator_low_feedback", "coordinator_unreadable", "coordinator_item_set_aside",
        # Pieces of preference_noted / preference_added (actions/preferences.py).
        "preference_gender_woman", "preference_gender_man", "preference_language_cy", "preference_language_en",
        "preference_interest", "preference_and",
    }
    # The web chat page's and the console's own words (channels/webchat/, console/).
    | {key for key in catalogue("en") if key.startswith((CODE_PREFIX, "intent_", "webchat_", "console_"))}
)  # fmt: skip
