"""Shared error answers: a 422 never echoes the input, a 400 is documented, a 500 is
shaped like the rest, and no path is redirected."""

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel


class Item(BaseModel):
    """A body whose fields refuse JSON's NaN and a number for a string."""

    count: int
    secret: str


async def test_nan_in_a_json_body_is_a_422_not_a_500(own_app: FastAPI) -> None:
    @own_app.post("/items")
    async def create_item(item: Item) -> Item:
        return item

    async with AsyncClient(transport=ASGITransport(app=own_app), base_url="http://test") as client:
        response = await client.post(
            "/items",
            content=b'{"count": NaN, "secret": 12345}',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 422
    assert "12345" not in response.text
    assert {error["loc"][-1] for error in response.json()["detail"]} == {"count", "secret"}


async def test_undecodable_body_answer_is_in_the_schema(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            assert "400" in operation["responses"]


async def test_an_unhandled_error_is_a_500_with_the_security_headers(own_app: FastAPI) -> None:
    @own_app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug, with details the client must not see")

    transport = ASGITransport(app=own_app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/broken")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


async def test_a_trailing_slash_is_not_redirected(client: AsyncClient) -> None:
    # A redirect's address would come from the Host header, and a DELETE of a path with
    # an empty id would be carried on to the collection.
    response = await client.get("/health/", headers={"Host": "elsewhere.example"})

    assert response.status_code == 404
    assert "location" not in response.headers
