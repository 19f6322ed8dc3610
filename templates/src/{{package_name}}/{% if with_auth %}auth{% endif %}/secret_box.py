"""Encryption at rest of two-factor secrets, with keys that can be rotated."""

import base64
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class UndecryptableError(Exception):
    """A stored secret was encrypted with none of the configured keys."""


def derived_key(signing_key: str) -> str:
    """Derive a Fernet key from the JWT signing key, used when no key of its own is set."""
    digest = hmac.new(signing_key.encode(), b"two-factor-secrets", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()


def parse_keys(value: str) -> list[str]:
    """Split a comma-separated list of Fernet keys, checking each.

    Raises:
        ValueError: If a key is not a Fernet key (32 url-safe base64-encoded bytes).
    """
    keys = [key.strip() for key in value.split(",") if key.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError as error:
            raise ValueError(f"key {position} is not a Fernet key") from error
    return keys


@dataclass(frozen=True)
class SecretBox:
    """Encrypts with the first key; decrypts with any, so keys rotate without downtime."""

    fernet: MultiFernet

    @classmethod
    def from_keys(cls, keys: list[str], *, fallback: str) -> "SecretBox":
        """Build from the configured keys, newest first; `fallback` is always tried last.

        The fallback (the key derived from the JWT signing key) stays readable, so a
        project that starts setting keys of its own keeps its stored secrets.
        """
        ordered = [*keys, fallback] if fallback not in keys else keys
        return cls(MultiFernet([Fernet(key) for key in ordered]))

    def encrypt(self, plaintext: str) -> str:
        """Encrypt with the newest key."""
        return self.fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """Decrypt with whichever key it was encrypted with.

        Raises:
            UndecryptableError: If no configured key opens it.
        """
        try:
            return self.fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as error:
            raise UndecryptableError("no configured key decrypts this secret") from error

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the newest key.

        Raises:
            UndecryptableError: If no configured key opens it.
        """
        try:
            return self.fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken as error:
            raise UndecryptableError("no configured key decrypts this secret") from error
