"""Complaints (Standard 14): what happened, stored with a reference and
handed to a coordinator; a safeguarding matter escalates as one."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import channel_of, language_if_known
from actions.form_answers import AnswerForm
from bot.forms.answers import COMPLAINT_ABOUT, free_text, parse_choice
from bot.records import complaints
from bot.safeguarding.detector import categories as safeguarding_categories

logger = logging.getLogger(__name__)
FORM = "complaint_form"
ALL_SLOTS = ("complaint_about", "complaint_details")
DETAILS_CHARS = 2000


class ValidateComplaintForm(AnswerForm):
    form = FORM
    own_intents = frozenset({"make_complaint"})
    free_text_slots = frozenset({"complaint_details"})
    # What an IV did may be a disclosure: it is the complaint, and it escalates.
    disclosure_slots = frozenset({"complaint_details"})
    choice_parsers = {"complaint_about": lambda t: parse_choice(t, COMPLAINT_ABOUT)}

    def validate_complaint_about(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        about = parse_choice(str(value), COMPLAINT_ABOUT)
        if about is None:
            dispatcher.utter_message(response="utter_invalid_number_choice")
        return {"complaint_about": about}

    def validate_complaint_details(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        details = free_text(str(value), DETAILS_CHARS)
        if details is None:
            dispatcher.utter_message(response="utter_invalid_answer")
        return {"complaint_details": details}


class SubmitComplaint(Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cleared = [SlotSet(slot, None) for slot in ALL_SLOTS]
        details = tracker.get_slot("complaint_details")
        if not details:
            return cleared
        found = sorted(set(safeguarding_categories(details)) | set(_categories_from_nlu(tracker)))
        try:
            complaint, _ = await asyncio.to_thread(
                complaints.submit,
                conversation_id=tracker.sender_id,
                channel=await asyncio.to_thread(channel_of, tracker),
                about=tracker.get_slot("complaint_about") or "other",
                details=details,
                language=language_if_known(tracker),
                categories=found,
            )
        except Exception:
            logger.exception("could not store a complaint")
            dispatcher.utter_message(response="utter_save_failed")
            if found:
                dispatcher.utter_message(response="utter_safeguarding_helplines")
            return []
        if complaint.safeguarding:
            dispatcher.utter_message(
                response="utter_complaint_received_safeguarding", reference=complaint.reference
            )
            dispatcher.utter_message(response="utter_safeguarding_helplines")
        else:
            dispatcher.utter_message(response="utter_complaint_received", reference=complaint.reference)
            # Standard 14: where to go if our answer isn't enough.
            dispatcher.utter_message(response="utter_complaint_next_steps")
        return cleared


def _categories_from_nlu(tracker: Tracker) -> list[str]:
    if (tracker.latest_message.get("intent") or {}).get("name") != "safeguarding_concern":
        return []
    found = (tracker.latest_message.get("safeguarding") or {}).get("categories") or []
    return list(found) or ["reported_by_classifier"]
