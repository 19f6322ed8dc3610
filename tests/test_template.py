"""Render every catalog combination with pytest-copie and inspect the files."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from aegis import catalog
from aegis.catalog import Selection
from tests.conftest import REPO_ROOT, render_selection

COMBINATIONS = catalog.combinations()


def _ids(selection: Selection) -> str:
    return "+".join(selection.names)


@pytest.fixture(params=COMBINATIONS, ids=_ids)
def rendered(request: pytest.FixtureRequest, copie: Any) -> tuple[Selection, Path]:
    selection: Selection = request.param
    return selection, render_selection(copie, selection)


def _files(project: Path) -> list[Path]:
    return [p for p in project.rglob("*") if p.is_file() and ".git" not in p.parts]


def test_no_unrendered_jinja_and_no_empty_files(rendered: tuple[Selection, Path]) -> None:
    _, project = rendered
    for path in _files(project):
        text = path.read_text(encoding="utf-8")
        # Mail templates are the project's own Jinja, rendered when a message is sent.
        if path.parent.parts[-2:] != ("mail", "templates"):
            assert "{{" not in text and "{%" not in text, path
        assert text.strip(), f"empty file {path}"
        assert "{" not in path.name and "%" not in path.name, path


def test_toml_and_yaml_files_parse(rendered: tuple[Selection, Path]) -> None:
    _, project = rendered
    parsed: dict[str, object] = {}
    for path in _files(project):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            parsed[path.name] = tomllib.loads(text)
        elif path.suffix in {".yml", ".yaml"}:
            parsed[path.name] = yaml.safe_load(text)
    assert {"pyproject.toml", ".copier-answers.yml"} <= parsed.keys()
    empty = [
        name for name, content in parsed.items() if not isinstance(content, dict) or not content
    ]
    assert empty == [], "each TOML and YAML file holds a non-empty mapping"


def test_always_present_files(rendered: tuple[Selection, Path]) -> None:
    _, project = rendered
    for relative in (
        "pyproject.toml", "README.md", "Makefile", ".gitignore", ".env.example",
        ".copier-answers.yml", "src/my_app/__init__.py", "src/my_app/main.py",
        "src/my_app/core/config.py",
    ):  # fmt: skip
        assert (project / relative).is_file(), relative


def test_optional_parts_present_only_when_chosen(rendered: tuple[Selection, Path]) -> None:
    selection, project = rendered
    with_database = "database" in selection.components
    with_auth = "auth" in selection.services
    assert (project / "src/my_app/db.py").is_file() is with_database
    assert (project / "src/my_app/auth").is_dir() is with_auth
    assert (project / "tests/auth").is_dir() is with_auth
    assert (project / "alembic.ini").is_file() is with_database
    users_migration = project / "migrations/versions/0001_create_users_table.py"
    assert users_migration.is_file() is with_auth
    with_redis = "redis" in selection.components
    assert (project / "src/my_app/redis_client.py").is_file() is with_redis
    assert (project / "tests/redis_server.py").is_file() is with_redis
    for shared in ("redis_throttle.py", "broadcast.py"):
        assert (project / "src/my_app/auth" / shared).is_file() is (with_redis and with_auth)


def test_no_leftover_references_to_parts_not_chosen(rendered: tuple[Selection, Path]) -> None:
    selection, project = rendered
    pyproject = (project / "pyproject.toml").read_text()
    env_example = (project / ".env.example").read_text()
    everything = "\n".join(p.read_text(encoding="utf-8") for p in _files(project)).lower()
    makefile = (project / "Makefile").read_text()
    if "database" not in selection.components:
        assert "sqlmodel" not in pyproject and "DATABASE_URL" not in env_example
        assert "database_url" not in everything and "alembic" not in everything
        assert "migrate" not in makefile and not (project / "migrations").exists()
    if "redis" not in selection.components:
        assert '"redis' not in pyproject and "REDIS_URL" not in env_example
        assert "redis_url" not in everything and "redis.asyncio" not in everything
    if "auth" not in selection.services:
        assert "pyjwt" not in pyproject.lower() and "pwdlib" not in pyproject
        assert "JWT_" not in env_example
        assert "/auth/" not in everything


def test_every_uvicorn_command_hides_the_server_header(rendered: tuple[Selection, Path]) -> None:
    _, project = rendered
    makefile = (project / "Makefile").read_text().splitlines()
    commands = [line for line in makefile if "uvicorn " in line and not line.startswith("#")]
    assert commands, "the Makefile runs no server"
    assert all("--no-server-header" in command for command in commands), commands


def test_pyproject_targets_requested_python(copie: Any) -> None:
    result = copie.copy(extra_answers={"project_name": "svc", "python_version": "3.12"})
    assert result.exit_code == 0, result.exception
    pyproject = tomllib.loads((Path(result.project_dir) / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == ">=3.12"
    assert pyproject["project"]["name"] == "svc"


def test_every_user_owned_path_is_rendered(rendered: tuple[Selection, Path]) -> None:
    """Guards a renamed user file silently dropping out of Copier's skip list."""
    selection, project = rendered
    patterns = yaml.safe_load((REPO_ROOT / "copier.yml").read_text(encoding="utf-8"))[
        "_skip_if_exists"
    ]
    for pattern in patterns:
        relative = pattern.replace("{{ package_name }}", "my_app")
        if relative.endswith("tables.py") and "database" not in selection.names:
            continue
        if "/mail/" in relative and "auth" not in selection.names:
            continue
        assert (project / relative).is_file(), relative


