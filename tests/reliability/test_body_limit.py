"""A 100 MB body is refused with 413 by a real server, which does not grow in memory."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from reliability_server import Server, register, request, rss_bytes, send_large_body

pytestmark = pytest.mark.slow

HUNDRED_MB = 100 * 1024 * 1024
# Far below the 100 MB a buffered body would add; allows for allocator noise.
MAX_GROWTH = 16 * 1024 * 1024


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_100_mb_body_is_413_and_never_held(
    start_server: Callable[..., Server], *, chunked: bool
) -> None:
    server = start_server()
    assert server.proc is not None
    # Warm up: the first requests import and allocate what every later one reuses.
    register(server, "warm@example.com", "warm-up-pass-1")
    send_large_body(server, "/auth/register", size=2 * 1024 * 1024, chunked=chunked)
    before = rss_bytes(server.proc.pid)

    reply = send_large_body(server, "/auth/register", size=HUNDRED_MB, chunked=chunked)

    after = rss_bytes(server.proc.pid)
    assert reply.status == 413, reply.body
    assert json.loads(reply.body) == {"detail": "Request body too large"}
    assert after - before < MAX_GROWTH, f"RSS {before >> 20} -> {after >> 20} MiB"
    assert request(server, "GET", "/health").status == 200
