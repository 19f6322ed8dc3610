"""Helpers of the reliability suite: a uvicorn server on loopback and stdlib HTTP calls."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
# bcrypt cost 4: these tests are about the service's behaviour, not the hash's cost.
FAST_HASHING = {"PASSWORD_BCRYPT_ROUNDS": "4"}


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return {**env, **overrides}


@dataclass
class Server:
    """One uvicorn process serving the project on a free loopback port."""

    project: Path
    database: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _environment(self) -> dict[str, str]:
        url = f"sqlite+aiosqlite:///{self.database}"
        return clean_env(DATABASE_URL=url, **FAST_HASHING, **self.env)

    def _prestart(self) -> None:
        for command in prestart_commands(self.project):
            subprocess.run(
                command,
                shell=True,
                cwd=self.project,
                check=True,
                env=self._environment(),
                capture_output=True,
                timeout=120,
            )

    def start(self) -> Server:
        """Start uvicorn (port kept across restarts) and wait until /health answers."""
        self._prestart()
        self.port = self.port or free_port()
        package = tomllib.loads((self.project / "pyproject.toml").read_text())["project"]["name"]
        command = [
            str(self.project / ".venv/bin/python"),
            "-m",
            "uvicorn",
            "--factory",
            f"{package.replace('-', '_')}.main:create_app",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-server-header",
        ]
        log = (self.database.parent / f"server-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(
            command, cwd=self.project, env=self._environment(), stdout=log, stderr=log
        )
        log.close()
        return self.wait_until_healthy(START_TIMEOUT, what="server")

    def wait_until_healthy(self, timeout: float, *, what: str) -> Server:
        """Return once `/health` answers 200; raise with the log if the process exits first."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{what} exited: {self.log()}")
            try:
                if request(self, "GET", "/health", timeout=1).status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{what} did not answer /health in time: {self.log()}")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Stop the server by its pid; SIGKILL if it does not exit within 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log(self) -> str:
        path = self.database.parent / f"server-{self.port}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def render_project(workdir: Path) -> Path:
    """Render my-app (auth + database) with ``--skip-tasks`` and install it with uv."""
    aegis = [sys.executable, "-m", "aegis", "init", "my-app", "-s", "auth", "-c", "database"]
    subprocess.run(
        [*aegis, "-o", str(workdir), "--skip-tasks"],
        check=True, env=clean_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
    )  # fmt: skip
    project = workdir / "my-app"
    subprocess.run(
        ["uv", "sync"], cwd=project, check=True, env=clean_env(), capture_output=True, timeout=300
    )
    return project


def prestart_commands(project: Path) -> list[str]:
    """What `make server` runs before uvicorn (e.g. migrations), as shell commands.

    Falls back to `alembic upgrade head` when the project ships Alembic but its
    Makefile runs nothing else, so a schema-less database is never served.
    """
    dry = subprocess.CompletedProcess[str]([], 0, "")
    if shutil.which("make") and (project / "Makefile").exists():
        dry = subprocess.run(
            ["make", "-n", "server"], cwd=project, capture_output=True, text=True, check=False
        )
    commands = [
        part.strip()
        for line in dry.stdout.splitlines()
        for part in re.split(r"&&|;", line)
        if part.strip() and "uvicorn" not in part
    ]
    if not commands and (project / "alembic.ini").exists():
        commands = [".venv/bin/python -m alembic upgrade head"]
    return commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> object:
        return json.loads(self.body)


def request(
    server: Server,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Reply:
    """Send one request on a fresh connection (stdlib only: no client dependency)."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.read(), dict(response.getheaders()))
    finally:
        connection.close()


def register(server: Server, email: str, password: str, **kw: float) -> Reply:
    body = json.dumps({"email": email, "password": password}).encode()
    return request(
        server,
        "POST",
        "/auth/register",
        body=body,
        headers={"Content-Type": "application/json"},
        **kw,
    )


def login(server: Server, email: str, password: str) -> Reply:
    body = urllib.parse.urlencode({"username": email, "password": password}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return request(server, "POST", "/auth/token", body=body, headers=form)


@dataclass
class LargeBodyReply:
    status: int
    body: bytes
    seconds: float  # from the first byte sent to the whole answer received


def send_large_body(
    server: Server, path: str, *, size: int, chunked: bool, chunk: int = 1 << 20
) -> LargeBodyReply:
    """POST `size` bytes of JSON-ish filler, declared by Content-Length or chunked.

    The body is sent from a thread while this one reads, as a server that refuses the
    body answers before it has all been sent.
    """
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"{framing}\r\n\r\n"
    ).encode()
    piece = b"x" * chunk
    sock = socket.create_connection((HOST, server.port), timeout=60)

    def send_body() -> None:
        try:
            for offset in range(0, size, chunk):
                data = piece[: min(chunk, size - offset)]
                sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the connection was closed once the answer had come

    began = time.perf_counter()
    sock.sendall(head)
    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    try:
        connection = http.client.HTTPResponse(sock)
        connection.begin()
        body = connection.read()
        seconds = time.perf_counter() - began
        return LargeBodyReply(connection.status, body, seconds)
    finally:
        sock.close()
        sender.join(timeout=60)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")
