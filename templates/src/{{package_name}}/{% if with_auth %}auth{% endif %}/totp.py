"""Time-based one-time passwords (RFC 6238) and recovery codes: making and checking them."""

import hashlib
import secrets

import pyotp
import segno

DIGITS = 6
STEP_SECONDS = 30
# One step either way: a phone clock a little off, or a code typed as it changed.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 16 characters of base32: 80 random bits, beyond guessing and beyond brute-forcing a hash.
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_RECOVERY_LENGTH = 16


def new_secret() -> str:
    """Return a new random secret: 160 bits, base32, as authenticator apps expect."""
    return pyotp.random_base32()


def _totp(secret: str) -> pyotp.TOTP:
    # SHA-1, 6 digits, 30 s: the RFC's defaults, the only ones every app supports.
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """Return the `otpauth://` URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """Draw the URI as a QR code, an SVG document to show inline."""
    return str(segno.make(uri, error="m").svg_inline(scale=4))


def matching_step(secret: str, code: str, *, now: float) -> int | None:
    """Return the time step whose code this is, within the drift allowed, or None.

    The caller stores the step and refuses it and earlier ones afterwards: a code
    accepted once cannot be replayed (RFC 6238 section 5.2).
    """
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    try:
        return _totp(secret).verify_and_get_timecode(code, for_time=now, valid_window=DRIFT_STEPS)
    except pyotp.OTPVerificationError:
        return None


def code_at(secret: str, *, now: float) -> str:
    """Return the code an authenticator app shows at `now` (for tests and tools)."""
    return _totp(secret).at(now)


def new_recovery_codes() -> list[str]:
    """Return a new set of recovery codes, formatted `xxxx-xxxx-xxxx-xxxx`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def recovery_digest(code: str) -> str:
    """Hash a recovery code for storage, ignoring case, spaces and dashes.

    A fast hash suffices: the codes carry 80 random bits.
    """
    normalized = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalized.encode()).hexdigest()
