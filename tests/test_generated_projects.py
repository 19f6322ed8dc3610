"""Smoke matrix: every combination the catalog allows is generated, installed and proven.

The matrix comes from ``catalog.combinations()``, so a new component or service is
covered without editing this file or CI. Each project runs its own lint, format
check, type check and test suite; a failure names the combination and shows the
failing command's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aegis import catalog
from aegis.catalog import Selection
from aegis.naming import MAX_LENGTH

pytestmark = pytest.mark.slow

CHECKS = (
    ("uv", "sync", "--quiet"),
    ("uv", "run", "ruff", "check", "."),
    ("uv", "run", "ruff", "format", "--check", "."),
    ("uv", "run", "mypy"),
    ("uv", "run", "pytest", "-q", "-p", "no:cacheprovider"),
)


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
