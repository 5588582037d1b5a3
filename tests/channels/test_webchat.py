"""The web chat page (channels/webchat/): the server names the conversation,
and it goes through the same inbox as SMS and Telegram."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bot.locales import render_text
from tests.channels import telegram_updates as tg
from tests.channels.conftest import COORDINATOR_CHAT, NEW_WEB_CHATS, Assistant, wait_for

BASE = "/webhooks/webchat/"
HEADERS = {"X-IV-Chat": "1"}


class Page:
    """One browser's page: its own cookie jar, as a browser would keep it."""

    def __init__(self, assistant: Assistant) -> None:
        self.url = assistant.url + BASE
        self.client = httpx.Client(timeout=30)
        self.seen: list[dict[str, Any]] = []

    def start(self, language: str = "en") -> httpx.Response:
        return self.client.post(self.url + f"session?lang={language}", headers=HEADERS)

    def say(self, text: str, message_id: str | None = None, **extra: str) -> httpx.Response:
        body = {"id": message_id or uuid.uuid4().hex, "text": text, **extra}
        return self.client.post(self.url + "messages", json=body, headers=HEADERS)

    def messages(self) -> list[dict[str, Any]]:
        response = self.client.get(self.url + "messages?after=0", headers=HEADERS)
        response.raise_for_status()
        return response.json()

    def ours(self) -> list[str]:
        return [m["text"] for m in self.messages() if m["from"] == "us"]

    def conversation_id(self, assistant: Assistant) -> str:
        [(cid,)] = assistant.rows(
            "select conversation_id from channel_contacts where channel='webchat' order by created_at desc limit 1"
        )
        return cid


@pytest.fixture
def page(assistant: Assistant) -> Page:
    return Page(assistant)


