"""What both connectors do with a young person's message once the provider's
request is verified: rate limit, length limit, then one turn of Rasa
(``bot.turn``), with the safeguarding handoff decided inside that turn.

Runs in a background task, so the webhook can answer the provider at once.

While a safeguarding (or "talk to a person") case is open:
- until a person has joined (acknowledged or replied), the bot keeps the
  young person company: it answers every message, and every few minutes
  says again that a person has their message, with 999 and a 24-hour line;
  "jk / forget it" gets a kind reply that a person will still check in, "I'm
  not in danger, I only asked" an apology and then the answer; coordinators
  see both on the case;
- once a person has joined, the bot steps aside: messages are recorded and
  relayed, and a new urgent disclosure brings the crisis contacts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, Literal

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversations import deliveries
from bot.handoff import cases
from bot.handoff.hours import handoff_text_key, waiting_text_key
from bot.language import conversation_language
from bot.locales import catalogue
from bot.safeguarding.detector import categories as safeguarding_categories
from bot.safeguarding.retraction import is_retraction, says_not_in_danger
from bot.safeguarding.triage import MAX_READ_CHARS
from bot.settings import LANGUAGES, Language, Settings
from bot.turn import run_turn
from channels.rate_limit import RateLimiter, counter_from_settings
from channels.replies import HeldReplies, holding
from channels.texts import channel_text, language_of

logger = logging.getLogger(__name__)

LANGUAGE_ENTITIES = ("language", "detected_language")
# While waiting for a person, these get "a person has your message" rather
# than the bot's own reply ("Sorry, I didn't get that", "Anything else?").
SAFEGUARDING_INTENT = "safeguarding_concern"
SAFE_AFTER_CHECK_IN = "safe_after_check_in"
# A form's first question: answered means the form was started (and a
# finished or cancelled form clears its slots).
FORM_FIRST_SLOTS = {
    "referral_form": "referral_consent",
    "feedback_form": "feedback_about",
    "complaint_form": "complaint_about",
}
WAITING_INTENTS = frozenset({"nlu_fallback", "greet", "out_of_scope", "affirm", "deny"})
# Sent by the connectors themselves (Telegram's /start), not by a button.
GREET = "/greet"
CONNECTOR_PAYLOADS = frozenset({GREET})
UNREAD: Final = "unread"  # the open case wasn't read with the message, or may have changed since
CaseOnArrival = cases.CaseView | None | Literal["unread"]


@cache
def our_payloads() -> frozenset[str]:
    """What our own buttons send, in either language."""
    return CONNECTOR_PAYLOADS | {
        b.payload for lang in LANGUAGES for e in catalogue(lang).values() for b in e.buttons
    }


def as_typed(text: str, from_button: bool = False) -> str:
    """Rasa reads "/intent{...}" as that intent, skipping NLU and safeguarding
    triage. Only our own buttons may send one: typed ("/safeguarding_concern",
    "/EXTERNAL_check_in"), it is read as words."""
    if text.startswith("/") and not (from_button and text in our_payloads()):
        return text.lstrip("/ ")
    return text


@dataclass
class _Message:
    """One message's way through the inbox: what the turn decided."""

    conversation_id: str
    channel: str
    text: str
    key: str
    output: OutputChannel
    case: cases.CaseView | None
    change: cases.Change = None
    keep_company: bool = False
    offer_paused_form: bool = False
    after: list[str] = field(default_factory=list)


def _language(parse: dict[str, Any], tracker: DialogueStateTracker) -> Language | None:
    """This message's language as far as it is known before Rasa fills the slots."""
    known = conversation_language(tracker.current_slot_values())
    if known:
        return known
    for entity in parse.get("entities") or []:
        if entity.get("entity") in LANGUAGE_ENTITIES and entity.get("value") in ("cy", "en"):
            return entity["value"]
    return None


