"""Validation of project names and the Python package names derived from them."""

from __future__ import annotations

import keyword
import re
import sys

from aegis.errors import InvalidNameError

_PROJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# Long enough for real names, short enough that generated code stays within 100 columns.
MAX_LENGTH = 40

# Packages the generated project imports: a project of the same name would shadow them.
_RESERVED = frozenset(
    {
        "alembic", "anyio", "fastapi", "httpx", "jwt", "pwdlib", "pydantic",
        "pydantic_settings", "pytest", "sqlalchemy", "sqlmodel", "starlette",
        "tests", "typer", "uvicorn", "src",
    }
)  # fmt: skip


def package_name(project_name: str) -> str:
    """Return the Python package name for a project name (``my-app`` -> ``my_app``)."""
    return project_name.lower().replace("-", "_")


def validate(project_name: str) -> str:
    """Check that a project name can be a directory, a distribution and a package.

    Args:
        project_name: The name the user typed.

    Returns:
        The derived package name.

    Raises:
        InvalidNameError: The name is empty, longer than ``MAX_LENGTH``, has
            characters other than letters, digits, ``-`` and ``_``, does not start
            with a letter, or its package name is a Python keyword or would shadow a
            module the project needs.
    """
    shown = repr(project_name)
    if not project_name:
        raise InvalidNameError("project name is empty")
    if not _PROJECT_NAME.match(project_name):
        raise InvalidNameError(
            f"invalid project name {shown}: use letters, digits, '-' and '_', "
            "starting with a letter (e.g. my-app)"
        )
    if len(project_name) > MAX_LENGTH:
        raise InvalidNameError(f"invalid project name {shown}: at most {MAX_LENGTH} characters")
    package = package_name(project_name)
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        raise InvalidNameError(f"invalid project name {shown}: '{package}' is a Python keyword")
    if package in sys.stdlib_module_names or package in _RESERVED:
        raise InvalidNameError(
            f"invalid project name {shown}: package '{package}' would shadow a module "
            "of the same name"
        )
    return package
