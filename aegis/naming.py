"""Validation of project names and the Python package names derived from them."""

from __future__ import annotations

import functools
import keyword
import re
import sys
import tomllib

from aegis.errors import InvalidNameError

_PROJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_SEPARATOR_RUN = re.compile(r"[-_]{2,}")
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


def normalized(distribution: str) -> str:
    """Return a distribution name as PEP 503 compares it (``Foo_Bar`` -> ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


@functools.cache
def template_dependencies() -> frozenset[str]:
    """Return the normalized names of every distribution a generated project may require.

    Read from the template's ``pyproject.toml.jinja`` rendered with every part switched
    on (a project may gain any of them later with ``aegis add``): its dependencies,
    extras, dependency groups and build requirements.
    """
    from jinja2 import Template, TemplateError  # only `aegis init` needs it: it renders anyway

    from aegis.source import template_files

    path = template_files() / "templates" / "pyproject.toml.jinja"
    switches = {"with_database": True, "with_redis": True, "with_auth": True}
    try:
        text = Template(path.read_text(encoding="utf-8")).render(
            project_name="x", package_name="x", description="", python_version="3.11", **switches
        )
        pyproject = tomllib.loads(text)
    except (OSError, TemplateError, tomllib.TOMLDecodeError):
        return frozenset()  # a broken template fails, and is reported, when it renders
    project = pyproject.get("project", {})
    requirements = [
        *project.get("dependencies", []),
        *(r for extra in project.get("optional-dependencies", {}).values() for r in extra),
        *(r for group in pyproject.get("dependency-groups", {}).values() for r in group),
        *pyproject.get("build-system", {}).get("requires", []),
    ]
    names = (_REQUIREMENT_NAME.match(r) for r in requirements if isinstance(r, str))
    return frozenset(normalized(match[0]) for match in names if match)


_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


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
            with a letter or does not end with a letter or digit, has two separators in a
            row (``a--b``, which PEP 503 reads as ``a-b``), or its package name
            is a Python keyword or would shadow a module the project needs, or it names
            a distribution the project requires.
    """
    # A name is echoed back in errors: a very long one only by its start.
    shown = repr(
        project_name[:MAX_LENGTH] + "…" if len(project_name) > MAX_LENGTH else project_name
    )
    if not project_name:
        raise InvalidNameError("project name is empty")
    if not _PROJECT_NAME.match(project_name):
        raise InvalidNameError(
            f"invalid project name {shown}: use letters, digits, '-' and '_', "
            "starting with a letter (e.g. my-app)"
        )
    if project_name.endswith(("-", "_")):
        # PEP 508 asks a distribution name to end with a letter or digit: uv refuses `app-`.
        raise InvalidNameError(f"invalid project name {shown}: end it with a letter or digit")
    if _SEPARATOR_RUN.search(project_name):
        # PEP 503 folds a run into one '-': 'a--b' would be installed and published as 'a-b'.
        raise InvalidNameError(
            f"invalid project name {shown}: use a single '-' or '_' between words"
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
    if normalized(project_name) in template_dependencies():
        raise InvalidNameError(
            f"invalid project name {shown}: the generated project depends on the package "
            f"'{normalized(project_name)}', and a project cannot depend on itself"
        )
    return package
