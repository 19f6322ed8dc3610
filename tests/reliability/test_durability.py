"""SIGKILL the server mid-burst: every registration answered 201 survives the restart."""

from __future__ import annotations

import http.client
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from reliability_server import Server, login, register, request

pytestmark = pytest.mark.slow

PASSWORD = "durable-pass-1"
CLIENTS = 8
MAX_PER_CLIENT = 400  # bound: the kill normally comes long before
KILL_AFTER_S = 2.0


def test_acknowledged_registrations_survive_sigkill(start_server: Callable[..., Server]) -> None:
    server = start_server()
    acknowledged: list[str] = []
    lock = threading.Lock()

    def burst(client: int) -> int:
        sent = 0
        for i in range(MAX_PER_CLIENT):
            email = f"c{client}-{i}@example.com"
            try:
                reply = register(server, email, PASSWORD, timeout=10)
            except (OSError, http.client.HTTPException):
                return sent  # the server is gone
            sent += 1
            assert reply.status in (201, 409), (reply.status, reply.body)
            if reply.status == 201:
                with lock:
                    acknowledged.append(email)
        return sent

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(burst, client) for client in range(CLIENTS)]
        time.sleep(KILL_AFTER_S)
        server.stop(signal.SIGKILL)
        sent = sum(future.result(timeout=60) for future in futures)
    assert acknowledged, "no registration completed before the kill"
    assert sent < CLIENTS * MAX_PER_CLIENT, "the burst ended before the kill"

    server.start()  # same port, same database file
    assert request(server, "GET", "/health").status == 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda email: login(server, email, PASSWORD).status, acknowledged))
    lost = [email for email, status in zip(acknowledged, statuses, strict=True) if status != 200]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged accounts lost: {lost[:5]}"
