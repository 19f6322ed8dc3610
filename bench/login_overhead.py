"""Measure what a login costs beyond its one bcrypt verification, in matched pairs.

A login at cost 12 takes ~290 ms, nearly all of it bcrypt, and bcrypt's own time
drifts by several ms from minute to minute on a shared machine. Comparing a login
median with a bare-verify median taken at another moment mostly measures that drift.
So each round times one login over a kept-alive connection to the idle server and
one bare verification in a separate, already-running process of the project's
Python (same pwdlib, same cost), in alternating order, and the overhead is the median
of the differences. Even so, two identical bare verifiers compared this way differ by
up to ~2 ms at cost 12 over 60 rounds; at cost 4 (a ~1 ms hash) the same method
measures the overhead to about 0.1 ms, which is why both are reported.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import time
import urllib.parse
from pathlib import Path

_BARE_VERIFIER = """
import sys, time
from pwdlib.hashers.bcrypt import BcryptHasher
hasher = BcryptHasher(rounds=int(sys.argv[2]))
password = sys.argv[1]
hashed = hasher.hash(password)
print("ready", flush=True)
for _ in sys.stdin:
    started = time.perf_counter()
    assert hasher.verify(password, hashed)
    print((time.perf_counter() - started) * 1e3, flush=True)
"""


def _read_response(connection: socket.socket) -> int:
    """Read one HTTP/1.1 response with a Content-Length; return its status code.

    Hand-rolled so the client adds next to nothing to the timing (http.client's header
    parsing alone costs about a millisecond here).
    """
    data = b""
    while b"\r\n\r\n" not in data:
        data += _receive(connection)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    while len(body) < length:
        body += _receive(connection)
    return int(lines[0].split()[1])


def _receive(connection: socket.socket) -> bytes:
    chunk = connection.recv(65536)
    if not chunk:
        raise RuntimeError("the server closed the connection")
    return chunk


def measure(
    project: Path, base_url: str, *, email: str, password: str, cost: int, rounds: int
) -> dict[str, float]:
    """Time ``rounds`` login/bare-verify pairs; return medians and the overhead, in ms.

    ``cost`` is the bcrypt cost the server hashes with (the user's stored hash is
    upgraded to it by the warm-up login).
    """
    verifier = subprocess.Popen(
        [str(project / ".venv/bin/python"), "-c", _BARE_VERIFIER, password, str(cost)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    to_verifier, from_verifier = verifier.stdin, verifier.stdout
    assert to_verifier is not None and from_verifier is not None
    url = urllib.parse.urlsplit(base_url)
    connection = socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=30)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = urllib.parse.urlencode({"username": email, "password": password})
    request = (
        f"POST /auth/token HTTP/1.1\r\nHost: {url.netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()
    logins: list[float] = []
    bare: list[float] = []

    def log_in() -> None:
        started = time.perf_counter()
        connection.sendall(request)
        status = _read_response(connection)
        logins.append((time.perf_counter() - started) * 1e3)
        if status != 200:
            raise RuntimeError(f"login answered {status}")

    def verify() -> None:
        to_verifier.write("\n")
        to_verifier.flush()
        bare.append(float(from_verifier.readline()))

    try:
        if from_verifier.readline().strip() != "ready":
            raise RuntimeError("the bare bcrypt verifier did not start")
        for round_number in range(rounds + 1):  # the first pair is a warm-up, dropped
            # Alternating which goes first cancels any effect of the order.
            for step in (log_in, verify) if round_number % 2 else (verify, log_in):
                step()
    finally:
        connection.close()
        verifier.kill()
        verifier.wait()
    logins, bare = logins[1:], bare[1:]
    differences = [login - verify for login, verify in zip(logins, bare, strict=True)]
    return {
        "bcrypt_cost": cost,
        "rounds": rounds,
        "login_p50_ms": round(statistics.median(logins), 2),
        "bare_verify_p50_ms": round(statistics.median(bare), 2),
        "overhead_p50_ms": round(statistics.median(differences), 2),
    }
