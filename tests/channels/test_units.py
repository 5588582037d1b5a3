"""Small pieces of the connectors, without a server."""

from __future__ import annotations

from twilio.request_validator import RequestValidator

from channels.rate_limit import RateLimiter
from channels.sms.keywords import keyword
from channels.telegram.connector import start_command_text


def test_twilios_published_signature_example_validates() -> None:
    validator = RequestValidator("12345")
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert validator.validate(url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not validator.validate(url, {**params, "Digits": "1235"}, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


def test_stop_start_help_in_both_languages() -> None:
    assert keyword("STOP").action == "stop"  # type: ignore[union-attr]
    assert keyword("stopio").language == "cy"  # type: ignore[union-attr]
    assert keyword("Dechrau").action == "start"  # type: ignore[union-attr]
    assert keyword("cymorth").action == "help"  # type: ignore[union-attr]
    assert keyword("please stop it") is None  # a sentence is a message, not a keyword


def test_rate_limiter_allows_the_limit_per_window_and_warns_once() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=3, window_seconds=60, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    assert limiter.should_warn("a") and not limiter.should_warn("a")
    now[0] = 61
    assert limiter.allow("a") and limiter.should_warn("a")


def test_start_commands_and_deep_links() -> None:
    assert start_command_text("/start") == "/greet"
    assert start_command_text("/start cy") == '/choose_language{"language":"cy"}'
    assert start_command_text("/start@IVbot en") == '/choose_language{"language":"en"}'
    assert start_command_text("hello") is None
