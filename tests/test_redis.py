"""Slow: the generated auth + database + redis suite, on a real Redis and PostgreSQL.

``.ci/run`` starts both servers and sets ``AEGIS_TEST_REDIS_URL`` and
``AEGIS_TEST_POSTGRES_URL``; without them the test is skipped locally but fails under
CI, so a CI run can never silently lose it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("AEGIS_TEST_REDIS_URL")
POSTGRES_URL = os.environ.get("AEGIS_TEST_POSTGRES_URL")


def test_generated_suite_passes_on_redis_and_postgresql(tmp_path: Path) -> None:
    if not (REDIS_URL and POSTGRES_URL):
        if os.environ.get("CI"):
            pytest.fail("CI must provide AEGIS_TEST_REDIS_URL and AEGIS_TEST_POSTGRES_URL")
        pytest.skip("set AEGIS_TEST_REDIS_URL and AEGIS_TEST_POSTGRES_URL to run this")
    subprocess.run(
        [sys.executable, "-m", "aegis", "init", "redis-app", "-s", "auth", "-c", "redis",
         "--skip-tasks", "-o", str(tmp_path)],
        check=True, capture_output=True,
    )  # fmt: skip
    project = tmp_path / "redis-app"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env |= {"TEST_DATABASE_URL": POSTGRES_URL, "TEST_REDIS_URL": REDIS_URL}
    for command in (
        ["uv", "sync", "--quiet", "--extra", "postgres"],
        ["uv", "run", "pytest", "-p", "no:cacheprovider"],
    ):
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}:\n{result.stdout[-4000:]}\n{result.stderr}"
    assert " passed" in result.stdout
    assert "no Redis" not in result.stdout, "tests that need Redis were skipped"
    assert "database: postgresql+psycopg" in result.stdout, "the suite ran on SQLite"
    assert f"redis: {REDIS_URL}" in result.stdout
