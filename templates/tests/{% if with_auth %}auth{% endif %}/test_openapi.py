import pytest
from fastapi import FastAPI

# Every documented error a route can give, so clients and schema-driven fuzzers know them.
EXPECTED = {
    ("post", "/auth/register"): {"403", "409", "422"},
    ("post", "/auth/token"): {"400", "401", "422", "429"},
    ("post", "/auth/logout"): {"401"},
    ("get", "/auth/sessions"): {"401"},
    ("delete", "/auth/sessions"): {"401"},
    ("delete", "/auth/sessions/{session_id}"): {"401", "404", "422"},
    ("get", "/auth/me"): {"401"},
    ("patch", "/auth/me"): {"400", "401", "409", "422", "429"},
    ("delete", "/auth/me"): {"400", "401", "422", "429"},
    ("post", "/auth/me/password"): {"400", "401", "422", "429"},
    ("get", "/auth/users"): {"401", "403", "422"},
    ("get", "/auth/users/{user_id}"): {"401", "403", "404", "422"},
    ("patch", "/auth/users/{user_id}"): {"401", "403", "404", "422"},
    ("delete", "/auth/users/{user_id}"): {"401", "403", "404", "422"},
    ("delete", "/auth/users/{user_id}/2fa"): {"401", "403", "404", "409", "422"},
    ("get", "/examples/private"): {"401"},
}


@pytest.mark.parametrize(("method", "path"), EXPECTED.keys())
async def test_routes_document_their_errors(app: FastAPI, method: str, path: str) -> None:
    documented = app.openapi()["paths"][path][method]["responses"].keys()

    assert EXPECTED[method, path] <= documented


async def test_routes_describe_their_own_errors(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    def description(method: str, path: str, code: str) -> str:
        return str(paths[path][method]["responses"][code]["description"])

    # The shared descriptions (a wrong current password, a taken email) would mislead here.
    assert description("post", "/auth/2fa/setup", "409") == "Two-factor is already on"
    assert description("post", "/auth/2fa/enable", "400") == "Wrong or already used code"
    assert description("post", "/auth/2fa/verify", "429").startswith("Too many wrong codes")
    assert description("get", "/auth/users", "403") == "The caller is not a superuser"
    assert description("post", "/auth/me/password", "400") == "Current password is wrong"
    assert description("delete", "/auth/users/{user_id}/2fa", "404") == "No such user"


async def test_documented_errors_name_their_body_and_headers(app: FastAPI) -> None:
    answers = app.openapi()["paths"]["/auth/token"]["post"]["responses"]

    assert answers["429"]["headers"]["Retry-After"] == {
        "description": "Seconds to wait",
        "schema": {"type": "string"},
    }
    schema = answers["401"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorBody"}


async def test_token_answers_document_the_refresh_token_as_optional(app: FastAPI) -> None:
    """Guards clients built from the schema: in browser mode the body has no refresh token."""
    token = app.openapi()["components"]["schemas"]["Token"]

    assert "refresh_token" not in token["required"]
    assert token["properties"]["refresh_token"]["type"] == "string"
