"""Slow: the generated auth project's own suite, run against a real PostgreSQL server.

``.ci/run`` starts the server and sets ``AEGIS_TEST_POSTGRES_URL``; without it the test
is skipped locally but fails under CI, so a CI run can never silently lose it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

POSTGRES_URL = os.environ.get("AEGIS_TEST_POSTGRES_URL")


def test_generated_suite_passes_on_postgresql(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide AEGIS_TEST_POSTGRES_URL (see .ci/postgres.sh)")
        pytest.skip("set AEGIS_TEST_POSTGRES_URL to run against PostgreSQL")
    subprocess.run(
        [sys.executable, "-m", "aegis", "init", "pg-app", "-s", "auth", "--skip-tasks",
         "-o", str(tmp_path)],
        check=True, capture_output=True,
    )  # fmt: skip
    project = tmp_path / "pg-app"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["TEST_DATABASE_URL"] = POSTGRES_URL
    for command in (
        ["uv", "sync", "--quiet", "--extra", "postgres"],
        ["uv", "run", "pytest", "-p", "no:cacheprovider"],
    ):
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}:\n{result.stdout[-4000:]}\n{result.stderr}"
    assert " passed" in result.stdout
    assert "database: postgresql+psycopg" in result.stdout, "the suite ran on SQLite"
