"""Fixtures: one rendered auth + database project, and servers on this test's database."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_server import Server, render_project


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render my-app (auth + database) once per session and install it."""
    return render_project(tmp_path_factory.mktemp("reliability"))


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
