"""Security headers on every response, as a pure ASGI middleware (no per-request objects)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Two years, as hstspreload.org asks; subdomains are left to their own policy.
HSTS = (b"strict-transport-security", b"max-age=63072000")
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
# Set only when the application did not choose its own (e.g. the HTML docs pages).
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# Answers carry tokens and personal data; RFC 6749 §5.1 asks both of token answers.
NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response.

    `Cache-Control: no-store` (with `Pragma: no-cache`) and the API's
    `Content-Security-Policy` are defaults: a route that sets its own keeps it.
    """

    def __init__(self, app: ASGIApp, *, https_only: bool = False) -> None:
        """Wrap `app`; with `https_only`, also send Strict-Transport-Security."""
        self.app = app
        always = [*ALWAYS, HSTS] if https_only else list(ALWAYS)
        # The four lists a response can need, built once rather than per response.
        self.added = {
            (False, False): [*always, API_CSP, *NO_STORE],
            (True, False): [*always, *NO_STORE],
            (False, True): [*always, API_CSP],
            (True, True): always,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, adding the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._with_headers(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _with_headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        # ASGI response header names are lower case: no need to fold them here.
        names = [name for name, _ in headers]
        own_policy = b"content-security-policy" in names
        own_cache = b"cache-control" in names
        return [*headers, *self.added[own_policy, own_cache]]
