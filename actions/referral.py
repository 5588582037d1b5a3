"""The self-referral form, its summary and submission, and "any news?"."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import channel_of, in_full, label, language_if_known, language_or_default
from actions.form_answers import REQUESTED_SLOT, AnswerForm, is_starting
from actions.preferences import SLOT as PREFERENCES_SLOT
from actions.preferences import preferences_for_referral, said_now, summary_likes
from bot.forms.answers import (
    CARE_STATUS,
    CONTACT_METHOD,
    free_text,
    is_dont_know,
    is_skip,
    parse_age,
    parse_choice,
    parse_name,
    parse_yes_no,
    words,
)
from bot.forms.councils import OTHER, council_name, match_council
from bot.forms.preferences import merge
from bot.records import referrals
from bot.records.consent import record_consent
from bot.settings import get_settings

logger = logging.getLogger(__name__)
FORM = "referral_form"
FIELDS = (
    "referral_name",
    "referral_age",
    "referral_care_status",
    "referral_local_authority",
    "referral_contact_method",
    "referral_contact_time",
    "referral_interests",
    "referral_social_worker",
)
ALL_SLOTS = ("referral_consent", *FIELDS, "referral_confirm")
# Words that name an answer to change at the summary, in either language.
FIELD_WORDS = {
    "referral_name": {"name", "enw", "nickname", "llysenw"},
    "referral_age": {"age", "oed"},
    "referral_care_status": {"care", "gofal", "leaver"},
    "referral_local_authority": {"council", "cyngor", "area", "ardal", "authority"},
    "referral_contact_method": {"contact", "cysylltu", "how", "sut"},
    "referral_contact_time": {"when", "time", "pryd", "amser"},
    "referral_interests": {"likes", "interests", "hobbies", "diddordebau", "hoffi"},
    "referral_social_worker": {"social", "worker", "gweithiwr", "cymdeithasol", "sw"},
}
ADULT_AGE = 18


def field_to_change(text: str) -> str | None:
    tokens = words(text)
    numbers = [int(t) for t in tokens if t.isdigit()]
    if len(numbers) == 1 and 1 <= numbers[0] <= len(FIELDS):
        return FIELDS[numbers[0] - 1]
    named = {slot for slot, names in FIELD_WORDS.items() if names & set(tokens)}
    return named.pop() if len(named) == 1 else None


def optional(text: str, limit: int) -> str:
    """An optional answer: "-" for skip or "dunno"."""
    if is_skip(text) or is_dont_know(text):
        return "-"
    return free_text(text, limit) or "-"


class ValidateReferralForm(AnswerForm):
    form = FORM
    own_intents = frozenset({"request_referral"})
    free_text_slots = frozenset(
        {"referral_name", "referral_contact_time", "referral_interests", "referral_social_worker"}
    )
    choice_parsers = {
        "referral_consent": parse_yes_no,
        "referral_age": parse_age,
        "referral_care_status": lambda t: parse_choice(t, CARE_STATUS),
        "referral_local_authority": match_council,
        "referral_contact_method": lambda t: parse_choice(t, CONTACT_METHOD),
        "referral_confirm": lambda t: field_to_change(t) or parse_yes_no(t),
    }

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if is_starting(tracker):
            # Starting: the same person asking twice gets their first request.
            existing = await asyncio.to_thread(referrals.latest_for, tracker.sender_id)
            if existing is not None and existing.status in referrals.OPEN_STATUSES:
                dispatcher.utter_message(response="utter_referral_exists", reference=existing.reference)
                return [SlotSet(REQUESTED_SLOT, None)]
        return await super().run(dispatcher, tracker, domain)

    async def validate_referral_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = parse_yes_no(str(value), (tracker.latest_message.get("intent") or {}).get("name"))
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_yes_no")
            return {"referral_consent": None}
        await asyncio.to_thread(
            record_consent,
            tracker.sender_id,
            "referral",
            answer,
            language_if_known(tracker),
            "ask_referral_consent",
        )
        if not answer:
            dispatcher.utter_message(response="utter_referral_no_consent")
            return {"referral_consent": False, REQUESTED_SLOT: None}
        return {"referral_consent": True}

    def validate_referral_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = parse_name(str(value))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
        return {"referral_name": name}

    def validate_referral_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value)
        age = parse_age(text)
        if age is None:
            dispatcher.utter_message(
                response="utter_age_dont_know" if is_dont_know(text) else "utter_invalid_age"
            )
            return {"referral_age": None}
        settings = get_settings()
        if age < settings.min_age:
            dispatcher.utter_message(response="utter_referral_too_young")
            return {"referral_age": float(age), REQUESTED_SLOT: None}
        if age > settings.max_new_referral_age:
            dispatcher.utter_message(response="utter_referral_too_old")
            return {"referral_age": float(age), REQUESTED_SLOT: None}
        if age >= ADULT_AGE and tracker.get_slot("referral_care_status"):
            dispatcher.utter_message(response="utter_referral_over_18")  # an edited age
        return {"referral_age": float(age)}

    def validate_referral_care_status(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        status = parse_choice(str(value), CARE_STATUS)
        if status is None:
            dispatcher.utter_message(response="utter_invalid_number_choice")
            return {"referral_care_status": None}
        age = tracker.get_slot("referral_age")
        if age is not None and age >= ADULT_AGE:
            # A care leaver hears what is possible, and no promise.
            dispatcher.utter_message(response="utter_referral_over_18")
        return {"referral_care_status": status}

    def validate_referral_local_authority(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        council = match_council(str(value))
        if council is None:
            dispatcher.utter_message(response="utter_invalid_local_authority")
        return {"referral_local_authority": council}

    def validate_referral_contact_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        method = parse_choice(str(value), CONTACT_METHOD)
        if method is None:
            dispatcher.utter_message(response="utter_invalid_number_choice")
        return {"referral_contact_method": method}

    def validate_referral_contact_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"referral_contact_time": optional(str(value), 120)}

    def validate_referral_interests(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"referral_interests": optional(str(value), 500)}

    def validate_referral_social_worker(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"referral_social_worker": optional(str(value), 80)}

    def validate_referral_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value)
        change = field_to_change(text)
        if change is not None:
            # Clearing the answer makes the form ask it again, then the summary.
            return {change: None, "referral_confirm": None}
        answer = parse_yes_no(text, (tracker.latest_message.get("intent") or {}).get("name"))
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_yes_no")
        elif answer is False:
            dispatcher.utter_message(response="utter_referral_which_change")
            answer = None
        return {"referral_confirm": answer}


class AskReferralConsent(Action):
    """Before anything personal: what we keep, who sees it, and the limit of
    confidentiality; then the question."""

    def name(self) -> str:
        return "action_ask_referral_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(REQUESTED_SLOT) != "referral_consent":  # not when asking again
            dispatcher.utter_message(response="utter_referral_privacy")
        dispatcher.utter_message(response="utter_ask_referral_consent")
        # "I want an IV, a woman if poss": the wish goes with the request.
        wished = said_now(tracker)
        return (
            [SlotSet(PREFERENCES_SLOT, merge(tracker.get_slot(PREFERENCES_SLOT), wished))] if wished else []
        )


def summary_values(tracker: Tracker) -> dict[str, str]:
    council = tracker.get_slot("referral_local_authority") or OTHER
    language = language_or_default(tracker)
    age = tracker.get_slot("referral_age")
    return {
        "name": in_full(tracker.get_slot("referral_name")),
        "age": str(int(age)) if age is not None else "-",
        "care_status": label(
            f"care_status_{tracker.get_slot('referral_care_status') or 'not_sure'}", tracker
        ),
        "council": label("council_other", tracker) if council == OTHER else council_name(council, language),
        "contact_method": label(f"contact_{tracker.get_slot('referral_contact_method') or 'chat'}", tracker),
        "contact_time": in_full(tracker.get_slot("referral_contact_time")),
        "interests": summary_likes(tracker, in_full(tracker.get_slot("referral_interests"))),
        "social_worker": in_full(tracker.get_slot("referral_social_worker")),
    }


class AskReferralConfirm(Action):
    def name(self) -> str:
        return "action_ask_referral_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        values = summary_values(tracker)
        dispatcher.utter_message(response="utter_referral_summary", **values)
        dispatcher.utter_message(response="utter_referral_summary_more", **values)
        dispatcher.utter_message(response="utter_ask_referral_confirm")
        return []


class SubmitReferral(Action):
    """Runs whenever the form ends: stores a confirmed referral before saying
    so, and clears the answers from the conversation either way."""

    def name(self) -> str:
        return "action_submit_referral"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cleared = [SlotSet(slot, None) for slot in ALL_SLOTS]
        if not (tracker.get_slot("referral_consent") and tracker.get_slot("referral_confirm")):
            return cleared
        answers = referrals.ReferralAnswers(
            name=tracker.get_slot("referral_name"),
            age=int(tracker.get_slot("referral_age")),
            care_status=tracker.get_slot("referral_care_status"),
            local_authority=tracker.get_slot("referral_local_authority"),
            contact_method=tracker.get_slot("referral_contact_method"),
            contact_time=tracker.get_slot("referral_contact_time"),
            interests=tracker.get_slot("referral_interests"),
            social_worker=tracker.get_slot("referral_social_worker"),
            preferences=preferences_for_referral(tracker),
        )
        try:
            referral, created = await asyncio.to_thread(
                referrals.submit,
                answers,
                conversation_id=tracker.sender_id,
                channel=await asyncio.to_thread(channel_of, tracker),
                language=language_if_known(tracker),
            )
        except Exception:
            # Nothing was stored (one transaction): keep the answers so that
            # asking again submits them, and say so honestly.
            logger.exception("could not store a referral")
            dispatcher.utter_message(response="utter_save_failed")
            return []
        response = "utter_referral_submitted" if created else "utter_referral_exists"
        dispatcher.utter_message(response=response, reference=referral.reference)
        return cleared


class ReferralStatus(Action):
    """ "Any news?": the status a coordinator set, told only to the
    conversation that made the referral."""

    def name(self) -> str:
        return "action_referral_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        referral = await asyncio.to_thread(referrals.latest_for, tracker.sender_id)
        if referral is None:
            dispatcher.utter_message(response="utter_referral_status_none")
            return []
        dispatcher.utter_message(
            response="utter_referral_status",
            reference=referral.reference,
            status_text=label(f"status_{referral.status}", tracker),
            changed_on=referral.status_changed_at.strftime("%d/%m/%Y"),
        )
        return []
