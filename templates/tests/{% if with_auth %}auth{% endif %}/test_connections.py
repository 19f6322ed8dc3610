"""Requests that hash a password hand their database connection back before hashing."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.pool import QueuePool

from tests.auth.factories import PASSWORD, services
from tests.auth.gates import HashGate

Request = Callable[[AsyncClient, dict[str, str]], Coroutine[Any, Any, httpx.Response]]

REQUESTS: dict[str, tuple[Request, int]] = {
    "login": (
        lambda client, _: client.post(
            "/auth/token", data={"username": "user@example.com", "password": PASSWORD}
        ),
        200,
    ),
    "register": (
        lambda client, _: client.post(
            "/auth/register", json={"email": "new@example.com", "password": PASSWORD}
        ),
        201,
    ),
    "password change": (
        lambda client, headers: client.post(
            "/auth/me/password",
            json={"current_password": PASSWORD, "new_password": "a brand new secret"},
            headers=headers,
        ),
        204,
    ),
}


@pytest.mark.parametrize("name", REQUESTS)
async def test_hashing_holds_no_pooled_connection(
    app: FastAPI,
    client: AsyncClient,
    user_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    gate = HashGate(services(app).passwords._hash, monkeypatch)
    send, expected_status = REQUESTS[name]
    request = asyncio.create_task(send(client, user_headers))
    await gate.hashing()

    # Requests queued for the hashing pool must not hold every pooled connection.
    checked_out = await checked_out_after_the_read(app.state.engine.pool)
    gate.open()
    assert checked_out == 0
    assert (await request).status_code == expected_status
    assert not gate.timed_out


async def checked_out_after_the_read(pool: QueuePool) -> int:
    """How many connections are out once the read's commit had time to end (up to 1 s).

    That commit runs concurrently with the hash, which the gate holds.
    """
    for _ in range(500):
        if not pool.checkedout():
            break
        await asyncio.sleep(0.002)
    return pool.checkedout()
