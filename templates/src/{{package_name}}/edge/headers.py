"""Security headers on every response, as a pure ASGI middleware (no per-request objects)."""

from collections.abc import Iterable

from starlette import status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Two years, as hstspreload.org asks; subdomains are left to their own policy.
HSTS = (b"strict-transport-security", b"max-age=63072000")
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
# Set only when the application did not choose its own (e.g. the HTML docs pages). Its
# `frame-ancestors` is what every current browser obeys in place of X-Frame-Options.
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# Answers carry tokens and personal data. Pragma, an HTTP/1.0 relic that RFC 6749 §5.1
# still asks of token answers, goes on those alone: each header costs every answer ~1 us.
NO_STORE = (b"cache-control", b"no-store")
PRAGMA = (b"pragma", b"no-cache")


def added_headers(
    *, https_only: bool, own_policy: bool = False, own_cache: bool = False, token_path: bool = False
) -> list[tuple[bytes, bytes]]:
    """The headers an answer gets, given the policies it set itself and where it goes."""
    return [
        *ALWAYS,
        *([HSTS] if https_only else []),
        *([] if own_policy else [API_CSP]),
        *([] if own_cache else [NO_STORE, *([PRAGMA] if token_path else [])]),
    ]


def error_headers(*, https_only: bool) -> dict[str, str]:
    """The headers of a 500 answered outside this middleware (see `install_edge`)."""
    return {name.decode(): value.decode() for name, value in added_headers(https_only=https_only)}


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response, and drop a 204's Content-Type.

    `Cache-Control: no-store` and the API's `Content-Security-Policy` are defaults: a
    route that sets its own keeps it. Answers on `token_paths` also get `Pragma:
    no-cache` with the default `no-store`, errors of the token endpoint included.
    """

    def __init__(
        self, app: ASGIApp, *, https_only: bool = False, token_paths: Iterable[str] = ()
    ) -> None:
        """Wrap `app`; with `https_only`, also send Strict-Transport-Security."""
        self.app = app
        self.token_paths = frozenset(token_paths)
        # The lists a response can need, by (own policy, own cache policy, token path),
        # built once rather than per response.
        self.added = {
            (own_policy, own_cache, token_path): added_headers(
                https_only=https_only,
                own_policy=own_policy,
                own_cache=own_cache,
                token_path=token_path,
            )
            for own_policy in (False, True)
            for own_cache in (False, True)
            for token_path in (False, True)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, adding the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self.added
        token_path = scope["path"] in self.token_paths

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if message["status"] == status.HTTP_204_NO_CONTENT:
                    # A route declared with status_code=204 answers through the
                    # default JSONResponse, whose type describes a body 204 never has.
                    headers = [(name, value) for name, value in headers if name != b"content-type"]
                # ASGI response header names are lower case: no need to fold them here.
                own_policy = own_cache = False
                for name, _ in headers:
                    if name == b"cache-control":
                        own_cache = True
                    elif name == b"content-security-policy":
                        own_policy = True
                message["headers"] = [*headers, *added[own_policy, own_cache, token_path]]
            await send(message)

        await self.app(scope, receive, send_with_headers)
