""" "Delete my data": say what goes and what must stay, ask, then delete."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_answers import AnswerForm
from bot.forms.answers import parse_yes_no
from bot.records import erasure

logger = logging.getLogger(__name__)
FORM = "delete_data_form"


class ValidateDeleteDataForm(AnswerForm):
    form = FORM
    own_intents = frozenset({"delete_my_data"})
    choice_parsers = {"delete_confirm": parse_yes_no}

    def validate_delete_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = parse_yes_no(str(value), (tracker.latest_message.get("intent") or {}).get("name"))
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_yes_no")
        return {"delete_confirm": answer}


class AskDeleteConfirm(Action):
    def name(self) -> str:
        return "action_ask_delete_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        keeps = await asyncio.to_thread(erasure.has_safeguarding_record, tracker.sender_id)
        dispatcher.utter_message(
            response="utter_delete_data_explain_safeguarding" if keeps else "utter_delete_data_explain"
        )
        dispatcher.utter_message(response="utter_ask_delete_confirm")
        return []


class DeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("delete_confirm") is not True:
            dispatcher.utter_message(response="utter_delete_data_cancelled")
            return [SlotSet("delete_confirm", None)]
        try:
            await asyncio.to_thread(erasure.erase, tracker.sender_id)
        except Exception:
            logger.exception("could not erase a conversation's data")
            dispatcher.utter_message(response="utter_delete_failed")
            return [SlotSet("delete_confirm", None)]
        dispatcher.utter_message(response="utter_delete_data_done")
        return [SlotSet("delete_confirm", None)]
