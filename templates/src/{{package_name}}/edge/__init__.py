"""The HTTP edge: CORS for browser apps, security headers and the request size limit."""

from collections.abc import Iterable

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware

from .body_limit import BodyLimitMiddleware
from .headers import SecurityHeadersMiddleware, error_headers
from .settings import EdgeSettings

__all__ = ["EdgeSettings", "install_edge"]

# What a browser app needs beyond the CORS-safelisted ones: the bearer token.
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type"]
CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Headers a browser app may read on error answers (throttling, authentication).
CORS_EXPOSE_HEADERS = ["Retry-After", "WWW-Authenticate"]
# How long a browser may reuse a preflight answer (Chromium caps it at 2 hours).
CORS_MAX_AGE_SECONDS = 600


def install_edge(app: FastAPI, settings: EdgeSettings, *, token_paths: Iterable[str] = ()) -> None:
    """Add the edge's middleware to `app`; call it once, before the app starts.

    From the outside in: security headers on every answer (the 413 and CORS answers
    included, and the 500 of an unhandled error), CORS for the listed origins, then the
    body size limit.

    Args:
        app: The application.
        settings: The edge settings (the application's `Settings`).
        token_paths: Paths whose answers carry tokens (see SecurityHeadersMiddleware).
    """
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=CORS_ALLOW_METHODS,
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            max_age=CORS_MAX_AGE_SECONDS,
        )
    app.add_middleware(
        SecurityHeadersMiddleware, https_only=settings.https_only, token_paths=token_paths
    )
    # An unhandled error is answered by Starlette's outermost layer, outside every
    # middleware: the handler it calls gives that 500 the same headers.
    headers = error_headers(https_only=settings.https_only)

    async def internal_error(_request: Request, _error: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": "Internal Server Error"},
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            headers=headers,
        )

    app.add_exception_handler(Exception, internal_error)
