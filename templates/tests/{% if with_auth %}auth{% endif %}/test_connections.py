"""Requests that hash a password hand their database connection back before hashing."""

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.auth.factories import PASSWORD, services

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


def _slowed(real: Callable[..., Any]) -> Callable[..., Any]:
    def slow(*args: Any) -> Any:
        time.sleep(0.2)  # blocking and GIL-releasing, like a real hash
        return real(*args)

    return slow


@pytest.mark.parametrize("name", REQUESTS)
async def test_hashing_holds_no_pooled_connection(
    app: FastAPI,
    client: AsyncClient,
    user_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    hasher = services(app).passwords._hash
    for method in ("hash", "verify_and_update"):
        monkeypatch.setattr(hasher, method, _slowed(getattr(hasher, method)))
    send, expected_status = REQUESTS[name]
    request = asyncio.create_task(send(client, user_headers))
    await asyncio.sleep(0.1)

    # Requests queued for the hashing pool must not hold every pooled connection.
    assert app.state.engine.pool.checkedout() == 0
    assert (await request).status_code == expected_status
