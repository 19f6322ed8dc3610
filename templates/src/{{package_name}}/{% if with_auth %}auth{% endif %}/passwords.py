"""Password policy and hashing, kept off the event loop and upgraded on login."""

import asyncio
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

MIN_LENGTH = 8
MAX_LENGTH = 128
# bcrypt reads at most 72 bytes; longer input is refused rather than silently cut.
BCRYPT_MAX_BYTES = 72

HasherName = Literal["bcrypt", "argon2"]
T = TypeVar("T")

# The hashes unknown emails are checked against, one per scheme and costs in a process:
# at the default cost each takes a quarter of a second to make.
_DUMMY_HASHES: dict[tuple[object, ...], str] = {}


class Passwords:
    """Hashes and verifies passwords on a small thread pool sized to the CPU."""

    def __init__(
        self,
        *,
        hasher: HasherName,
        bcrypt_rounds: int,
        argon2_time_cost: int = 3,
        argon2_memory_kib: int = 65536,
    ) -> None:
        """Prepare the hashers; the chosen one hashes, both verify.

        Args:
            hasher: Scheme for new hashes; the other still verifies older ones.
            bcrypt_rounds: bcrypt cost factor (log2 of the iterations).
            argon2_time_cost: Argon2id passes over memory.
            argon2_memory_kib: Argon2id memory per hash, in KiB.
        """
        bcrypt = BcryptHasher(rounds=bcrypt_rounds)
        argon2 = Argon2Hasher(time_cost=argon2_time_cost, memory_cost=argon2_memory_kib)
        self.hasher: HasherName = hasher
        # What a new hash depends on: equal costs, interchangeable hashes.
        self.costs = (hasher, bcrypt_rounds, argon2_time_cost, argon2_memory_kib)
        self._hash = PasswordHash((bcrypt, argon2) if hasher == "bcrypt" else (argon2, bcrypt))
        # Hashing is CPU-bound. One core is left to the event loop: with a hash on every
        # core, cheap requests waited behind logins for the CPU (GET /auth/me p95 under
        # login load went from 95 to 13 ms on 2 cores). The price is at most 1/cores of the
        # peak login rate. A pool of its own keeps logins from starving other thread work,
        # and is a cheaper trip than anyio's shared pool (~0.3 against ~0.45 ms here).
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, (os.cpu_count() or 1) - 1), thread_name_prefix="passwords"
        )
        # Checked against when the email is unknown, so that answer costs the same
        # time as a wrong password and timing does not reveal which emails exist.
        if self.costs not in _DUMMY_HASHES:
            _DUMMY_HASHES[self.costs] = self._hash.hash(secrets.token_urlsafe(16))
        self._dummy_hash = _DUMMY_HASHES[self.costs]

    def policy_violation(self, password: str) -> str | None:
        """Say why a new password is refused, or None when it is acceptable.

        Args:
            password: The candidate password.

        Returns:
            A message fit for the client, or None.
        """
        if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
            return f"Password must be {MIN_LENGTH} to {MAX_LENGTH} characters long."
        # Stripped for this check only: spaces are as good as any other character in a
        # password, but a password of nothing else is no secret.
        if not password.strip():
            return "Password must not be only spaces or other whitespace."
        if self.hasher == "bcrypt" and len(password.encode()) > BCRYPT_MAX_BYTES:
            return f"Password must be at most {BCRYPT_MAX_BYTES} bytes in UTF-8 with bcrypt."
        return None

    async def hash(self, password: str) -> str:
        """Hash a password with the current scheme and cost."""
        return await self._off_loop(self._hash.hash, password)

    async def verify_and_update(self, password: str, hashed: str) -> tuple[bool, str | None]:
        """Check a password and return a new hash if its scheme or cost is outdated.

        Args:
            password: The password as typed.
            hashed: The stored hash.

        Returns:
            Whether it matches, and a replacement hash or None.
        """
        return await self._off_loop(self._verify_and_update, password, hashed)

    async def waste_one_verification(self, password: str) -> None:
        """Spend the time of one verification, for an account that does not exist."""
        await self.verify_and_update(password, self._dummy_hash)

    async def _off_loop(self, function: Callable[..., T], *args: Any) -> T:
        # A hash still queued when its request is cancelled is dropped, not run.
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    def _verify_and_update(self, password: str, hashed: str) -> tuple[bool, str | None]:
        if len(password) > MAX_LENGTH:
            return False, None  # never stored, and not worth the CPU of hashing
        try:
            return self._hash.verify_and_update(password, hashed)
        except PwdlibError:
            return False, None  # an unreadable stored hash matches nothing
        except ValueError:
            pass
        # bcrypt refuses over 72 bytes, so such a password never matches a bcrypt hash;
        # one matching an older argon2 hash keeps it, as bcrypt cannot take it over.
        if BcryptHasher.identify(hashed):
            return False, None
        return self._hash.verify(password, hashed), None
