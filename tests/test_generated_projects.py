"""Smoke matrix: every combination the catalog allows is generated, installed and proven.

The matrix comes from ``catalog.combinations()``, so a new component or service is
covered without editing this file or CI. Each project runs its own lint, format
check, type check and test suite; a failure names the combination and shows the
failing command's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aegis import catalog
from aegis.catalog import Selection
from aegis.naming import MAX_LENGTH, package_name
from tests.readme_tables import documented_endpoints, operation_key, section

pytestmark = pytest.mark.slow

CHECKS = (
    ("uv", "sync", "--quiet"),
    ("uv", "run", "ruff", "check", "."),
    ("uv", "run", "ruff", "format", "--check", "."),
    ("uv", "run", "mypy"),
    ("uv", "run", "pytest", "-q", "-p", "no:cacheprovider"),
)
# Prints {"METHOD /path": {status: description}} of the app's OpenAPI schema.
ROUTES = """
import json
from {package}.main import create_app
paths = create_app().openapi()["paths"]
print(json.dumps({{
    f"{{method.upper()}} {{path}}": {{
        code: answer["description"] for code, answer in operation["responses"].items()
    }}
    for path, operations in paths.items() for method, operation in operations.items()
}}))
"""
# Answers every route can give, documented once under the README's endpoint table.
APP_WIDE = {
    "400": "The request body could not be decoded",
    "503": "The database is unavailable; try again later",
}
# Served by the app but left out of its schema.
UNLISTED = {"GET /docs", "GET /redoc"}


def _env() -> dict[str, str]:
    # The generated project must use its own .venv, not the one running these tests.
    return {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}


@pytest.mark.parametrize("selection", catalog.combinations(), ids=lambda s: "+".join(s.names))
def test_generated_project_passes_its_own_checks(tmp_path: Path, selection: Selection) -> None:
    # The longest name allowed, so generated lines are checked at their widest.
    name = ("smoke-" + "-".join(selection.names) + "-")[:MAX_LENGTH].ljust(MAX_LENGTH, "x")
    args = ["init", name, "-o", str(tmp_path), "--skip-tasks"]
    args += ["-c", ",".join(selection.components)]
    if selection.services:
        args += ["-s", ",".join(selection.services)]
    subprocess.run([sys.executable, "-m", "aegis", *args], check=True, capture_output=True)
    project = tmp_path / name
    for command in CHECKS:
        result = subprocess.run(
            command, cwd=project, env=_env(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            pytest.fail(
                f"[{'+'.join(selection.names)}] '{' '.join(command)}' failed "
                f"(exit {result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}",
                pytrace=False,
            )
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True)
    assert status.stdout.decode().strip() in {"", "?? uv.lock"}, status.stdout
    _assert_readme_lists_the_routes(project)


def _assert_readme_lists_the_routes(project: Path) -> None:
    """The README's endpoint table names every route with the answers its schema lists."""
    script = ROUTES.format(package=package_name(project.name))
    dump = subprocess.run(
        ["uv", "run", "python", "-c", script],
        cwd=project, env=_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    routes = {
        operation_key(operation): {
            int(code) for code, description in answers.items() if APP_WIDE.get(code) != description
        }
        for operation, answers in json.loads(dump.stdout).items()
    }
    readme = section((project / "README.md").read_text("utf-8"), "Endpoints")
    documented = documented_endpoints(readme)
    assert {key: documented[key] for key in documented.keys() - UNLISTED} == routes