def test_template_dependencies_are_unsorted_so_uv_add_appends(
    rendered: tuple[Selection, Path],
) -> None:
    """uv inserts into a sorted list in order, between the template's own lines."""
    _, project = rendered
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = tomllib.loads(text)["project"]["dependencies"]
    assert dependencies != sorted(dependencies)
    block = text[text.index("dependencies = [") : text.index("]\n", text.index("dependencies = ["))]
    assert block.rstrip().endswith(
        "# Yours below: `uv add` appends here, and template updates never touch these lines."
    )


def _revisions(project: Path) -> dict[str, str | None]:
    """Map each migration's revision to its down_revision, read from the rendered files."""
    graph: dict[str, str | None] = {}
    for path in (project / "migrations" / "versions").glob("*.py"):
        lines = path.read_text().splitlines()
        fields = {
            line.split(":")[0]: line.split("=")[1].strip().strip('"')
            for line in lines
            if line.startswith(("revision:", "down_revision:"))
        }
        down = fields["down_revision"]
        graph[fields["revision"]] = None if down == "None" else down
    return graph


def _render_db(copie: Any, **data: list[str]) -> Path:
    """Render database (plus what ``data`` says: services, retained or dropped parts)."""
    answers = {"components": ["backend", "database"], "services": [], "retained_data": [],
               "dropped_data": []}  # fmt: skip
    result = copie.copy(extra_answers={"project_name": "my-app", **answers, **data})
    assert result.exit_code == 0, result.exception
    return Path(result.project_dir)


def test_removed_auth_keeps_every_auth_migration_and_ignores_every_auth_table(
    copie: Any,
) -> None:
    retained = _render_db(copie, retained_data=["auth"])
    assert _revisions(retained) == _revisions(_render_db(copie, services=["auth"]))
    models = (retained / "src" / "my_app" / "models.py").read_text()
    line = next(line for line in models.splitlines() if line.startswith("RETAINED_TABLES"))
    listed = yaml.safe_load(line.split("frozenset(")[1].rstrip(")"))
    assert set(listed) == set(catalog.get("auth").tables) >= {"users", "auth_sessions"}


def test_dropped_auth_ends_in_one_head_after_every_auth_migration(copie: Any) -> None:
    auth_revisions = _revisions(_render_db(copie, services=["auth"]))
    dropped = _render_db(copie, dropped_data=["auth"])
    graph = _revisions(dropped)
    heads = set(graph) - {down for down in graph.values() if down}
    assert heads == {"auth_drop"}
    chain, revision = [], "auth_drop"
    while (down := graph[revision]) is not None:
        chain.append(revision := down)
    assert set(chain) == set(auth_revisions)
    text = next((dropped / "migrations" / "versions").glob("*drop*")).read_text()
    positions = [text.index(f'op.drop_table("{table}")') for table in catalog.get("auth").tables]
    assert positions == sorted(positions, reverse=True), "dependents must be dropped first"