def answer_the_question(tracker: DialogueStateTracker) -> None:
    """The young person says they're not in danger: this message is answered
    as the question it is (the classifier's best other intent), not as a
    concern, and it doesn't count towards one. The parse is changed before
    Rasa predicts the reply, inside the turn."""
    message = tracker.latest_message
    if message is None:
        return
    ranking = [
        r for r in message.parse_data.get("intent_ranking") or [] if r.get("name") != SAFEGUARDING_INTENT
    ]
    if (message.intent or {}).get("name") == SAFEGUARDING_INTENT:
        message.intent = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 1.0}
        message.parse_data["intent"] = message.intent
    found = message.parse_data.get("safeguarding") or {}
    message.parse_data["safeguarding"] = {
        **found,
        "level": "none",
        "signals": [*found.get("signals", []), "denied"],
    }


def paused_form(tracker: DialogueStateTracker) -> str | None:
    """A form a disclosure stopped part way: its answers wait in the slots."""
    if tracker.active_loop_name:
        return None
    for form, first_slot in FORM_FIRST_SLOTS.items():
        if tracker.get_slot(first_slot) is not None:
            return form
    return None


class Inbox:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(
            settings.rate_limit_messages,
            settings.rate_limit_window_seconds,
            counter_from_settings(settings.redis_host, settings.redis_port, settings.redis_password),
        )
        self._tails: dict[str, asyncio.Task[None]] = {}
        self.turns_finished = 0  # in this process, any conversation's

    def case_on_arrival(
        self, conversation_id: str, case: cases.CaseView | None, turns_before: int
    ) -> CaseOnArrival:
        """The case read with a message (``bot.conversations.inbound``) is
        still the one to decide its turn by, unless an earlier message of the
        conversation is waiting or was handled meanwhile (it may have opened one)."""
        if conversation_id in self._tails or self.turns_finished != turns_before:
            return UNREAD
        return case

    def in_order(self, conversation_id: str, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Runs ``work`` after this conversation's earlier messages (in this
        process), in the order the webhooks received them: two answers sent
        10 ms apart once landed in each other's form fields."""
        before = self._tails.get(conversation_id)

        async def after_the_one_before() -> None:
            if before is not None:
                await asyncio.wait([before])  # its outcome is its own business
            try:
                await work
            except Exception:  # logged here: nobody awaits this task
                logger.exception("a message's handling failed")
            finally:
                self.turns_finished += 1
                if self._tails.get(conversation_id) is task:
                    del self._tails[conversation_id]

        task = asyncio.ensure_future(after_the_one_before())
        self._tails[conversation_id] = task
        return task

    async def handle_once(
        self,
        channel: str,
        delivery_id: str,
        work: Callable[[], Awaitable[None]],
        on_error: Callable[[], Awaitable[None]] | None,
        *,
        queued_at: float | None = None,
        redo: bool = False,
    ) -> None:
        """What every connector does with a message it accepted: mark it started
        if it waited (so recovery doesn't take it for lost), run ``work``, tell
        the young person if it failed (``on_error``: never silence), and mark
        it processed, with the turn's records of what was sent, in one transaction."""
        with deliveries.outbound_held() as sent:
            try:
                if redo or (queued_at and time.monotonic() - queued_at > deliveries.QUEUED_LONG_SECONDS):
                    await asyncio.to_thread(deliveries.touch, channel, delivery_id)
                await work()
            except Exception:
                logger.exception("failed to handle a %s message", channel)
                if on_error is not None:
                    with contextlib.suppress(Exception):
                        await on_error()
        await asyncio.to_thread(deliveries.mark_processed, channel, delivery_id, sent)

    async def admit(
        self,
        agent: Any,
        output: OutputChannel,
        conversation_id: str,
        disclosure: bool | Callable[[], bool] = False,
    ) -> bool:
        """Within the sender's rate limit (a first disclosure always is); if
        not, one kind "slow down" per window and nothing else."""
        allowed = await asyncio.to_thread(self.limiter.allow, conversation_id, disclosure)
        if not allowed:
            logger.warning("rate limit reached for %s", conversation_id)
            if await asyncio.to_thread(self.limiter.should_warn, conversation_id):
                await self.notice(agent, output, conversation_id, "rate_limited")
        return allowed

    async def notice(self, agent: Any, output: OutputChannel, conversation_id: str, key: str) -> None:
        """Sends one of the connectors' own texts, in the conversation's language."""
        language = await language_of(agent, conversation_id)
        await output.send_text_message(conversation_id, channel_text(key, language))

    async def deliver(
        self,
        *,
        agent: Any,
        output: OutputChannel,
        conversation_id: str,
        channel: str,
        text: str,
        delivery_key: str,
        metadata: dict[str, Any] | None = None,
        from_button: bool = False,
        redo: bool = False,
        case: CaseOnArrival = UNREAD,
    ) -> None:
        """One message's turn. Its replies are held while Rasa runs under the
        conversation's lock, and sent once it is released (channels/replies.py)."""
        async with holding(output, conversation_id, delivery_key) as held:
            if redo and await self._already_in_conversation(agent, conversation_id, delivery_key):
                # Its turn ran before its process died: running it again would
                # read it twice (in a form, as the next answer). Its replies may
                # be lost, so the young person hears something went wrong.
                await self.notice(agent, held, conversation_id, "something_went_wrong")
                return
            await self._turn(
                agent, held, conversation_id, channel, text, delivery_key, metadata, from_button, case
            )

    @staticmethod
    async def _already_in_conversation(agent: Any, conversation_id: str, delivery_key: str) -> bool:
        tracker = await agent.tracker_store.retrieve(conversation_id)
        return tracker is not None and any(
            isinstance(e, UserUttered) and e.message_id == delivery_key for e in tracker.events
        )

    async def _turn(
        self,
        agent: Any,
        output: HeldReplies,
        conversation_id: str,
        channel: str,
        text: str,
        delivery_key: str,
        metadata: dict[str, Any] | None,
        from_button: bool,
        case_on_arrival: CaseOnArrival,
    ) -> None:
        if not text.strip():
            # No words (an empty SMS, a location): a greeting, so a first
            # contact gets the welcome, not "OK!".
            text, from_button = GREET, True
        # Nothing past MAX_READ_CHARS is read by anything, a disclosure included:
        # a 1 MB body once stalled the server for 19 s.
        text = as_typed(text[:MAX_READ_CHARS], from_button)

        @cache
        def disclosure() -> bool:  # limits never hide an explicit disclosure
            return bool(safeguarding_categories(text))

        if not await self.admit(agent, output, conversation_id, disclosure):
            return
        too_long = len(text) > self.settings.max_message_chars and not disclosure()
        if too_long:
            text = text[: self.settings.max_message_chars]
        message = UserMessage(
            text, output, conversation_id, input_channel=channel, message_id=delivery_key, metadata=metadata
        )
        case = (
            await asyncio.to_thread(cases.open_case_for, conversation_id)
            if isinstance(case_on_arrival, str)
            else case_on_arrival
        )
        state = _Message(conversation_id, channel, text, delivery_key, output, case)

        async def on_parsed(parse: dict[str, Any], tracker: DialogueStateTracker) -> bool:
            return await self._decide(state, parse, tracker)

        try:
            turn = await run_turn(agent, message, on_parsed)
        except Exception:
            # Never leave the young person without a reply because of our error.
            logger.exception("assistant failed on a message from %s", conversation_id)
            await self.notice(agent, output, conversation_id, "something_went_wrong")
            return
        language = conversation_language(turn.tracker.current_slot_values())
        if state.offer_paused_form or (turn.parse.get("intent") or {}).get("name") == SAFE_AFTER_CHECK_IN:
            form = paused_form(turn.tracker)
            if form:
                state.after.append(f"form_paused_{form}")
        for key in await self._after_turn(state):
            await output.send_text_message(conversation_id, channel_text(key, language))
        if too_long:
            await output.send_text_message(conversation_id, channel_text("message_too_long", language))
        if turn.answered and not output.replies:
            # Rasa swallows a failed action (the action server down, a bug in
            # one) and listens: the young person must still hear something.
            logger.error("a turn for %s ended without a reply", conversation_id)
            await output.send_text_message(conversation_id, channel_text("something_went_wrong", language))

    async def _decide(self, state: _Message, parse: dict[str, Any], tracker: DialogueStateTracker) -> bool:
        """Inside the turn, after NLU and before any reply: open, raise or
        update the case, and say whether the bot answers."""
        found = parse.get("safeguarding") or {}
        level = found.get("level") or "none"
        intent = (parse.get("intent") or {}).get("name")
        language = _language(parse, tracker)
        case = state.case

        def open_(kind: str, level: str | None = None) -> None:
            state.case, state.change = cases.open_case(
                conversation_id=state.conversation_id,
                channel=state.channel,
                kind=kind,
                categories=list(found.get("categories") or []),
                language=language,
                text=state.text,
                level=level,
                signals=list(found.get("signals") or []),
            )

        if case is not None and case.person_joined:
            # A person has this conversation: the bot steps aside and relays.
            await asyncio.to_thread(cases.record_message, case.id, state.text, state.key, relay=True)
            if level != "none":
                await asyncio.to_thread(open_, "safeguarding", level)
            if level == "urgent" and await asyncio.to_thread(
                self.limiter.once_per_window, "helplines", state.conversation_id
            ):
                # They may not have read it yet: the crisis contacts go again, at once
                # (once a window: a flood of disclosures is not a flood of texts).
                state.after.append("safeguarding_helplines")
            return False
        if case is not None and level != "urgent" and says_not_in_danger(state.text):
            # "I'm not in danger, I only asked...": an apology, then the answer.
            await asyncio.to_thread(cases.record_message, case.id, state.text, state.key, relay=True)
            await asyncio.to_thread(cases.note_for_coordinators, case.id, "says not in danger", state.key)
            await state.output.send_text_message(
                state.conversation_id, channel_text("safeguarding_not_in_danger", language)
            )
            answer_the_question(tracker)
            return True
        if level == "concern" and case is not None and case.urgent:
            # A person is already on the way: no check-in, but the promise again.
            await asyncio.to_thread(cases.record_message, case.id, state.text, state.key, relay=True)
            state.after.append(waiting_text_key(case.kind))
            return False
        if level != "none":
            await asyncio.to_thread(open_, "safeguarding", level)
            return True
        if intent == "talk_to_human":
            if case is not None and case.kind == "safeguarding" and not case.urgent:
                state.case = await asyncio.to_thread(cases.raise_to_urgent, case.id, "asked for a person")
                state.change = "raised"
            else:
                await asyncio.to_thread(open_, "human")
            return True
        if case is None:
            return True
        # A case is open and nobody has joined yet: keep the young person company.
        relay = case.urgent or case.kind == "human"
        await asyncio.to_thread(cases.record_message, case.id, state.text, state.key, relay=relay)
        if is_retraction(state.text):
            await asyncio.to_thread(cases.note_for_coordinators, case.id, "took it back", state.key)
            state.after.append("safeguarding_retraction")
            state.offer_paused_form = True
            return False
        if intent in WAITING_INTENTS and relay:
            # "hello? is anyone there?": the answer is that a person has it.
            state.after.append(waiting_text_key(case.kind))
            return False
        state.keep_company = relay
        return True

    async def _after_turn(self, state: _Message) -> list[str]:
        """What the inbox adds after the bot's own reply."""
        keys = list(state.after)
        case = state.case
        if case is None:
            return keys
        if state.change is not None and (case.urgent or case.kind == "human"):
            # Honest about when a person will see it.
            keys.insert(0, handoff_text_key(case.kind))
        elif state.keep_company and await asyncio.to_thread(cases.claim_waiting_notice, case.id):
            keys.append(waiting_text_key(case.kind))
        return keys
