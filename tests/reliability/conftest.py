"""Fixtures: one rendered auth + database project, and servers on this test's database."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_server import Server, clean_env


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render my-app (auth + database) once per session and install it."""
    out = tmp_path_factory.mktemp("reliability")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "aegis",
            "init",
            "my-app",
            "-s",
            "auth",
            "-c",
            "database",
            "-o",
            str(out),
            "--skip-tasks",
        ],
        check=True,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    path = out / "my-app"
    subprocess.run(
        ["uv", "sync"], cwd=path, check=True, env=clean_env(), capture_output=True, timeout=300
    )
    return path


@pytest.fixture
def start_server(project: Path, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start servers on this test's own database file; every one is killed afterwards."""
    servers: list[Server] = []

    def start(**env: str) -> Server:
        server = Server(project, tmp_path / "app.db", env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop(signal.SIGKILL)
