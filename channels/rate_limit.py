"""A per-sender sliding window, so one sender can't flood the assistant (or run
up an SMS bill). In memory, per process: good enough for abuse, not an exact
quota across machines."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._warned: dict[str, float] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        hits = self._hits[key]
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def should_warn(self, key: str) -> bool:
        """Only one "slow down" message per window, not one per dropped message."""
        now = self.clock()
        if now - self._warned.get(key, float("-inf")) >= self.window:
            self._warned[key] = now
            return True
        return False