def test_the_page_is_served_in_either_language_with_nothing_from_elsewhere(assistant: Assistant) -> None:
    welsh = httpx.get(assistant.url + BASE + "?lang=cy")
    assert welsh.status_code == 200 and '<html lang="cy">' in welsh.text
    assert render_text("webchat_leave", "cy") in welsh.text
    policy = welsh.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "http" not in policy and "https://" not in welsh.text.split("<body", 1)[0]
    english = httpx.get(assistant.url + BASE, headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text and render_text("webchat_leave", "en") in english.text
    script = httpx.get(assistant.url + BASE + "static/chat.js")
    assert script.status_code == 200 and "innerHTML" not in script.text  # messages are shown as text


def test_the_server_issues_the_conversation_in_an_httponly_strict_cookie_and_welcomes(
    assistant: Assistant, page: Page
) -> None:
    response = page.start()
    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 200 and "httponly" in cookie and "samesite=strict" in cookie
    welcome = wait_for(page.ours)
    assert welcome, "the first contact's welcome"
    page.say("what is an independent visitor?")
    wait_for(lambda: len(page.ours()) > len(welcome))
    shown = page.messages()
    assert [m["text"] for m in shown if m["from"] == "you"] == ["what is an independent visitor?"]


def test_a_message_sent_twice_is_answered_once(assistant: Assistant, page: Page) -> None:
    page.start()
    before = len(wait_for(page.ours))
    assert page.say("hello", message_id="resent-0001").status_code == 202
    assert page.say("hello", message_id="resent-0001").status_code == 202
    wait_for(lambda: len(page.ours()) > before)
    cid = page.conversation_id(assistant)
    assert wait_for(lambda: assistant.user_texts(cid).count("hello") == 1)
    assert [m["text"] for m in page.messages() if m["from"] == "you"] == ["hello"]


def test_without_the_header_or_a_cookie_we_issued_nothing_is_read_or_accepted(
    assistant: Assistant, page: Page
) -> None:
    assert page.client.post(page.url + "session").status_code == 403  # no X-IV-Chat: another site's form
    assert page.say("hi").status_code == 401  # no cookie yet
    forged = httpx.Client(cookies={"iv_chat": "made-up-token.0123456789abcdef0123456789abcdef"})
    assert forged.get(page.url + "messages", headers=HEADERS).status_code == 401
    assert (
        forged.post(page.url + "messages", json={"id": "x" * 10, "text": "hi"}, headers=HEADERS).status_code
        == 401
    )


def test_a_cookie_whose_conversation_was_deleted_is_refused(assistant: Assistant, page: Page) -> None:
    page.start()
    wait_for(page.ours)
    cid = page.conversation_id(assistant)
    assistant.execute("delete from channel_contacts where conversation_id=:c", c=cid)  # erased
    assert page.say("are you there").status_code == 401
    assert page.client.get(page.url + "messages", headers=HEADERS).status_code == 401


def test_leaving_quickly_drops_the_cookie(assistant: Assistant, page: Page) -> None:
    page.start()
    assert page.client.post(page.url + "leave").status_code == 403, "another site's form can't end it"
    assert page.say("still here").status_code == 202
    response = page.client.post(page.url + "leave", headers=HEADERS)
    assert response.status_code == 200 and "max-age=0" in response.headers["set-cookie"].lower()
    assert page.say("hi").status_code == 401


def test_a_disclosure_gets_the_crisis_contacts_a_case_and_a_coordinators_reply(
    assistant: Assistant, page: Page
) -> None:
    page.start()
    wait_for(page.ours)
    page.say("my foster dad hits me")
    helplines = render_text("safeguarding_helplines", "en")
    wait_for(lambda: helplines in page.ours())
    cid = page.conversation_id(assistant)
    [(case_id,)] = wait_for(lambda: assistant.rows("select id from cases where conversation_id=:c", c=cid))

    assistant.telegram_update(tg.message(COORDINATOR_CHAT, f"/reply {case_id} Hi, I'm Sam from the team."))
    wait_for(lambda: any("I'm Sam from the team" in text for text in page.ours()))


def test_a_page_opened_in_welsh_starts_the_chat_in_welsh(assistant: Assistant, page: Page) -> None:
    page.start("cy")
    [first] = wait_for(page.ours)
    assert first == render_text("language_set", "cy")
    page.say("beth ydy ymwelydd annibynnol?")
    answer = wait_for(lambda: page.ours()[1:])
    assert answer[0] == render_text("what_is_iv", "cy")


def test_delete_my_data_from_the_page_deletes_its_copy_and_ends_the_cookie(
    assistant: Assistant, page: Page
) -> None:
    page.start("en")
    wait_for(page.ours)
    cid = page.conversation_id(assistant)
    page.say("delete my data")
    wait_for(lambda: render_text("ask_delete_confirm", "en") in page.ours())
    page.say("yes")
    done = "select count(*) from erasure_requests where conversation_id=:c and done_at is not null"
    wait_for(lambda: assistant.rows(done, c=cid)[0][0])  # the worker deletes once the turn is over
    assert assistant.rows("select count(*) from webchat_messages where conversation_id=:c", c=cid)[0][0] == 0
    assert (
        page.client.get(page.url + "messages", headers=HEADERS).status_code == 401
    )  # the cookie opens nothing now


def test_a_huge_body_or_a_made_up_button_is_not_read(assistant: Assistant, page: Page) -> None:
    page.start()
    wait_for(page.ours)
    cid = page.conversation_id(assistant)
    huge = page.client.post(
        page.url + "messages",
        content=b'{"id": "huge-00001", "text": "' + b"a" * 20_000 + b'"}',
        headers={**HEADERS, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert page.say("hello", payload="/" + "x" * 300).status_code == 202
    said = wait_for(lambda: [t for t in assistant.user_texts(cid) if t and t.endswith(("hello", "x"))])
    assert said == ["hello"], "the words typed, not the long payload"


# Last in the file: it spends this minute's new chats from 127.0.0.1.
def test_new_chats_from_one_address_are_limited(assistant: Assistant) -> None:
    pages = [Page(assistant) for _ in range(NEW_WEB_CHATS + 1)]
    statuses = [p.start().status_code for p in pages]
    assert statuses.count(429) >= 1 and set(statuses) <= {200, 429}
    assert statuses[-1] == 429
    refused = pages[statuses.index(429)]
    assert refused.say("hi").status_code == 401, "no cookie was issued"
