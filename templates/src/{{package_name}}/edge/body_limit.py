"""The request body size limit, as a pure ASGI middleware that never buffers a body."""

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "Request body too large"
_TOO_LARGE_BODY = json.dumps({"detail": TOO_LARGE}).encode()


class BodyTooLargeError(HTTPException):
    """Raised from `receive` once a streamed body passes the limit.

    An HTTPException, so that FastAPI passes it on from its body parsing and the app's
    own handler answers 413 in its usual shape.
    """

    def __init__(self) -> None:
        """A 413 with the limit's message."""
        super().__init__(status_code=413, detail=TOO_LARGE)


class BodyLimitMiddleware:
    """Answer 413 to request bodies larger than `max_bytes`, without reading them.

    A `Content-Length` over the limit is refused before the application runs; a body
    without one (chunked) is counted as the application reads it, and cut off as soon
    as it passes the limit. Either way at most `max_bytes` are ever held.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        """Wrap `app` with a limit of `max_bytes`."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, or answer 413 for a body over the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared_length(scope) > self.max_bytes:
            await _answer_too_large(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLargeError
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLargeError:
            if started:
                raise
            await _answer_too_large(send)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-length":
                # The server has already refused a malformed length with 400.
                return int(value) if value.isdigit() else 0
        return 0


async def _answer_too_large(send: Send) -> None:
    # Uvicorn discards the unread rest of the body and keeps the connection usable.
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_TOO_LARGE_BODY)).encode()),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": _TOO_LARGE_BODY})
