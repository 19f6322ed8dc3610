"""Two workers on PostgreSQL and Redis: one throttle count, revocation at once, Redis loss.

Each worker is its own `make serve` process (one uvicorn worker each, on its own port),
so a test knows which worker it talks to. Redis is this module's own server, so one
test can kill it. PostgreSQL comes from AEGIS_TEST_POSTGRES_URL (`.ci/postgres.sh`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_server import (
    FAST_HASHING,
    HOST,
    Server,
    clean_env,
    free_port,
    login,
    register,
    request,
)

pytestmark = pytest.mark.slow

POSTGRES_URL = os.environ.get("AEGIS_TEST_POSTGRES_URL", "")
PASSWORD = "scale-out-pass-1"
TRIALS = 50


@dataclass
class RedisServer:
    """A redis-server of this module's own, on a free loopback port."""

    directory: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> RedisServer:
        self.port = self.port or free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
            )
            if ping.stdout.strip() == b"PONG":
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class ServeProcess(Server):
    """`make serve` with one uvicorn worker: the production command, as users run it."""

    def start(self) -> Server:
        self.port = self.port or free_port()
        env = {"HOST": HOST, "PORT": str(self.port), "WEB_CONCURRENCY": "1", **self.env}
        log = (self.database.parent / f"server-{self.port}.log").open("ab")
        # Its own process group: make, uv and uvicorn are stopped together, by this pid.
        self.proc = subprocess.Popen(
            ["make", "serve"], cwd=self.project, env=clean_env(**FAST_HASHING, **env),
            stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        log.close()
        return self.wait_until_healthy(120, what="make serve")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not POSTGRES_URL or not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("CI must provide AEGIS_TEST_POSTGRES_URL and redis-server (.ci/)")
        pytest.skip("needs AEGIS_TEST_POSTGRES_URL and redis-server")
    workdir = tmp_path_factory.mktemp("scale-out")
    aegis = [sys.executable, "-m", "aegis", "init", "my-app", "-s", "auth", "-c", "redis"]
    subprocess.run(
        [*aegis, "-o", str(workdir), "--skip-tasks"],
        check=True, env=clean_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
    )  # fmt: skip
    project = workdir / "my-app"
    subprocess.run(
        ["uv", "sync", "--extra", "postgres"],
        cwd=project, check=True, env=clean_env(), capture_output=True, timeout=300,
    )  # fmt: skip
    return project


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def start_worker(
    redis_project: Path, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Callable[..., Server]]:
    workers: list[Server] = []

    def start(**env: str) -> Server:
        env = {"DATABASE_URL": POSTGRES_URL, "REDIS_URL": redis_server.url, **env}
        worker = ServeProcess(redis_project, tmp_path / "unused.db", env)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


def unique_email(tag: str) -> str:
    return f"{tag}-{time.monotonic_ns()}@example.com"


def token_for(server: Server, email: str) -> dict[str, str]:
    assert register(server, email, PASSWORD).status == 201
    reply = login(server, email, PASSWORD)
    assert reply.status == 200, reply.body
    body = reply.json()
    assert isinstance(body, dict)
    return {"Authorization": f"Bearer {body['access_token']}"}


def test_throttle_counts_across_workers(start_worker: Callable[..., Server]) -> None:
    workers = [start_worker(), start_worker()]
    email = unique_email("throttle")
    assert register(workers[0], email, PASSWORD).status == 201

    statuses = [login(workers[i % 2], email, "wrong password").status for i in range(11)]

    assert statuses == [401] * 10 + [429]


@pytest.mark.parametrize(
    ("ending", "method", "path"),
    [("logout", "POST", "/auth/logout"), ("deletion", "DELETE", "/auth/me")],
)
def test_revocation_reaches_the_other_worker_within_a_second(
    start_worker: Callable[..., Server], ending: str, method: str, path: str
) -> None:
    a, b = start_worker(), start_worker()
    delays = []
    for trial in range(TRIALS):
        headers = token_for(a, unique_email(f"revoke{trial}"))
        assert request(b, "GET", "/auth/me", headers=headers).status == 200  # cached on b
        # Deleting one's account takes the password too.
        body = json.dumps({"current_password": PASSWORD}).encode() if ending == "deletion" else None
        ending_headers = {**headers, "Content-Type": "application/json"}
        assert request(a, method, path, body=body, headers=ending_headers).status == 204
        started = time.perf_counter()
        while request(b, "GET", "/auth/me", headers=headers).status != 401:
            assert time.perf_counter() - started < 5, f"worker b still serves after {ending}"
        delays.append(time.perf_counter() - started)

    p99 = statistics.quantiles(delays, n=100)[98]
    print(f"{ending} a->b over {TRIALS}: p50 {statistics.median(delays) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms")  # fmt: skip
    assert p99 < 1.0


def test_redis_killed_mid_load_no_5xx_and_recovery(
    start_worker: Callable[..., Server], redis_server: RedisServer
) -> None:
    workers = [start_worker(), start_worker()]
    headers = token_for(workers[0], unique_email("load"))
    statuses: list[int] = []
    stop = threading.Event()

    def load(worker: Server) -> None:
        while not stop.is_set():
            statuses.append(request(worker, "GET", "/auth/me", headers=headers).status)

    threads = [threading.Thread(target=load, args=(w,)) for w in workers for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    redis_server.kill()
    time.sleep(2)
    # While Redis is down: logins still answer (throttled per worker), readiness degrades.
    assert login(workers[1], unique_email("nobody"), "wrong password").status == 401
    ready = request(workers[0], "GET", "/ready")
    assert (ready.status, json.loads(ready.body)["checks"]["redis"]) == (200, "unavailable")
    redis_server.start()  # same port
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()

    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    for worker in workers:  # both back on Redis: the count is shared again
        ready = request(worker, "GET", "/ready")
        assert json.loads(ready.body)["status"] == "ready"
    email = unique_email("after")
    assert register(workers[0], email, PASSWORD).status == 201
    statuses = [login(workers[i % 2], email, "wrong password").status for i in range(11)]
    assert statuses == [401] * 10 + [429]


def test_forwarded_for_counts_only_from_trusted_proxies(
    start_worker: Callable[..., Server],
) -> None:
    # The test client is 127.0.0.1: trusted by default, untrusted when only 10.9.9.9 is.
    trusting, untrusting = start_worker(), start_worker(FORWARDED_ALLOW_IPS="10.9.9.9")
    for worker in (trusting, untrusting):
        email = unique_email("proxy")
        assert register(worker, email, PASSWORD).status == 201
        body = f"username={email}&password=wrong".encode()
        statuses = []
        for attempt in range(11):
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": f"198.51.100.{attempt}",  # a new client each time
            }
            statuses.append(
                request(worker, "POST", "/auth/token", body=body, headers=headers).status
            )
        if worker is trusting:
            assert statuses == [401] * 11  # eleven real clients, one failure each
        else:
            assert statuses == [401] * 10 + [429]  # a forged header changes nothing
