"""The tables a generated project is documented with, read and checked.

Settings: the generated README's and docs/configuration.md's against `.env.example`, which
holds every setting at its default (the generated suite checks that against the Settings
class). The endpoint table is checked against the app's routes by the smoke matrix
(test_generated_projects), which installs each project; its parser is tested here.
"""

from __future__ import annotations

from typing import Any

import pytest

from aegis import catalog
from aegis.catalog import Selection
from tests.conftest import REPO_ROOT, render_selection
from tests.readme_tables import (
    NAME,
    disagreements,
    documented_defaults,
    documented_endpoints,
    env_example,
    section,
)

EVERYTHING = max(catalog.combinations(), key=lambda selection: len(selection.names))


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


def test_the_endpoint_parser_reads_each_kind_of_row() -> None:
    markdown = (
        "| Method and path | Auth | Success | Errors |\n|---|---|---|---|\n"
        '| `GET /health` | none | 200 `{"status": "ok"}` | |\n'
        "| `GET /docs`, `GET /redoc` | none | 200 pages | |\n"
        "| `GET /users?offset=0` | superuser | 200 list | 401, 403 forbidden |\n"
        "| `DELETE /users/{id}/2fa` | superuser | 204 | 404 |\n"
        "| `APP_NAME` | `my-app` | a settings row |\n"
    )
    assert documented_endpoints(markdown) == {
        "GET /health": {200},
        "GET /docs": {200},
        "GET /redoc": {200},
        "GET /users": {200, 401, 403},
        "DELETE /users/{}/2fa": {204, 404},
    }


@pytest.mark.parametrize("selection", catalog.combinations(), ids=lambda s: "+".join(s.names))
def test_readme_settings_agree_with_env_example(copie: Any, selection: Selection) -> None:
    project = render_selection(copie, selection)
    example = env_example(project)
    settings = section((project / "README.md").read_text("utf-8"), "Settings")

    assert disagreements(documented_defaults(settings), example) == []
    # The table's last column may name a few related settings in passing.
    mentioned = set(NAME.findall(settings))
    assert sorted(set(example) - mentioned) == [], "settings the README leaves out"


def test_configuration_page_agrees_with_env_example(copie: Any) -> None:
    example = env_example(render_selection(copie, EVERYTHING))
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
