"""Slow: the generated Dockerfile built unchanged, and the image run as the README says.

One combination (auth + database). The base image is made locally (``docker_host``),
the image is built, migrated with the documented command and served on SQLite (a
volume) and on PostgreSQL on the host; the README's register / token / me calls run
against each. Every container and volume is removed, and a daemon started here stops.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docker_host import (
    Deployment,
    Docker,
    base_image_name,
    daemon,
    ensure_base_image,
    missing_tools,
    render_project,
)

pytestmark = pytest.mark.slow

NAME = "box"
POSTGRES_URL = os.environ.get("AEGIS_TEST_POSTGRES_URL")


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") or os.environ.get("AEGIS_TEST_DOCKER"):
        pytest.fail(f"CI must provide {reason} (see .ci/docker.sh and .ci/postgres.sh)")
    pytest.skip(f"needs {reason}")


@pytest.fixture(scope="module")
def docker() -> Iterator[Docker]:
    if missing := missing_tools():
        _skip_or_fail(", ".join(missing))
    with daemon() as docker:
        yield docker


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project(tmp_path_factory.mktemp("container"), NAME)


@pytest.fixture(scope="module")
def image(docker: Docker, project: Path) -> Iterator[str]:
    ensure_base_image(docker, base_image_name(project / "Dockerfile"))
    tag = f"aegis-test-{NAME}:{uuid.uuid4().hex[:12]}"
    # The build reaches PyPI through the host's network (the daemon has no bridge).
    docker.run("build", "--network", "host", "--tag", tag, project)
    yield tag
    docker.run("image", "rm", "--force", tag, check=False)


@pytest.fixture
def deploy(docker: Docker, image: str) -> Iterator[Callable[..., Deployment]]:
    deployments: list[Deployment] = []

    def make(**settings: str) -> Deployment:
        deployments.append(Deployment(docker, image, **settings))
        return deployments[-1]

    yield make
    for deployment in deployments:
        deployment.close()


def _readme_block(project: Path, marker: str) -> str:
    """Return the README's shell block that contains `marker`."""
    blocks = re.findall(r"```sh\n(.*?)```", (project / "README.md").read_text("utf-8"), re.S)
    return next(block for block in blocks if marker in block)


def _run_readme_calls(project: Path, url: str) -> str:
    script = _readme_block(project, "/auth/register").replace("http://127.0.0.1:8000", url)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _migrate_command(project: Path) -> list[str]:
    """Return the migration command the README documents for the image (after its name)."""
    block = _readme_block(project, "docker run")
    words = shlex.split(next(line for line in block.splitlines() if "db upgrade" in line))
    return words[words.index(NAME) + 1 :]


def test_image_runs_as_documented_on_sqlite(
    docker: Docker, image: str, project: Path, deploy: Callable[..., Deployment]
) -> None:
    user = docker.run("image", "inspect", "--format", "{{ .Config.User }}", image).stdout
    assert user.strip() and not user.startswith(("0", "root")), "the image runs as root"
    app = deploy()
    assert "Database is up to date." in app.command(*_migrate_command(project))
    app.serve()
    output = _run_readme_calls(project, app.url)
    assert output.count('"email":"alice@example.com"') == 2, output  # register, then me
    assert "hash" not in output
    # The image's own HEALTHCHECK (its first probe comes after the 10 s interval).
    deadline = time.monotonic() + 60
    state = ""
    while state != "healthy" and time.monotonic() < deadline:
        time.sleep(1)
        state = docker.run("inspect", "--format", "{{ .State.Health.Status }}",
                           app.containers[0]).stdout.strip()  # fmt: skip
    assert state == "healthy", app.logs()


def test_image_runs_as_documented_on_postgresql(
    image: str, project: Path, deploy: Callable[..., Deployment]
) -> None:
    if not POSTGRES_URL:
        _skip_or_fail("AEGIS_TEST_POSTGRES_URL (see .ci/postgres.sh)")
    assert POSTGRES_URL
    database = f"container_{uuid.uuid4().hex[:12]}"
    _psql(POSTGRES_URL, f"CREATE DATABASE {database}")
    try:
        app = deploy(DATABASE_URL=POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}")
        assert "Database is up to date." in app.command(*_migrate_command(project))
        app.serve()
        output = _run_readme_calls(project, app.url)
        assert output.count('"email":"alice@example.com"') == 2, output
        app.close()
    finally:
        _psql(POSTGRES_URL, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _psql(url: str, sql: str) -> None:
    """Run one statement with the PostgreSQL client that came with the server."""
    clients = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql")) or [Path("psql")]
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run([clients[-1], plain, "-qc", sql], check=True, capture_output=True)
