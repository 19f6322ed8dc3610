"""Opaque refresh tokens: making, parsing and hashing them, and deriving each successor."""

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

SECRET_BYTES = 32  # 256 bits
# `<session id as 32 hex digits>.<43 base64url characters>`; anything else is refused
# before it reaches the database.
_SHAPE = re.compile(r"([0-9a-f]{32})\.([A-Za-z0-9_-]{43})")
# Past this many rotations, an unrecognized secret is not walked back further.
MAX_CHAIN = 20_000


@dataclass(frozen=True)
class RefreshToken:
    """A refresh token split into its session id and its secret."""

    session_id: uuid.UUID
    secret: str

    def __str__(self) -> str:
        """Encode the token as the client receives it."""
        return f"{self.session_id.hex}.{self.secret}"


def parse(token: str) -> RefreshToken | None:
    """Split a token into session id and secret, or return None if it is malformed."""
    if (match := _SHAPE.fullmatch(token)) is None:
        return None
    return RefreshToken(uuid.UUID(hex=match[1]), match[2])


def new_secret() -> str:
    """Return a fresh random secret of 256 bits."""
    return base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).rstrip(b"=").decode()


def digest(secret: str) -> str:
    """Hash a secret for storage; a fast hash suffices for 256 random bits."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Rotator:
    """Derives each refresh token's successor with a server key.

    The successor of a secret is a keyed hash of it, not a new random value: two
    requests that present the same token (two tabs, a retried request) get the same
    successor, so a rotation never leaves two live tokens, and a token presented late
    can be recognized as an ancestor of the current one by walking the chain forward.
    """

    key: bytes

    @classmethod
    def from_signing_key(cls, signing_key: str) -> "Rotator":
        """Derive the rotation key from the JWT signing key, so there is one secret to keep."""
        return cls(hmac.new(signing_key.encode(), b"refresh-token-rotation", "sha256").digest())

    def successor(self, token: RefreshToken) -> RefreshToken:
        """Return the token that replaces `token` when it is used."""
        mac = hmac.new(self.key, token.session_id.bytes + token.secret.encode(), "sha256")
        secret = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
        return RefreshToken(token.session_id, secret)

    def is_ancestor(self, token: RefreshToken, *, current_hash: str, rotations: int) -> bool:
        """Say whether rotating `token` at most `rotations` times gives the current one."""
        for _ in range(min(rotations, MAX_CHAIN)):
            token = self.successor(token)
            if hmac.compare_digest(digest(token.secret), current_hash):
                return True
        return False
