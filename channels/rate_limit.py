"""Per-conversation sliding windows, so one sender can't flood the assistant,
the coordinators or an SMS bill.

Shared by every Rasa process through Redis when ``IV_REDIS_HOST`` is set
(the lock store's Redis), else in this process's memory; either way a
sender is forgotten once their window has passed.

Nothing bypasses the limit, a disclosure included: a flood of 30
disclosures once sent 32 SMS and 29 relays to every coordinator. But a
*first* disclosure in a window always gets through, however many messages
came before it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

logger = logging.getLogger(__name__)
KEY_PREFIX = "iv:rate:"


class HitCounter(Protocol):
    def hit(self, key: str, window: float) -> int:
        """Counts a hit now; returns the hits within the last ``window`` seconds, this one included."""
        ...


class MemoryCounter:
    """One process's windows, forgotten when they pass."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._last_sweep = clock()

    def hit(self, key: str, window: float) -> int:
        now = self.clock()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= window:
            hits.popleft()
        hits.append(now)
        if now - self._last_sweep >= window:
            self._sweep(now, window)
        return len(hits)

    def _sweep(self, now: float, window: float) -> None:
        self._last_sweep = now
        for key in [k for k, h in self._hits.items() if not h or now - h[-1] >= window]:
            del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)


class RedisCounter:
    """Windows in Redis sorted sets, shared by every replica, each expiring with its window."""

    def __init__(self, redis: Any, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.clock = clock

    def hit(self, key: str, window: float) -> int:
        now = self.clock()
        name = KEY_PREFIX + key
        pipe = self.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(name, "-inf", now - window)
        pipe.zadd(name, {f"{now}:{uuid.uuid4().hex[:8]}": now})
        pipe.zcard(name)
        pipe.expire(name, max(1, int(window) + 1))
        return int(pipe.execute()[2])


def counter_from_settings(
    redis_host: str | None, redis_port: int = 6379, redis_password: str | None = None
) -> HitCounter:
    if not redis_host:
        return MemoryCounter()
    import redis

    return RedisCounter(
        redis.Redis(
            host=redis_host,
            port=redis_port,
            password=redis_password,
            socket_timeout=1,
            socket_connect_timeout=1,
        )
    )


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float, counter: HitCounter | None = None) -> None:
        self.limit = limit
        self.window = window_seconds
        self.counter = counter if counter is not None else MemoryCounter()

    def _hits(self, key: str) -> int:
        """Hits in the window; 1 if the shared counter can't be reached: a
        limit that fails open loses no young person's message."""
        try:
            return self.counter.hit(key, self.window)
        except Exception:  # Redis down, wrong password, timeout
            logger.exception("rate limit counter unavailable; letting the message through")
            return 1

    def allow(self, key: str, disclosure: bool | Callable[[], bool] = False) -> bool:
        """Within the limit; or over it, a first disclosure in the window.
        ``disclosure`` may be a check, run only over the limit (the detector
        also runs inside the turn: once is enough for a message under it)."""
        if self._hits(f"messages:{key}") <= self.limit:
            return True
        is_disclosure = disclosure() if callable(disclosure) else disclosure
        return is_disclosure and self._hits(f"disclosures:{key}") == 1

    def should_warn(self, key: str) -> bool:
        """Only one "slow down" message per window, not one per dropped message."""
        return self._hits(f"warned:{key}") == 1

    def once_per_window(self, what: str, key: str) -> bool:
        """True the first time ``what`` happens for ``key`` in a window
        (the helplines sent again, say)."""
        return self._hits(f"{what}:{key}") == 1
