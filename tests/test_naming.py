import pytest

from aegis import naming
from aegis.errors import InvalidNameError
from aegis.naming import normalized, template_dependencies, validate


@pytest.mark.parametrize(
    ("name", "package"),
    [("my-app", "my_app"), ("api", "api"), ("My_Service2", "my_service2"), ("a", "a")],
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
        ("app-", "end it with a letter or digit"),
        ("app_", "end it with a letter or digit"),
        ("a--b", "use a single '-' or '_' between words"),
        ("a__b", "use a single '-' or '_' between words"),
        ("a-_b", "use a single '-' or '_' between words"),
        ("my_-app", "use a single '-' or '_' between words"),
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


@pytest.mark.parametrize(
    "name",
    ["mypy", "ruff", "redis", "sniffio", "cryptography", "Jinja2", "authlib", "PyJWT",
     "email_validator", "time-machine", "uv_build", "psycopg", "aiosmtpd", "segno"],
)  # fmt: skip
def test_names_of_the_projects_own_dependencies_are_refused(name: str) -> None:
    # uv cannot install a project that depends on a distribution of its own name.
    with pytest.raises(InvalidNameError, match="a project cannot depend on itself"):
        validate(name)


def test_dependency_names_are_read_from_the_template() -> None:
    names = template_dependencies()
    assert {"fastapi", "redis", "pyjwt", "pytest-xdist", "psycopg", "uv-build"} <= names
    assert "my-app" not in names and "x" not in names


def test_names_compare_as_pep_503_normalizes_them() -> None:
    assert normalized("Email__Validator") == normalized("email.validator") == "email-validator"


@pytest.mark.parametrize("name", ["a" * 300, "a b" * 100])
def test_a_long_name_is_echoed_by_its_first_characters(name: str) -> None:
    with pytest.raises(InvalidNameError) as raised:
        naming.validate(name)
    shown = f"'{name[: naming.MAX_LENGTH]}…'"
    assert f"invalid project name {shown}:" in str(raised.value)
    assert len(str(raised.value)) < 150
