"""The settings tables of the generated README and of docs/configuration.md against `.env.example`.

`.env.example` holds every setting at its default (the generated suite checks that against
the Settings class); the tables are written by hand, so they drift unless checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from aegis import catalog
from aegis.catalog import Selection
from tests.conftest import REPO_ROOT

# A table row's first two cells: the variables, and their defaults.
ROW = re.compile(r"^\|(?P<names>[^|\n]*)\|(?P<defaults>[^|\n]*)\|", re.MULTILINE)
NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")
VALUE = re.compile(r"`([^`]*)`")
EVERYTHING = max(catalog.combinations(), key=lambda selection: len(selection.names))


def documented_defaults(markdown: str) -> dict[str, str | None]:
    """Map each variable of the tables to its documented default; None when it gives none.

    A cell names several variables with their defaults in the same order
    (`SMTP_HOST`, `SMTP_PORT` | `localhost`, `587`); `empty` is the empty value; a cell
    that refers elsewhere (`see .env.example`) or describes the value in words gives none.
    """
    table: dict[str, str | None] = {}
    for row in ROW.finditer(markdown):
        names = NAME.findall(row["names"])
        cell = row["defaults"].strip()
        if cell == "empty":
            values = [""] * len(names)
        else:
            values = [] if cell.startswith("see ") else VALUE.findall(cell)
        for index, name in enumerate(names):
            table[name] = values[index] if index < len(values) else None
    return table


def env_example(project: Path) -> dict[str, str]:
    """The `NAME=value` lines of the project's `.env.example`, quotes removed."""
    values = {}
    for line in (project / ".env.example").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value.strip('"')
    return values


def settings_section(readme: str) -> str:
    """The README's `## Settings` section, up to the next heading of its level."""
    start = readme.index("## Settings\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def disagreements(documented: dict[str, str | None], example: dict[str, str]) -> list[str]:
    """What the tables say that `.env.example` does not: unknown names, other defaults."""
    found = []
    for name, default in sorted(documented.items()):
        if name not in example:
            found.append(f"{name} is not in .env.example")
        elif default is not None and default != example[name]:
            found.append(f"{name}: documented {default!r}, .env.example {example[name]!r}")
    return found


def _render(copie: Any, selection: Selection) -> Path:
    result = copie.copy(
        extra_answers={
            "project_name": "my-app",
            "components": list(selection.components),
            "services": list(selection.services),
        }
    )
    assert result.exit_code == 0, result.exception
    return Path(result.project_dir)


def test_the_parser_reads_each_kind_of_row() -> None:
    markdown = (
        "| Variable | Default | Meaning |\n|---|---|---|\n"
        "| `A_B` | `1` | one |\n"
        "| `C` / `D` | `2` / `3` | two |\n"
        "| `E`, `F`, `G` | `x`, `y` | fewer defaults |\n"
        "| `H` | empty | none |\n"
        "| `I`, `J` | see `.env.example` | elsewhere |\n"
        "| `K` | none: required | words |\n"
        "| `GET /health` | none | an endpoint |\n"
    )
    assert documented_defaults(markdown) == {
        "A_B": "1",
        "C": "2",
        "D": "3",
        "E": "x",
        "F": "y",
        "G": None,
        "H": "",
        "I": None,
        "J": None,
        "K": None,
    }


@pytest.mark.parametrize("selection", catalog.combinations(), ids=lambda s: "+".join(s.names))
def test_readme_settings_agree_with_env_example(copie: Any, selection: Selection) -> None:
    project = _render(copie, selection)
    example = env_example(project)
    section = settings_section((project / "README.md").read_text("utf-8"))

    assert disagreements(documented_defaults(section), example) == []
    # The table's last column may name a few related settings in passing.
    mentioned = set(NAME.findall(section))
    assert sorted(set(example) - mentioned) == [], "settings the README leaves out"


def test_configuration_page_agrees_with_env_example(copie: Any) -> None:
    example = env_example(_render(copie, EVERYTHING))
    page = (REPO_ROOT / "docs" / "configuration.md").read_text("utf-8")
    documented = documented_defaults(page)

    # Read by uvicorn and the Makefile, not by the application's Settings.
    outside_settings = {"FORWARDED_ALLOW_IPS", "WEB_CONCURRENCY"}
    # The page writes `<project>` where the rendered file has the project's name.
    named = {
        name: None if value is None else value.replace("<project>", "my-app")
        for name, value in documented.items()
        if name not in outside_settings
    }
    assert disagreements(named, example) == []
    assert sorted(set(example) - set(documented)) == [], "settings the page leaves out"
