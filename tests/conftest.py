"""Shared fixtures: a CLI runner and a helper that runs ``aegis`` in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from aegis.catalog import Selection
from aegis.cli import app

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_aegis() -> Callable[..., Result]:
    """Invoke the CLI in-process with no terminal on stdin."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


def render_selection(copie: Any, selection: Selection) -> Path:
    """Render `my-app` with ``selection`` through pytest-copie's fixture; return its folder."""
    result = copie.copy(
        extra_answers={
            "project_name": "my-app",
            "components": list(selection.components),
            "services": list(selection.services),
        }
    )
    assert result.exit_code == 0, result.exception
    return Path(result.project_dir)
