"""The generated Dockerfile, compose file and workflow, linted and checked for every combination.

hadolint and check-jsonschema (with the Compose specification's and GitHub's workflow
schemas it carries) run offline; building and running the image is ``test_container.py``.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from aegis import catalog
from aegis.catalog import Selection

# uvicorn's own variables, read by the server rather than by the app's Settings.
SERVER_VARIABLES = {"WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}


def _render(copie: Any, components: list[str], services: list[str]) -> Path:
    result = copie.copy(
        extra_answers={"project_name": "my-app", "components": components, "services": services}
    )
    assert result.exit_code == 0, result.exception
    return Path(result.project_dir)


# Rendered once per combination for the whole module: the checks only read the files.
@pytest.fixture(scope="module", params=catalog.combinations(), ids=lambda s: "+".join(s.names))
def project(request: pytest.FixtureRequest, copie_session: Any) -> Path:
    selection: Selection = request.param
    return _render(copie_session, list(selection.components), list(selection.services))


def _tool(name: str) -> str:
    """The dev dependency ``name``: beside this interpreter, else on PATH.

    The mutation script runs this suite from an overlay environment (``uv run --with``)
    whose interpreter sits apart from the project's scripts.
    """
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(name, path=search)
    assert found, f"{name} is not installed: run `uv sync`"
    return found


def _run(tool: str, *arguments: str | Path) -> None:
    command = [_tool(tool), *arguments]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"


def _compose(project: Path) -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((project / "compose.yaml").read_text("utf-8"))
    return compose


def _settings_variables(project: Path) -> set[str]:
    """Return the environment variable of each field of the generated `Settings` class."""
    tree = ast.parse((project / "src/my_app/core/config.py").read_text("utf-8"))
    settings = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings")
    return {
        node.target.id.upper()
        for node in settings.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def _app_environment(compose: dict[str, Any]) -> dict[str, str]:
    """Return every variable set on a service that runs the project's own image."""
    variables: dict[str, str] = {}
    for service in compose["services"].values():
        if "build" in service:
            variables |= service.get("environment") or {}
    return variables


def test_dockerfile_passes_hadolint(project: Path) -> None:
    _run("hadolint", project / "Dockerfile")


def test_compose_file_and_workflow_match_their_schemas(project: Path) -> None:
    _run("check-jsonschema", "--builtin-schema", "vendor.compose-spec",
         project / "compose.yaml")  # fmt: skip
    _run("check-jsonschema", "--builtin-schema", "vendor.github-workflows",
         project / ".github/workflows/ci.yml")  # fmt: skip


def test_compose_sets_only_real_settings(project: Path) -> None:
    variables = _app_environment(_compose(project))
    unknown = set(variables) - _settings_variables(project) - SERVER_VARIABLES
    assert variables and not unknown, f"not settings of the app: {sorted(unknown)}"


def test_compose_takes_secrets_from_the_environment(project: Path) -> None:
    compose = _compose(project)
    for name, service in compose["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if "SECRET" in variable or "PASSWORD" in variable:
                assert str(value).startswith("${"), f"{name}: {variable} is written in the file"


def test_migrations_run_once_before_the_app(project: Path) -> None:
    services = _compose(project)["services"]
    if not (project / "alembic.ini").is_file():
        assert "migrate" not in services
        assert "depends_on" not in services["app"] or "migrate" not in services["app"]["depends_on"]
        return
    assert services["migrate"]["command"] == ["my-app", "db", "upgrade"]
    assert services["app"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "postgresql+psycopg://" in services["app"]["environment"]["DATABASE_URL"]


def test_redis_joins_the_stack_when_chosen(copie: Any) -> None:
    # The redis component arrives separately; the compose file is ready for its switch.
    project = _render(copie, ["backend", "database", "redis"], ["auth"])
    _run("check-jsonschema", "--builtin-schema", "vendor.compose-spec",
         project / "compose.yaml")  # fmt: skip
    services = _compose(project)["services"]
    assert services["app"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert services["app"]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert "redis-data" in _compose(project)["volumes"]
