"""Failed-login throttling per (email, client address), behind a small interface."""

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

# Past this many tracked keys, expired ones are swept, so a flood of distinct
# emails cannot grow memory without bound.
SWEEP_THRESHOLD = 10_000


class LoginThrottle(Protocol):
    """Counts login attempts per key; `RedisThrottle` (redis component) shares the count.

    An attempt is counted before the password is checked and forgotten when it succeeds,
    in one step that also decides whether it may go ahead: concurrent attempts can then
    never slip past the limit between a check and a count.
    """

    async def attempt(self, key: str) -> int | None:
        """Count an attempt for the key, or return the seconds it must wait (not counted)."""

    async def reset(self, key: str) -> None:
        """Forget the key's failures, after a successful login."""


class MemoryThrottle:
    """Sliding-window throttle held in this process's memory."""

    def __init__(
        self,
        *,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Allow `max_failures` failures per key within any `window_seconds`."""
        self._max_failures = max_failures
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    async def attempt(self, key: str) -> int | None:
        """Count an attempt, or return the seconds until the oldest counted one expires."""
        if len(self._failures) >= SWEEP_THRESHOLD:
            self._sweep()
        failures = self._expire(self._failures.setdefault(key, deque()))
        if len(failures) >= self._max_failures:
            return max(1, math.ceil(failures[0] + self._window - self._clock()))
        failures.append(self._clock())
        return None

    async def reset(self, key: str) -> None:
        """Forget the key's failures."""
        self._failures.pop(key, None)

    def _expire(self, failures: deque[float]) -> deque[float]:
        horizon = self._clock() - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def _sweep(self) -> None:
        for key, failures in list(self._failures.items()):
            if not self._expire(failures):
                del self._failures[key]


class NoThrottle:
    """Throttle that never blocks, for `AUTH_THROTTLE_ENABLED=false`."""

    async def attempt(self, key: str) -> int | None:
        """Never ask to wait."""
        return None

    async def reset(self, key: str) -> None:
        """Forget nothing."""
