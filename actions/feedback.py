"""Feedback about the match or the service, and the answers to check-ins."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import language_if_known
from actions.form_answers import AnswerForm
from bot.forms.answers import FEEDBACK_ABOUT, free_text, is_skip, parse_choice, parse_rating, parse_yes_no
from bot.records import feedback
from bot.records.feedback import LOW_RATING

logger = logging.getLogger(__name__)
FORM = "feedback_form"
ALL_SLOTS = (
    "feedback_about",
    "feedback_rating",
    "feedback_comment",
    "feedback_anonymous",
    "feedback_check_in_id",
)
COMMENT_CHARS = 1000


class ValidateFeedbackForm(AnswerForm):
    form = FORM
    own_intents = frozenset({"give_feedback"})
    free_text_slots = frozenset({"feedback_comment"})
    choice_parsers = {
        "feedback_about": lambda t: parse_choice(t, FEEDBACK_ABOUT),
        "feedback_rating": parse_rating,
        "feedback_anonymous": parse_yes_no,
    }

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # A check-in is about the match: no need to ask.
        if tracker.get_slot("feedback_check_in_id"):
            return [slot for slot in domain_slots if slot != "feedback_about"]
        return domain_slots

    def validate_feedback_about(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        about = parse_choice(str(value), FEEDBACK_ABOUT)
        if about is None:
            dispatcher.utter_message(response="utter_invalid_number_choice")
        return {"feedback_about": about}

    def validate_feedback_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        rating = parse_rating(str(value))
        if rating is None:
            dispatcher.utter_message(response="utter_invalid_rating")
            return {"feedback_rating": None}
        return {"feedback_rating": float(rating)}

    def validate_feedback_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value)
        return {"feedback_comment": "-" if is_skip(text) else (free_text(text, COMMENT_CHARS) or "-")}

    def validate_feedback_anonymous(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = parse_yes_no(str(value), (tracker.latest_message.get("intent") or {}).get("name"))
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_yes_no")
        return {"feedback_anonymous": answer}


class SubmitFeedback(Action):
    def name(self) -> str:
        return "action_submit_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cleared = [SlotSet(slot, None) for slot in ALL_SLOTS]
        rating = tracker.get_slot("feedback_rating")
        anonymous = tracker.get_slot("feedback_anonymous")
        if rating is None or anonymous is None:
            return cleared  # stopped part way: nothing to keep
        check_in = tracker.get_slot("feedback_check_in_id")
        comment = tracker.get_slot("feedback_comment")
        try:
            stored = await asyncio.to_thread(
                feedback.submit,
                conversation_id=tracker.sender_id,
                about=tracker.get_slot("feedback_about") or "match",
                rating=int(rating),
                comment=None if comment in (None, "-") else comment,
                anonymous=bool(anonymous),
                language=language_if_known(tracker),
                check_in_id=int(check_in) if check_in and str(check_in).isdigit() else None,
            )
        except Exception:
            logger.exception("could not store feedback")
            dispatcher.utter_message(response="utter_save_failed")
            return []
        low = stored.rating <= LOW_RATING and not stored.anonymous
        dispatcher.utter_message(response="utter_feedback_thanks_low" if low else "utter_feedback_thanks")
        return cleared
