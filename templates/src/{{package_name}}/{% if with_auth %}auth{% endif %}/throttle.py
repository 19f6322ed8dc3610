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
    """Counts failed logins; a shared store (e.g. Redis) can implement it for many workers."""

    async def retry_after(self, key: str) -> int | None:
        """Seconds the key must wait before trying again, or None if it may try now."""

    async def record_failure(self, key: str) -> None:
        """Count one failed attempt for the key."""

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

    async def retry_after(self, key: str) -> int | None:
        """Seconds until the oldest counted failure leaves the window, or None."""
        failures = self._failures.get(key)
        if failures is None or len(self._expire(failures)) < self._max_failures:
            return None
        return max(1, math.ceil(failures[0] + self._window - self._clock()))

    async def record_failure(self, key: str) -> None:
        """Count one failed attempt for the key."""
        if len(self._failures) >= SWEEP_THRESHOLD:
            self._sweep()
        self._expire(self._failures.setdefault(key, deque())).append(self._clock())

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

    async def retry_after(self, key: str) -> int | None:
        """Never ask to wait."""
        return None

    async def record_failure(self, key: str) -> None:
        """Count nothing."""

    async def reset(self, key: str) -> None:
        """Forget nothing."""
