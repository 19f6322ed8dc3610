"""Benchmark the session-aware auth path: /auth/me with and without the user cache,
1,000 distinct users' tokens, and the refresh grant's latency next to login's.

Usage (from the repository root):
    uv run python bench/sessions.py [--project DIR] [--duration 6]
        [--database-url postgresql+psycopg://...] [--out bench/results]

Renders `my-app` into a temporary directory unless --project names a rendered,
synced project. With --database-url the server uses that database (it is migrated
first; for PostgreSQL the project needs `uv sync --extra postgres`). Prints one line
per row and one PASS/FAIL line per target; writes `sessions[-<db>].json` to --out.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import run  # noqa: E402

USERS = 1_000
SEQUENTIAL = 200  # requests per latency row (one connection, one at a time)


def _post(connection: http.client.HTTPConnection, path: str, form: dict[str, str]) -> dict:
    body = urllib.parse.urlencode(form)
    connection.request("POST", path, body, {"Content-Type": run.FORM})
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {data[:200]!r}")
    return json.loads(data)


def _register(connection: http.client.HTTPConnection, email: str) -> None:
    body = json.dumps({"email": email, "password": run.PASSWORD})
    connection.request("POST", "/auth/register", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    if response.status not in (201, 409):
        raise RuntimeError(f"register: {response.status}")


def _login(connection: http.client.HTTPConnection, email: str) -> dict:
    return _post(connection, "/auth/token", {"username": email, "password": run.PASSWORD})


def tokens_of_users(base: str, count: int) -> list[str]:
    """Register `count` users and return one access token of each."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    tokens = []
    for number in range(count):
        email = f"bench-{number}@example.com"
        _register(connection, email)
        tokens.append(_login(connection, email)["access_token"])
    connection.close()
    return tokens


def sequential_latency(base: str, count: int) -> dict[str, dict[str, float]]:
    """Time login, refresh and /auth/me one request at a time on one kept-alive connection."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    _register(connection, run.EMAIL)
    timings: dict[str, list[float]] = {"POST /auth/token (password)": [], "refresh": [], "me": []}
    for _ in range(count // 10):  # logins cost a hash each: fewer of them
        start = time.perf_counter()
        tokens = _login(connection, run.EMAIL)  # the last one's session is refreshed below
        timings["POST /auth/token (password)"].append(time.perf_counter() - start)
    for _ in range(count):
        start = time.perf_counter()
        tokens = _post(
            connection,
            "/auth/token",
            {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        timings["refresh"].append(time.perf_counter() - start)
    for _ in range(count):
        start = time.perf_counter()
        connection.request(
            "GET", "/auth/me", headers={"Authorization": "Bearer " + tokens["access_token"]}
        )
        response = connection.getresponse()
        response.read()
        timings["me"].append(time.perf_counter() - start)
    connection.close()
    names = {
        "refresh": "POST /auth/token (refresh_token)",
        "me": "GET /auth/me (sequential)",
    }
    return {names.get(key, key): _percentiles(values) for key, values in timings.items()}


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
    }


def measure(project: Path, duration: float, database_url: str | None) -> dict:
    """Every row of bench/README.md's sessions section, for one database."""
    settings = {"DATABASE_URL": database_url} if database_url else {}
    # Cheap hashes here, so 1,000 users can log in quickly; /auth/me never hashes.
    cheap = {**settings, "PASSWORD_BCRYPT_ROUNDS": "4", "AUTH_THROTTLE_ENABLED": "false"}
    results: dict[str, dict[str, float]] = {}

    def row(key: str, base: str, path: str, connections: int, **shape: str) -> None:
        run.load(base + path, connections=4, duration=1, **shape)  # warm-up
        results[key] = run.load(base + path, connections=connections, duration=duration, **shape)
        run._progress(key, results[key])

    if not shutil.which("wrk"):
        sys.exit("the many-users row needs wrk: apt-get install -y wrk")
    tokens_file = project / "bench-tokens.txt"
    for cache in ("5", "0"):
        with run.server(project, AUTH_USER_CACHE_SECONDS=cache, **cheap) as base:
            if cache == "5":  # the same database next time: the tokens stay valid
                token = "Bearer " + tokens_of_users(base, 1)[0]
                many = tokens_of_users(base, USERS)
                tokens_file.write_text("\n".join("Bearer " + t for t in many) + "\n")
            for c in (1, 16):
                row(f"GET /health c={c} cache={cache}", base, "/health", c)
                row(f"GET /auth/me c={c} cache={cache}", base, "/auth/me", c, AUTHORIZATION=token)
            row(
                f"GET /auth/me c=16 cache={cache} {USERS} users",
                base,
                "/auth/me",
                16,
                TOKENS_FILE=str(tokens_file),
            )
    with run.server(project, **settings) as base:  # default bcrypt cost for the login row
        results.update(sequential_latency(base, SEQUENTIAL))
    for key in (
        "POST /auth/token (password)",
        "POST /auth/token (refresh_token)",
        "GET /auth/me (sequential)",
    ):
        figures = results[key]
        print(f"  {key:40s} p50 {figures['p50_ms']:8.2f} ms  p95 {figures['p95_ms']:8.2f} ms")
    return results


def evaluate(results: dict[str, dict[str, float]]) -> list[tuple[str, float, float, bool]]:
    """The issue's targets, as ratios within this run."""
    targets = []
    for c in (1, 16):
        ratio = (
            results[f"GET /auth/me c={c} cache=5"]["rps"]
            / results[f"GET /health c={c} cache=5"]["rps"]
        )
        targets.append(
            (f"/auth/me >= 0.70 of /health, cache on (c={c})", ratio, 0.70, ratio >= 0.70)
        )
    ratio = results["GET /auth/me c=16 cache=0"]["rps"] / results["GET /health c=16 cache=0"]["rps"]
    targets.append(("/auth/me >= 0.30 of /health, cache off (c=16)", ratio, 0.30, ratio >= 0.30))
    p99 = results["GET /auth/me c=16 cache=0"]["p99_ms"]
    targets.append(("/auth/me p99 < 20 ms, cache off (c=16)", p99, 20, p99 < 20))
    return [(name, round(value, 3), limit, ok) for name, value, limit, ok in targets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per row")
    parser.add_argument("--project", type=Path, help="benchmark this rendered project")
    parser.add_argument("--database-url", help="database for the server (default: SQLite)")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project.resolve() if args.project else run.render_project(Path(tmp))
        env = run._env(**({"DATABASE_URL": args.database_url} if args.database_url else {}))
        for command in run.prestart_commands(project):  # migrations, as `make server` does
            subprocess.run(command, shell=True, cwd=project, check=True, env=env)
        print(f"loading {project} ({args.database_url or 'SQLite'}) ...", flush=True)
        results = measure(project, args.duration, args.database_url)
    targets = evaluate(results)
    database = "postgresql" if args.database_url else "sqlite"
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"sessions-{database}.json"
    out.write_text(json.dumps({"rows": results, "targets": targets}, indent=2) + "\n")
    print()
    for name, value, limit, ok in targets:
        print(f"{'PASS' if ok else 'FAIL'} {name}: {value} (limit {limit})")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
