"""Shared error answers: a 422 never echoes the input, and a 400 is documented."""

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
