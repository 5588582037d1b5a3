"""The whole loop in a real browser (Debian's Chromium, driven by Playwright;
nothing downloaded): a young person on the web chat page, a coordinator in
the console. Screenshots go to $IV_SCREENSHOTS (reports/screenshots for the
README) or a temporary folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from bot.locales import render_text
from tests.channels.conftest import Assistant
from tests.servers import free_port, wait_for
from tests.test_forms import ENGLISH_ANSWERS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Console:
    url: str
    env: dict[str, str]

    def account(self, username: str, role: str = "coordinator") -> tuple[str, str, str]:
        """(username, password, TOTP secret), made by the admin command as a real admin would."""
        done = subprocess.run(
            [sys.executable, "-m", "console.admin", "add", username, "Sam Jones", "--role", role],
            cwd=ROOT, env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        found = dict(re.findall(r"^(password|TOTP secret):\s+(\S+)", done.stdout, re.M))
        return username, found["password"], found["TOTP secret"]


@pytest.fixture(scope="module")
def console(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    port = free_port()
    env = {**assistant.env, "IV_CONSOLE_PORT": str(port), "IV_RASA_URL": assistant.url}
    log = tmp_path_factory.mktemp("console") / "console.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "console"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(log.read_text())
            try:
                return httpx.get(url + "/health").status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout=60)
        yield Console(url, env)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium (make setup installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("IV_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")


def laptop(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")


def open_chat(context: BrowserContext, assistant: Assistant, language: str) -> Page:
    page = context.new_page()
    page.goto(f"{assistant.url}/webhooks/webchat/?lang={language}")
    page.locator("#log li.us").first.wait_for(timeout=30_000)  # the welcome
    return page


def say(page: Page, text: str) -> None:
    replies = page.locator("#log li.us").count()
    page.fill("#text", text)
    page.click("form#send button[type=submit]")
    page.locator("#log li.us").nth(replies).wait_for(timeout=30_000)


def sign_in(context: BrowserContext, console: Console, account: tuple[str, str, str]) -> Page:
    username, password, secret = account
    page = context.new_page()
    page.goto(console.url + "/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    expect(page.locator("#queue-rows")).to_be_attached()
    return page


@pytest.mark.parametrize(
    ("language", "disclosure"),
    [("en", "my foster dad hits me"), ("cy", "mae fy nhad maeth yn fy nharo i")],
)
def test_a_disclosure_on_the_web_reaches_a_coordinator_who_replies(
    assistant: Assistant, console: Console, chromium: Browser, shots: Path, language: str, disclosure: str
) -> None:
    coordinator = laptop(chromium)
    queue = sign_in(coordinator, console, console.account(f"coordinator-{language}"))
    if language == "cy":
        queue.click("text=Cymraeg")
        expect(queue.locator("h1")).to_have_text(render_text("console_cases", "cy"))

    urgent = queue.locator("#queue-rows tr.priority-1")
    before = urgent.count()
    young = phone(chromium)
    chat = open_chat(young, assistant, language)
    chat.fill("#text", disclosure)
    sent = time.monotonic()
    chat.click("form#send button[type=submit]")
    expect(chat.locator("#log")).to_contain_text(
        render_text("safeguarding_helplines", language)[:60], timeout=30_000
    )

    row = urgent.nth(before).locator("a")  # the newest urgent case: the queue is by severity, then age
    row.wait_for(timeout=10_000)
    waited = time.monotonic() - sent
    print(f"in the queue {waited:.2f} s after the young person pressed send")
    assert waited < 2.0, "in the coordinator's queue within 2 s"
    chat.screenshot(path=shots / f"webchat-disclosure-{language}.png", full_page=True)
    queue.screenshot(path=shots / f"console-queue-{language}.png", full_page=True)

    row.click()
    expect(queue.locator(".conversation")).to_contain_text(disclosure)
    reply = "Helo, Sam o'r tîm sydd yma." if language == "cy" else "Hi, it's Sam from the team."
    queue.fill("#reply", reply)
    queue.click("form[action$='/reply'] button")
    expect(queue.locator(".done")).to_be_visible()
    queue.screenshot(path=shots / f"console-case-{language}.png", full_page=True)
    expect(chat.locator("#log")).to_contain_text(reply, timeout=15_000)
    young.close()
    coordinator.close()


def test_a_referral_made_in_the_web_chat_is_listed_and_its_status_changed(
    assistant: Assistant, console: Console, chromium: Browser, shots: Path
) -> None:
    young = phone(chromium)
    chat = open_chat(young, assistant, "en")
    for text in ["I want an IV", *ENGLISH_ANSWERS]:
        say(chat, text)
    chat.locator("#log .choices button").last.click()  # "Yes, send it": a button, as a young person would
    reference = wait_for(lambda: re.search(r"\bR-[A-Z0-9]{6}\b", chat.inner_text("#log")), timeout=30)[0]

    coordinator = laptop(chromium)
    page = sign_in(coordinator, console, console.account("coordinator-referrals"))
    page.click("nav >> text=" + render_text("console_referrals", "en"))
    page.click(f"text={reference}")
    expect(page.locator(".facts").first).to_contain_text("Sam")
    page.select_option("#new-status", "meeting_arranged")
    page.click("form[action$='/status'] button")
    expect(page.locator(".facts .status").first).to_have_text(render_text("code_meeting_arranged", "en"))
    page.screenshot(path=shots / "console-referral.png", full_page=True)
    young.close()
    coordinator.close()


def test_the_browser_is_refused_a_wrong_code_a_page_above_its_role_a_missing_token_and_old_cookies(
    assistant: Assistant, console: Console, chromium: Browser, shots: Path
) -> None:
    username, password, secret = console.account("coordinator-refusals")
    context = laptop(chromium)
    page = context.new_page()
    page.goto(console.url + "/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.fill("#code", "000000")
    page.click("main button[type=submit]")
    expect(page.locator("#error")).to_have_text(render_text("console_wrong_code", "en"))
    page.screenshot(path=shots / "console-sign-in.png", full_page=True)
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")

    page.goto(console.url + "/erasure")  # a manager's page
    expect(page.locator(".notice")).to_have_text(render_text("console_not_allowed", "en"))

    page.goto(console.url + "/")
    page.locator("header form input[name=csrf_token]").evaluate("input => input.remove()")
    page.click("header form button")  # sign out, without its token
    expect(page.locator(".notice")).to_have_text(render_text("console_expired", "en"))

    old = [c for c in context.cookies() if c["name"] == "iv_console"]
    page.goto(console.url + "/")
    page.click("header form button")  # signed out properly
    replay = laptop(chromium)
    replay.add_cookies(old)
    again = replay.new_page()
    again.goto(console.url + "/")
    expect(again.locator("#username")).to_be_visible()  # the old cookie opens nothing

    forged = phone(chromium)
    forged.add_cookies([{"name": "iv_chat", "value": "made-up.0123456789abcdef0123456789abcdef",
                         "url": assistant.url + "/webhooks/webchat/"}])  # fmt: skip
    chat = forged.new_page()
    chat.goto(assistant.url + "/webhooks/webchat/?lang=en")
    chat.locator("#log li.us").first.wait_for(timeout=30_000)  # a new conversation, not the forged one
    forged_cookie = [c["value"] for c in forged.cookies() if c["name"] == "iv_chat"]
    assert forged_cookie and not forged_cookie[0].startswith("made-up")
    for c in (context, replay, forged):
        c.close()
