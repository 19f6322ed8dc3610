"""Price the security headers per `/health` request, in process (run in the project's venv).

Prints `MICRO_US <us>`: SecurityHeadersMiddleware alone around a trivial ASGI app; then
`FULL_US <with> <without>`: one `GET /health` through uvicorn's own HTTP protocol
(httptools, a stand-in transport: no sockets) into the app as generated and into the
app without the middleware, which also prices uvicorn writing the extra headers; then
`BLOCK_RATIO <median> <q1> <q3>`: the same comparison as the median and quartiles of
with ÷ without over the pairs of alternating blocks.
Each figure is the best of several repeats of CPU time (not wall time), the least
disturbed by other processes on a shared machine. Run from the project directory.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from importlib import import_module
from pathlib import Path
from typing import Any

REQUESTS = 20_000
REPEATS = 9
# Requests per block, and blocks per app, of the interleaved comparison.
BLOCK = 50
BLOCKS = 400
SCOPE: dict[str, Any] = {"type": "http", "method": "GET", "path": "/health", "headers": []}
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-length", b"15"), (b"content-type", b"application/json")],
}
BODY = {"type": "http.response.body", "body": b'{"status":"ok"}'}
REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


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


class Transport(asyncio.Transport):
    """Collects what uvicorn writes; wakes the caller when an answer's body is out."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: asyncio.Event = asyncio.Event()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def write(self, data: Any) -> None:
        if bytes(data).endswith(b"}"):
            self.answered.set()

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class Connection:
    """One kept-alive HTTP/1.1 connection into `app` through uvicorn's own protocol."""

    def __init__(self, app: Any) -> None:
        from uvicorn.config import Config
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
        from uvicorn.server import ServerState

        config = Config(app=app, server_header=False, log_level="warning", lifespan="off")
        self.protocol = HttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
        self.transport = Transport()
        self.protocol.connection_made(self.transport)

    async def cpu_seconds(self, requests: int) -> float:
        """CPU time of `requests` GET /health, one after the other."""
        began = time.process_time()
        for _ in range(requests):
            self.transport.answered.clear()
            self.protocol.data_received(REQUEST)
            await self.transport.answered.wait()
        return time.process_time() - began


async def interleaved_seconds(apps: dict[str, Any]) -> dict[str, list[float]]:
    """CPU seconds of each block of BLOCK requests, per app, blocks alternating.

    This machine's speed drifts by tens of percent over seconds; blocks of a few
    milliseconds, each app in turn (the order flipped every block), see the same drift.
    """
    connections = {name: Connection(app) for name, app in apps.items()}
    for connection in connections.values():  # warm-up
        await connection.cpu_seconds(BLOCK)
    blocks: dict[str, list[float]] = {name: [] for name in apps}
    order = list(apps)
    for _ in range(BLOCKS):
        for name in order:
            blocks[name].append(await connections[name].cpu_seconds(BLOCK))
        order.reverse()
    for connection in connections.values():
        connection.protocol.connection_lost(None)
    return blocks


async def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    factories = import_module("edge_factories")
    headers = import_module(f"{os.environ['BENCH_PACKAGE']}.edge.headers")
    wrapped = headers.SecurityHeadersMiddleware(trivial, https_only=True)
    print(f"MICRO_US {await best_us(wrapped) - await best_us(trivial):.2f}")
    with_headers = factories.as_generated()
    without = factories.without_security_headers()
    async with (
        with_headers.router.lifespan_context(with_headers),
        without.router.lifespan_context(without),
    ):
        blocks = await interleaved_seconds({"with": with_headers, "without": without})
    with_us, without_us = (
        sum(blocks[name]) / (BLOCKS * BLOCK) * 1e6 for name in ("with", "without")
    )
    print(f"FULL_US {with_us:.2f} {without_us:.2f}")
    # The median pair of blocks is steadier than the ratio of the sums, which one
    # disturbed block can move by a few percent.
    ratios = [a / b for a, b in zip(blocks["with"], blocks["without"], strict=True)]
    quartiles = statistics.quantiles(ratios, n=4)
    print(f"BLOCK_RATIO {quartiles[1]:.4f} {quartiles[0]:.4f} {quartiles[2]:.4f}")


if __name__ == "__main__":
    asyncio.run(main())
