"""MFA tokens: the short-lived proof of a password that the second step of a login needs.

Signed like access tokens but with their own audience and type, so neither is ever
taken for the other; each dies after a success or a few wrong codes.
"""

import uuid
from dataclasses import dataclass, field

import jwt
from fastapi import status
from fastapi.responses import JSONResponse

TOKEN_TYPE = "mfa"
REQUIRED_CLAIMS = ("sub", "exp", "iat", "jti", "iss", "aud", "type")
SWEEP_THRESHOLD = 10_000
# Expiry is checked against the caller's clock instead, so tests can move it.
DECODE_OPTIONS: jwt.types.Options = {
    "require": list(REQUIRED_CLAIMS),
    "verify_exp": False,
    "verify_iat": False,
}


class InvalidMfaTokenError(Exception):
    """The MFA token is malformed, forged, expired, spent or not an MFA token."""


@dataclass(frozen=True)
class MfaClaim:
    """What a valid MFA token says: whose password was proven, and which token it is."""

    user_id: uuid.UUID
    token_id: str
    expires_at: float


@dataclass(kw_only=True)
class MfaTokens:
    """Issues and checks MFA tokens, and counts the wrong codes given with each."""

    secret: str
    algorithm: str
    issuer: str
    audience: str
    lifetime_seconds: int
    max_attempts: int
    # Token id -> (wrong codes so far, expiry). In this process, like the login throttle.
    _attempts: dict[str, tuple[int, float]] = field(default_factory=dict)

    def issue(self, user_id: uuid.UUID, *, now: float) -> str:
        """Sign an MFA token for a user whose password was just checked, at `now` (epoch s)."""
        claims = {
            "sub": str(user_id),
            "iat": int(now),
            "exp": int(now) + self.lifetime_seconds,
            "jti": uuid.uuid4().hex,
            "iss": self.issuer,
            "aud": self.audience,
            "type": TOKEN_TYPE,
        }
        return jwt.encode(claims, self.secret, algorithm=self.algorithm)

    def verify(self, token: str, *, now: float) -> MfaClaim:
        """Check a token at `now` (epoch seconds) and return its claim.

        Raises:
            InvalidMfaTokenError: If it is not a live MFA token of this service.
        """
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options=DECODE_OPTIONS,
            )
            claim = MfaClaim(uuid.UUID(claims["sub"]), str(claims["jti"]), float(claims["exp"]))
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidMfaTokenError(str(error)) from error
        if claims["type"] != TOKEN_TYPE:
            raise InvalidMfaTokenError("not an MFA token")
        if claim.expires_at <= now:
            raise InvalidMfaTokenError("expired")
        if self._attempts.get(claim.token_id, (0, 0.0))[0] >= self.max_attempts:
            raise InvalidMfaTokenError("spent")
        return claim

    def record_failure(self, claim: MfaClaim, *, now: float) -> None:
        """Count a wrong code given with the token; at `max_attempts` it is dead."""
        self._sweep(now)
        failures, _ = self._attempts.get(claim.token_id, (0, claim.expires_at))
        self._attempts[claim.token_id] = (failures + 1, claim.expires_at)

    def spend(self, claim: MfaClaim, *, now: float) -> None:
        """Kill the token after its successful use: it opens one session only."""
        self._sweep(now)
        self._attempts[claim.token_id] = (self.max_attempts, claim.expires_at)

    def _sweep(self, now: float) -> None:
        # Expired tokens are refused anyway: forget them, so memory stays bounded.
        if len(self._attempts) < SWEEP_THRESHOLD:
            return
        for token_id, (_, expires_at) in list(self._attempts.items()):
            if expires_at <= now:
                del self._attempts[token_id]


class MfaRequiredError(Exception):
    """The password was right, but the user has two-factor on: the login needs a code."""

    def __init__(self, mfa_token: str) -> None:
        """Carry the MFA token that the second step takes."""
        super().__init__("mfa_required")
        self.mfa_token = mfa_token

    def response(self) -> JSONResponse:
        """Answer 403 in the shape hosted identity providers use, never cached."""
        body = {
            "error": "mfa_required",
            "error_description": "Two-factor login: post mfa_token and a code to /auth/2fa/verify",
            "mfa_token": self.mfa_token,
        }
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        return JSONResponse(body, status_code=status.HTTP_403_FORBIDDEN, headers=headers)
