"""Error answers of the auth routes, raised and documented in one place."""

from typing import Any

from fastapi import HTTPException, status
from pydantic import BaseModel


class ErrorBody(BaseModel):
    """Body of every error answer other than a validation error."""

    detail: str


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


_DOCS: dict[int, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: {"description": "Current password is wrong"},
    status.HTTP_401_UNAUTHORIZED: {
        "description": "Missing, invalid or expired credentials",
        "headers": {"WWW-Authenticate": _header("Always `Bearer`")},
    },
    status.HTTP_403_FORBIDDEN: {"description": "Not allowed for this user or setting"},
    status.HTTP_404_NOT_FOUND: {"description": "No such user or session"},
    status.HTTP_409_CONFLICT: {"description": "Email already registered"},
    status.HTTP_429_TOO_MANY_REQUESTS: {
        "description": "Too many failed logins for this email from this address",
        "headers": {"Retry-After": _header("Seconds to wait")},
    },
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Build the `responses=` argument of a route documenting these error codes."""
    return {code: {"model": ErrorBody, **_DOCS[code]} for code in codes}


def unauthorized(detail: str = "Could not validate credentials") -> HTTPException:
    """Build a 401 that tells the client to authenticate with a bearer token."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def email_taken() -> HTTPException:
    """Build the 409 for an email that belongs to another account."""
    return HTTPException(status.HTTP_409_CONFLICT, "Email already registered")
