"""Sending a check-in: recorded first, then the running assistant is asked
(Rasa's ``trigger_intent`` API) to put the question on the young person's
own channel, in their language, as the start of the feedback form."""

from __future__ import annotations

import httpx

from bot.api_auth import api_headers
from bot.records.feedback import CheckInView, start_check_in
from bot.settings import get_settings

CHECK_IN_INTENT = "EXTERNAL_check_in"


class CheckInFailed(RuntimeError):
    pass


def send_check_in(reference: str, actor: str, client: httpx.Client | None = None) -> CheckInView:
    check_in = start_check_in(reference, actor)
    if check_in is None:
        raise CheckInFailed(f"{reference}: no matched referral with this reference")
    settings = get_settings()
    params = {"output_channel": "latest"}
    headers = api_headers() if settings.rasa_api_token else {}
    http = client or httpx.Client(timeout=30)
    try:
        response = http.post(
            f"{settings.rasa_url}/conversations/{check_in.conversation_id}/trigger_intent",
            params=params,
            headers=headers,
            json={"name": CHECK_IN_INTENT, "entities": {"check_in_id": str(check_in.id)}},
        )
    except httpx.HTTPError as error:
        raise CheckInFailed(f"{reference}: the assistant is unreachable ({type(error).__name__})") from error
    finally:
        if client is None:
            http.close()
    if response.status_code != 200:
        raise CheckInFailed(f"{reference}: the assistant answered {response.status_code}")
    return check_in
