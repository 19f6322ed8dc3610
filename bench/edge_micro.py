"""Time SecurityHeadersMiddleware alone around a trivial ASGI app (run in the project's venv).

Prints one line: `MICRO_US <microseconds the middleware adds per request>`. The best of
several repeats of CPU time (not wall time), the least disturbed by other processes.
"""

from __future__ import annotations

import asyncio
import os
import time
from importlib import import_module
from typing import Any

REQUESTS = 20_000
REPEATS = 9
SCOPE: dict[str, Any] = {"type": "http", "method": "GET", "path": "/health", "headers": []}
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-length", b"15"), (b"content-type", b"application/json")],
}
BODY = {"type": "http.response.body", "body": b'{"status":"ok"}'}


async def trivial(scope: Any, receive: Any, send: Any) -> None:
    await send(dict(START))
    await send(BODY)


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def discard(message: Any) -> None:
    pass


async def best_us(app: Any) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        began = time.process_time()
        for _ in range(REQUESTS):
            await app(SCOPE, receive, discard)
        best = min(best, (time.process_time() - began) / REQUESTS)
    return best * 1e6


async def main() -> None:
    headers = import_module(f"{os.environ['BENCH_PACKAGE']}.edge.headers")
    wrapped = headers.SecurityHeadersMiddleware(trivial, https_only=True)
    print(f"MICRO_US {await best_us(wrapped) - await best_us(trivial):.2f}")


asyncio.run(main())
