import pytest

from aegis.errors import InvalidNameError
from aegis.naming import validate


@pytest.mark.parametrize(
    ("name", "package"),
    [("my-app", "my_app"), ("api", "api"), ("My_Service2", "my_service2")],
)
def test_valid_names_give_their_package(name: str, package: str) -> None:
    assert validate(name) == package


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("123", "starting with a letter"),
        ("my app", "use letters"),
        ("../x", "use letters"),
        ("a/b", "use letters"),
        ("-x", "starting with a letter"),
        ("class", "keyword"),
        ("match", "keyword"),
        ("json", "shadow"),
        ("fastapi", "shadow"),
        ("café", "use letters"),
        ("a" * 41, "at most 40 characters"),
    ],
)
def test_invalid_names_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(InvalidNameError, match=reason):
        validate(name)
