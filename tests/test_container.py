"""Slow: the generated Dockerfile built unchanged, and the image run as the README says.

One combination (auth + database). The base image is made locally (``docker_host``),
the image is built, migrated with the documented command and served on SQLite (a
volume) and on PostgreSQL on the host; the README's register / token / me calls run
against each. Every container and volume is removed, and a daemon started here stops.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docker_host import Docker, base_image_name, daemon, ensure_base_image, missing_tools

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
    """Render the project and lock it, as `aegis init` leaves it."""
    root = tmp_path_factory.mktemp("container")
    subprocess.run(
        [sys.executable, "-m", "aegis", "init", NAME, "-s", "auth", "--skip-tasks",
         "-o", str(root)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(["uv", "lock", "--quiet"], cwd=root / NAME, env=env, check=True)
    return root / NAME


@pytest.fixture(scope="module")
def image(docker: Docker, project: Path) -> Iterator[str]:
    ensure_base_image(docker, base_image_name(project / "Dockerfile"))
    tag = f"aegis-test-{NAME}:{uuid.uuid4().hex[:12]}"
    # The build reaches PyPI through the host's network (the daemon has no bridge).
    docker.run("build", "--network", "host", "--tag", tag, project)
    yield tag
    docker.run("image", "rm", "--force", tag, check=False)


class Deployment:
    """Containers of one image with one database; all are removed by `close`."""

    def __init__(self, docker: Docker, image: str, **settings: str) -> None:
        self.docker, self.image = docker, image
        self.settings = {"JWT_SECRET_KEY": secrets.token_urlsafe(48), **settings}
        self.volume = f"aegis-test-{uuid.uuid4().hex[:12]}"
        self.containers: list[str] = []
        self.port = _free_port()

    def _options(self) -> list[str]:
        options = ["--network", "host", "--volume", f"{self.volume}:/data"]
        for name, value in self.settings.items():
            options += ["--env", f"{name}={value}"]
        return options

    def command(self, *args: str) -> str:
        """Run a one-off command in a fresh container (as a release job would)."""
        result = self.docker.run("run", "--rm", *self._options(), self.image, *args)
        return result.stdout + result.stderr

    def serve(self) -> float:
        """Start the image's own command; return the seconds to the first healthy answer."""
        started = time.monotonic()
        port = ["--env", "UVICORN_HOST=127.0.0.1", "--env", f"UVICORN_PORT={self.port}"]
        container = self.docker.run("run", "--detach", *self._options(), *port, self.image)
        self.containers.append(container.stdout.strip())
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                    assert answer.status == 200
                    return time.monotonic() - started
            except OSError:
                assert time.monotonic() - started < 60, self.logs()
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return "\n".join(self.docker.run("logs", c, check=False).stderr for c in self.containers)

    def close(self) -> None:
        for container in self.containers:
            self.docker.run("rm", "--force", "--volumes", container, check=False)
        self.containers = []
        self.docker.run("volume", "rm", "--force", self.volume, check=False)


@pytest.fixture
def deploy(docker: Docker, image: str) -> Iterator[Callable[..., Deployment]]:
    deployments: list[Deployment] = []

    def make(**settings: str) -> Deployment:
        deployments.append(Deployment(docker, image, **settings))
        return deployments[-1]

    yield make
    for deployment in deployments:
        deployment.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    admin = deploy()
    # Through the image's own driver: the host needs no PostgreSQL client.
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    admin.command("python", "-c", _CREATE_DATABASE, plain, database)
    app = deploy(DATABASE_URL=POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}")
    try:
        assert "Database is up to date." in app.command(*_migrate_command(project))
        app.serve()
        output = _run_readme_calls(project, app.url)
        assert output.count('"email":"alice@example.com"') == 2, output
    finally:
        app.close()
        admin.command("python", "-c", _DROP_DATABASE, plain, database)


_CREATE_DATABASE = (
    "import sys, psycopg; psycopg.connect(sys.argv[1], autocommit=True)"
    ".execute(f'CREATE DATABASE {sys.argv[2]}')"
)
_DROP_DATABASE = _CREATE_DATABASE.replace("CREATE DATABASE", "DROP DATABASE")
