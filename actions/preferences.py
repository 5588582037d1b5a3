"""A wish about the IV ("a woman who speaks Welsh"): recorded, never acted
on as a command. It goes on the open referral if there is one, else it waits
in the conversation for the referral form (bot/forms/preferences.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import language_or_default
from bot.forms.preferences import Preference, merge
from bot.locales import render_text
from bot.records import referrals
from bot.settings import Language

logger = logging.getLogger(__name__)
SLOT = "iv_preferences"
ENTITY = "iv_preference"


def said_now(tracker: Tracker) -> list[Preference]:
    values = [
        e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == ENTITY
    ]
    return [p for p in (Preference.from_entity_value(str(v)) for v in values) if p is not None]


def describe(values: list[str], language: Language) -> str:
    """ "is a woman, speaks Welsh and likes art" / "yn fenyw, yn siarad Cymraeg ac yn hoffi celf"."""
    parts = []
    for preference in (Preference.from_entity_value(v) for v in values):
        if preference is None:
            continue
        if preference.kind == "interest":
            parts.append(render_text("preference_interest", language, {"interest": preference.value}))
        else:
            parts.append(render_text(f"preference_{preference.kind}_{preference.value}", language))
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + render_text("preference_and", language) + parts[-1]


def stored_form(values: list[str]) -> str:
    return "; ".join(values)


class NotePreference(Action):
    def name(self) -> str:
        return "action_note_preference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = language_or_default(tracker)
        values = merge(tracker.get_slot(SLOT), said_now(tracker))
        if not values:
            dispatcher.utter_message(response="utter_rights_more")
            return []
        described = describe(values, language)
        try:
            reference = await asyncio.to_thread(
                referrals.add_preferences, tracker.sender_id, stored_form(values)
            )
        except Exception:
            logger.exception("could not add preferences to a referral")
            reference = None  # still kept in the conversation, for the referral form
        if reference:
            dispatcher.utter_message(
                response="utter_preference_added", reference=reference, preferences=described
            )
        else:
            dispatcher.utter_message(response="utter_preference_noted", preferences=described)
        return [SlotSet(SLOT, values)]


def summary_likes(tracker: Tracker, interests: str) -> str:
    """The summary's "Likes" answer, with any wishes about the IV after it."""
    values: list[str] = tracker.get_slot(SLOT) or []
    if not values:
        return interests
    described = describe(values, language_or_default(tracker))
    return described if interests == "-" else f"{interests}; {described}"


def preferences_for_referral(tracker: Tracker) -> str | None:
    values: Any = tracker.get_slot(SLOT) or []
    return stored_form(values) if values else None
