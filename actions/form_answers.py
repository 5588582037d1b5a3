"""What the forms share: one answer per question, read by a parser; a
question, a language switch or a disclosure in the middle of a form is an
interruption, not an answer; "stop" ends the form.

An interruption returns no slot, so Rasa's form rejects the turn and the
rules answer it (data/stories/forms.yml) before the form asks again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.forms.answers import is_cancel

REQUESTED_SLOT = "requested_slot"

# What a young person may ask in the middle of a form. The form answers and
# then asks its question again.
QUESTIONS = frozenset(
    {
        "ask_what_is_iv", "ask_iv_activities", "ask_eligibility", "ask_rights", "ask_confidentiality",
        "ask_iv_vs_advocate", "ask_boundaries", "ask_referral_process", "ask_referral_status",
        "care_leaver_continue", "change_or_end_iv", "ask_help", "bot_challenge",
    }
)  # fmt: skip
LEAVE_FORM = frozenset(
    {"talk_to_human", "delete_my_data", "make_complaint", "request_referral", "give_feedback"}
)
# A chosen answer (a number, yes/no) is read first; only when it doesn't read
# does a confident question intent count as a question.
QUESTION_CONFIDENCE = 0.5
# Free text (a name, likes, a complaint) is read as an answer unless the
# classifier is very sure it is a question.
FREE_TEXT_QUESTION_CONFIDENCE = 0.85

SHORT_LANGUAGE_REQUEST_WORDS = 3
Parser = Callable[[str], Any]


def intent_of(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name") or "", float(intent.get("confidence") or 0.0)


def has_language_entity(tracker: Tracker) -> bool:
    return any(e.get("entity") == "language" for e in tracker.latest_message.get("entities") or [])


def language_before_this_message(tracker: Tracker) -> str | None:
    """The ``language`` slot as it was before the latest message."""
    users = [i for i, event in enumerate(tracker.events) if event.get("event") == "user"]
    value = None
    for event in tracker.events[: users[-1] if users else 0]:
        if event.get("event") == "slot" and event.get("name") == "language":
            value = event.get("value")
    return value


QUESTION_START = re.compile(
    r"^(?:what|whats|how|can|could|do|does|is|are|will|would|why|when|where|who|which|wot|wat|"
    r"beth|be|sut|pam|pryd|ble|lle|pwy|faint|ga|gai|oes|ydy|ydi|wyt|ydw|alla|fedra|fydd|a)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    return "?" in text or bool(QUESTION_START.match(text.strip()))


def is_starting(tracker: Tracker) -> bool:
    """The form is being started: nothing has been asked yet (Rasa already
    shows the form as active when it asks us to check a new form)."""
    return not tracker.get_slot(REQUESTED_SLOT)


class AnswerForm(FormValidationAction):
    """Reads the requested slot's answer from the latest message.

    Subclasses set ``form``, ``own_intents`` (saying "I want an IV" in the
    referral form is not an interruption), ``free_text_slots`` (read as
    typed), ``disclosure_slots`` (where a disclosure *is* the answer, e.g.
    what happened in a complaint) and ``choice_parsers``, and write
    ``validate_<slot>`` methods as rasa-sdk expects.
    """

    form: str = ""
    own_intents: frozenset[str] = frozenset()
    free_text_slots: frozenset[str] = frozenset()
    disclosure_slots: frozenset[str] = frozenset()
    choice_parsers: dict[str, Parser] = {}

    def name(self) -> str:
        return f"validate_{self.form}"

    def is_interruption(self, slot: str, tracker: Tracker) -> bool:
        intent, confidence = intent_of(tracker)
        text = tracker.latest_message.get("text") or ""
        if intent == "safeguarding_concern":
            return slot not in self.disclosure_slots
        if intent == "choose_language":
            # "Cymraeg plis" switches; "someone who speaks Welsh" is a wish for an IV.
            short = len(text.split()) <= SHORT_LANGUAGE_REQUEST_WORDS
            return has_language_entity(tracker) and (short or slot not in self.free_text_slots)
        if intent in self.own_intents or intent not in QUESTIONS | LEAVE_FORM:
            return False
        if slot in self.free_text_slots:
            # "my visits keep getting cancelled" is the comment, not a question.
            return confidence >= FREE_TEXT_QUESTION_CONFIDENCE and looks_like_question(text)
        parser = self.choice_parsers.get(slot)
        if parser is not None and parser(text) is not None:
            return False
        return confidence >= QUESTION_CONFIDENCE

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = tracker.get_slot(REQUESTED_SLOT)
        # Only an answer to a question this form asked: never the message that
        # started the form ("I want an IV"), never an interruption.
        if is_starting(tracker) or self.is_interruption(slot, tracker):
            return []
        return [SlotSet(slot, tracker.latest_message.get("text") or "")]

    async def run_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        slot = tracker.get_slot(REQUESTED_SLOT)
        before = language_before_this_message(tracker)
        if slot and not self.is_interruption(slot, tracker) and tracker.get_slot("language") != before:
            # An answer such as "someone who speaks Welsh" names a language
            # without asking to switch: keep the conversation's language.
            events.append(SlotSet("language", before))
        return events

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Answers kept from before (a form stopped by a disclosure) were read
        # when they were given: don't read them again.
        if is_starting(tracker):
            return []
        return await super().get_validation_events(dispatcher, tracker, domain)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = tracker.get_slot(REQUESTED_SLOT)
        text = tracker.latest_message.get("text") or ""
        if slot and is_cancel(text):
            # "stop": the form ends with nothing saved (its submit action
            # sees no confirmation and clears the answers). Setting the asked
            # slot tells Rasa the turn was handled, not rejected.
            dispatcher.utter_message(response="utter_form_cancelled")
            return [SlotSet(slot, None), SlotSet(REQUESTED_SLOT, None)]
        return await self.run_answer(dispatcher, tracker, domain)
