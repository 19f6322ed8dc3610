"""Benchmark account recovery on a generated project: forgot-password, reset, delivery.

Usage, inside a rendered and synced auth + database project (its environment has
uvicorn, httpx and aiosmtpd):
    uv run python /path/to/aegis/bench/recovery.py [--rounds 100]

Starts an aiosmtpd server (with a login) and one uvicorn worker on free 127.0.0.1 ports,
MAIL_BACKEND=smtp and the default bcrypt cost, and prints:
- forgot-password p50 for a known and an unknown email, alternated, and their ratio;
- time from the forgot-password request to the message delivered on the SMTP server;
- reset-password p50 (one bcrypt hash at cost 12 included).
Both servers are stopped in a finally block.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import warnings
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
EMAIL = "known@example.com"
PASSWORD = "bench-password-1"
TOKEN = re.compile(r"reset-password\?token=([A-Za-z0-9_-]{43})")


class Inbox:
    """Keeps each delivered message with its arrival time; wakes a waiter."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, bytes]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        with self.arrived:
            self.arrivals.append((time.perf_counter(), envelope.original_content))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> tuple[float, bytes]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.arrivals) >= count, timeout):
                raise SystemExit("a message never arrived")
            return self.arrivals[count - 1]


def token_in(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    found = TOKEN.search(text)
    if found is None:
        raise SystemExit("no reset link in the message")
    return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    # A plain-text login is what this local server is for; say nothing of it.
    warnings.filterwarnings("ignore", module="aiosmtpd")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]["name"]
    package = project.replace("-", "_")

    inbox = Inbox()
    smtp = Controller(
        inbox,
        hostname=HOST,
        port=free_port(),
        authenticator=lambda *a: AuthResult(
            success=isinstance(a[4], LoginPassword) and a[4].password == b"pw", handled=False
        ),
        auth_required=True,
        auth_require_tls=False,
    )
    smtp.start()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="recovery-bench-") as scratch:
        env = {
            **{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
            "DATABASE_URL": f"sqlite+aiosqlite:///{scratch}/bench.db",
            "JWT_SECRET_KEY": "b" * 64,
            "AUTH_THROTTLE_ENABLED": "false",
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": HOST,
            "SMTP_PORT": str(smtp.port),
            "SMTP_SECURITY": "none",
            "SMTP_USER": "bench",
            "SMTP_PASSWORD": "pw",
        }
        subprocess.run([project, "db", "upgrade"], env=env, check=True, capture_output=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"{package}.main:create_app",
             "--host", HOST, "--port", str(port), "--log-level", "warning"],
            env=env,
        )  # fmt: skip
        try:
            run(f"http://{HOST}:{port}", inbox, args.rounds)
        finally:
            server.terminate()
            server.wait(10)
            smtp.stop()


def run(base: str, inbox: Inbox, rounds: int) -> None:
    wait_until_up(f"{base}/health")
    with httpx.Client(base_url=base) as client:
        client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
        inbox.wait_for(1)  # the verification mail
        times: dict[str, list[float]] = {EMAIL: [], "unknown@example.com": []}
        for n in range(rounds):
            for email in sorted(times, reverse=n % 2 == 1):  # each goes first half the time
                samples = times[email]
                began = time.perf_counter()
                response = client.post("/auth/forgot-password", json={"email": email})
                samples.append(time.perf_counter() - began)
                assert response.status_code == 202
                if email == EMAIL:  # its mail is out before the next request: no overlap
                    inbox.wait_for(1 + len(samples))
                time.sleep(0.02)  # and the job has closed its connection
        known, unknown = p50(times[EMAIL]), p50(times["unknown@example.com"])
        print(f"forgot-password p50: known {known:.2f} ms, unknown {unknown:.2f} ms, "
              f"ratio {known / unknown:.3f} ({rounds} each)")  # fmt: skip

        delivery: list[float] = []
        resets: list[float] = []
        for n in range(min(rounds, 30)):
            expected = len(inbox.arrivals) + 1
            began = time.perf_counter()
            client.post("/auth/forgot-password", json={"email": EMAIL})
            arrived, raw = inbox.wait_for(expected)
            delivery.append(arrived - began)
            token = token_in(raw)
            began = time.perf_counter()
            body = {"token": token, "new_password": f"{PASSWORD}-{n}"}
            assert client.post("/auth/reset-password", json=body).status_code == 204
            resets.append(time.perf_counter() - began)
        print(f"request to delivery p50: {p50(delivery):.2f} ms ({len(delivery)} messages)")
        print(f"reset-password p50: {p50(resets):.2f} ms (bcrypt cost 12, {len(resets)} resets)")


if __name__ == "__main__":
    main()
