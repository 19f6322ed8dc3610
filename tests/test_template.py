"""Render every catalog combination with pytest-copie and inspect the files."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from aegis import catalog
from aegis.catalog import Selection

COMBINATIONS = catalog.combinations()


def _ids(selection: Selection) -> str:
    return "+".join(selection.names)


@pytest.fixture(params=COMBINATIONS, ids=_ids)
def rendered(request: pytest.FixtureRequest, copie: Any) -> tuple[Selection, Path]:
    selection: Selection = request.param
    result = copie.copy(
        extra_answers={
            "project_name": "my-app",
            "components": list(selection.components),
            "services": list(selection.services),
        }
    )
    assert result.exit_code == 0, result.exception
    return selection, Path(result.project_dir)


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
    for path in _files(project):
        if path.suffix == ".toml":
            tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(path.read_text(encoding="utf-8"))


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
    if "auth" not in selection.services:
        assert "pyjwt" not in pyproject.lower() and "pwdlib" not in pyproject
        assert "JWT_" not in env_example
        assert "/auth/" not in everything


def test_pyproject_targets_requested_python(copie: Any) -> None:
    result = copie.copy(extra_answers={"project_name": "svc", "python_version": "3.12"})
    assert result.exit_code == 0, result.exception
    pyproject = tomllib.loads((Path(result.project_dir) / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == ">=3.12"
    assert pyproject["project"]["name"] == "svc"
