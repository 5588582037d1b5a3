"""One young person's message, as one turn of Rasa, with our decision made
inside it.

Rasa's ``Agent.handle_message`` takes the conversation lock and runs
``MessageProcessor.handle_message``: fetch the tracker, parse (NLU), extract
slots, predict and run actions, save. We run the same steps, in the same
order, under the same lock, and call ``on_parsed`` between parsing and the
first action. So the handoff is decided from this message's own parse (not
from a later read of the tracker, which may already hold the next message),
and a case is stored before the bot's reply says so.

``MessageProcessor._run_prediction_loop`` is private; Rasa is pinned to
3.6.21 (requirements/lock.txt), and the tests run this path end to end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.trackers import DialogueStateTracker

OnParsed = Callable[[dict[str, Any], DialogueStateTracker], Awaitable[bool]]
"""Called with this message's parse and the tracker; returns whether the bot
should answer (False: the message is recorded and nothing is said)."""


@dataclass(frozen=True)
class Turn:
    parse: dict[str, Any]
    tracker: DialogueStateTracker
    answered: bool


async def run_turn(agent: Any, message: UserMessage, on_parsed: OnParsed) -> Turn:
    processor = agent.processor
    async with agent.lock_store.lock(message.sender_id):
        tracker = await processor.log_message(message, should_save_tracker=False)
        parse = dict(tracker.latest_message.parse_data) if tracker.latest_message else {}
        answer = await on_parsed(parse, tracker)
        if answer:
            tracker = await processor.run_action_extract_slots(message.output_channel, tracker)
            await processor._run_prediction_loop(message.output_channel, tracker)
            await processor.run_anonymization_pipeline(tracker)
        await processor.save_tracker(tracker)
    return Turn(parse, tracker, answer)
