"""Hash stand-ins that block, like a real hash, until the test lets them finish."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pwdlib import PasswordHash

# Long enough for any machine, short enough that a test which never opens the gate
# still ends.
LONGEST_WAIT_SECONDS = 5


class HashGate:
    """Makes a hasher's `hash` and `verify_and_update` wait on a gate, then run."""

    def __init__(self, hasher: PasswordHash, monkeypatch: pytest.MonkeyPatch) -> None:
        """Put the gate in front of both methods of `hasher`."""
        self._started = threading.Event()
        self._open = threading.Event()
        self.timed_out = False  # a hash gave up waiting: nothing opened the gate in time
        self.started: list[str] = []  # the password of each call that reached the gate
        for method in ("hash", "verify_and_update"):
            monkeypatch.setattr(hasher, method, self._gated(getattr(hasher, method)))

    async def hashing(self) -> None:
        """Return once a hash has started (and is now held at the gate)."""
        await asyncio.to_thread(self._started.wait, LONGEST_WAIT_SECONDS)
        assert self._started.is_set(), "no hash started"

    def open(self) -> None:
        """Let the held hash, and every later one, run."""
        self._open.set()

    def _gated(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def gated(password: str, *args: Any) -> Any:
            self.started.append(password)
            self._started.set()
            # Blocking and GIL-releasing, like a real hash. A hash run on the event loop
            # would block the test itself here, until this wait timed out.
            if not self._open.wait(LONGEST_WAIT_SECONDS):
                self.timed_out = True
            return real(password, *args)

        return gated
