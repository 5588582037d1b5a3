"""No raw phone number or Telegram chat id in Rasa's tracker or the logs."""

from __future__ import annotations

import json
import random

from tests.channels import telegram_updates as tg
from tests.channels.conftest import Assistant, wait_for


def test_addresses_never_reach_the_tracker_or_the_logs(assistant: Assistant) -> None:
    number = f"+4477009{random.randint(10**4, 10**5 - 1)}"
    chat_id = random.randint(10**8, 10**9)
    assistant.sms(number, "can i talk to a real person")
    assistant.telegram_update(tg.message(chat_id, "can i talk to a real person"))
    wait_for(lambda: assistant.twilio.bodies_to(number) and assistant.telegram.texts_to(chat_id))

    for channel, address in (("sms", number), ("telegram", str(chat_id))):
        cid = assistant.conversation_id(channel, address)
        # Replies go out before Rasa saves the tracker: wait for the save.
        wait_for(lambda cid=cid: "talk to a real person" in json.dumps(assistant.tracker(cid)))  # type: ignore[misc]
        tracker = json.dumps(assistant.tracker(cid))
        assert address not in tracker  # the conversation is there, but not who it is
    # Rasa's tracker store is SQL here (endpoints.yml), and its events are encrypted.
    raw_events = " ".join(row[0] for row in assistant.rows("select data from events"))
    assert "talk to a real person" not in raw_events and raw_events.startswith("gAAAA")

    logs = assistant.log_file.read_text() + assistant.log_file.with_name("rasa.out").read_text()
    assert "talk to a real person" in logs  # debug logging was on, so this check means something
    assert number not in logs and number.lstrip("+") not in logs
    assert str(chat_id) not in logs


def test_the_api_takes_a_signed_bearer_token_never_a_token_in_the_url(assistant: Assistant) -> None:
    from bot.api_auth import api_headers
    from tests.channels.conftest import API_TOKEN

    path = f"{assistant.url}/conversations/anyone/tracker"
    assert assistant.client.get(path, params={"token": API_TOKEN}).status_code == 401
    assert assistant.client.get(path, headers=api_headers("a-forged-secret")).status_code == 401
    assert assistant.client.get(path).status_code == 401
    assert assistant.client.get(path, headers=api_headers(API_TOKEN)).status_code == 200
