"""Settings of the HTTP edge: browser origins, security headers, request size."""

import json
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode

from .origins import ANY_ORIGIN, parse_origin, split_origins

MIB = 1024 * 1024


class EdgeSettings(BaseSettings):
    """The edge's part of the settings; `Settings` inherits it."""

    # Origins of browser apps allowed to call the API (CORS), comma-separated in the
    # environment; empty: no cross-origin browser access, nothing changes for others.
    cors_allow_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # Whether listed origins may send credentials (cookies); never with `*`.
    cors_allow_credentials: bool = True
    # Served to browsers over HTTPS only (behind TLS): send Strict-Transport-Security.
    https_only: bool = False
    # Larger bodies get 413 before they are read; raise it per router for uploads.
    max_request_body_bytes: int = Field(default=MIB, ge=0)

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Read `a, b` (or a JSON list) from the environment."""
        if not isinstance(value, str):
            return value
        return json.loads(value) if value.lstrip().startswith("[") else split_origins(value)

    @field_validator("cors_allow_origins")
    @classmethod
    def _normalize_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        """Store origins as browsers send them, so matching them is a plain comparison."""
        try:
            return tuple(parse_origin(origin) for origin in origins)
        except ValueError as error:
            raise ValueError(f"CORS_ALLOW_ORIGINS: {error}") from None

    @model_validator(mode="after")
    def _refuse_any_origin_with_credentials(self) -> Self:
        """Refuse to start when any website could act with a user's credentials."""
        if ANY_ORIGIN in self.cors_allow_origins and self.cors_allow_credentials:
            raise ValueError(
                "CORS_ALLOW_ORIGINS='*' cannot be combined with CORS_ALLOW_CREDENTIALS=true: "
                "list the origins, or set CORS_ALLOW_CREDENTIALS=false"
            )
        return self
