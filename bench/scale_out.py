"""Benchmark scaling out: /auth/me on 1 and 2 workers, SQLite and PostgreSQL, with and
without Redis; and the time Redis adds to a login.

Usage (from the repository root; PostgreSQL from `.ci/postgres.sh`, redis-server on PATH):
    source .ci/postgres.sh && pg_start && uv run python bench/scale_out.py [--duration 8]

Renders `auth + database` and `auth + database + redis` projects into a temporary
directory, starts its own redis-server on a free loopback port, and kills every server
it started. Prints one line per row and writes bench/results/scale_out.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests" / "reliability"))
from reliability_server import clean_env, free_port, prestart_commands  # noqa: E402
from run import bearer_token, load, server  # noqa: E402

# What a login asks of Redis: the attempt script, then DEL on success. Timed in the
# project's own interpreter against the in-process throttle doing the same calls.
THROTTLE_TIMING = """
import asyncio, json, statistics, sys, time
from redis.asyncio import Redis
from {package}.auth.redis_throttle import RedisThrottle
from {package}.auth.throttle import MemoryThrottle

async def main(url, runs):
    redis = Redis.from_url(url)
    memory = MemoryThrottle(max_failures=10, window_seconds=900)
    shared = RedisThrottle(redis, max_failures=10, window_seconds=900, fallback=memory)
    figures = {{}}
    for name, throttle in (("memory", memory), ("redis", shared)):
        medians, times = [], []
        for block in range(5):  # blocks 1 s apart: one burst of CPU steal spoils one block
            await asyncio.sleep(1)
            block_times = []
            for i in range(runs // 5):
                key = f"bench{{i % 50}}@example.com\\n127.0.0.1"
                started = time.perf_counter()
                await throttle.attempt(key)
                await throttle.reset(key)
                block_times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(block_times))
            times += block_times
        times.sort()
        figures[name] = {{
            "p50_ms": statistics.median(medians), "blocks_min_ms": min(medians),
            "blocks_max_ms": max(medians), "p99_ms": times[int(len(times) * 0.99)],
        }}
    await redis.aclose()
    print(json.dumps(figures))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def render(workdir: Path, name: str, components: str) -> Path:
    aegis = [sys.executable, "-m", "aegis", "init", name, "-s", "auth", "-c", components]
    subprocess.run(
        [*aegis, "-o", str(workdir), "--skip-tasks"], check=True, env=clean_env(),
        stdin=subprocess.DEVNULL, capture_output=True,
    )  # fmt: skip
    project = workdir / name
    subprocess.run(
        ["uv", "sync", "--extra", "postgres"], cwd=project, check=True, env=clean_env(),
        capture_output=True,
    )  # fmt: skip
    return project


def migrate(project: Path, env: dict[str, str]) -> None:
    for command in prestart_commands(project):
        subprocess.run(
            command, shell=True, cwd=project, check=True, env=clean_env(**env),
            capture_output=True,
        )  # fmt: skip


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    return proc, f"redis://127.0.0.1:{port}/0"


def throughput(projects: dict[str, Path], databases: dict[str, str], redis_url: str,
               duration: float) -> dict[str, dict[str, float]]:  # fmt: skip
    rows: dict[str, dict[str, float]] = {}
    for database, database_url in databases.items():
        for flavour, project in projects.items():
            env = {"DATABASE_URL": database_url, "PASSWORD_BCRYPT_ROUNDS": "4"}
            if flavour == "redis":
                env["REDIS_URL"] = redis_url
            migrate(project, env)
            for workers in (1, 2):
                with server(project, workers=workers, **env) as base:
                    auth = {"AUTHORIZATION": bearer_token(base)}
                    load(base + "/auth/me", connections=4, duration=2, **auth)  # warm-up
                    key = f"GET /auth/me c=16 {workers}w {database} {flavour}"
                    rows[key] = load(base + "/auth/me", connections=16, duration=duration, **auth)
                    print(f"{key:45} {rows[key]['rps']:8.0f} req/s  "
                          f"p50 {rows[key]['p50_ms']:.2f} ms  p99 {rows[key]['p99_ms']:.2f} ms",
                          flush=True)  # fmt: skip
    return rows


def login_overhead(project: Path, redis_url: str, runs: int) -> dict[str, dict[str, float]]:
    package = project.name.replace("-", "_")
    result = subprocess.run(
        [str(project / ".venv/bin/python"), "-c", THROTTLE_TIMING.format(package=package),
         redis_url, str(runs)],
        cwd=project, check=True, capture_output=True, text=True, env=clean_env(),
    )  # fmt: skip
    figures: dict[str, dict[str, float]] = json.loads(result.stdout)
    added = figures["redis"]["p50_ms"] - figures["memory"]["p50_ms"]
    figures["added_p50_ms"] = {"value": round(added, 3)}
    verdict = "PASS" if added < 1 else "FAIL"
    redis = figures["redis"]
    print(f"Redis added to a login (attempt + reset), p50 {added:.3f} ms (median of 5 block "
          f"medians, blocks {redis['blocks_min_ms']:.3f}-{redis['blocks_max_ms']:.3f}; p99 "
          f"{redis['p99_ms']:.3f}; target < 1 ms) {verdict}", flush=True)  # fmt: skip
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per row")
    parser.add_argument("--runs", type=int, default=2000, help="logins timed for the overhead")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--overhead-only", action="store_true", help="skip the throughput rows")
    args = parser.parse_args()
    postgres = os.environ.get("AEGIS_TEST_POSTGRES_URL")
    if not postgres:
        sys.exit("set AEGIS_TEST_POSTGRES_URL (source .ci/postgres.sh && pg_start)")
    with tempfile.TemporaryDirectory(prefix="aegis-scale-") as tmp:
        workdir = Path(tmp)
        projects = {
            "no-redis": render(workdir, "plain-app", "database"),
            "redis": render(workdir, "redis-app", "database,redis"),
        }
        redis, redis_url = start_redis(workdir)
        try:
            overhead = login_overhead(projects["redis"], redis_url, args.runs)
            databases = {
                "sqlite": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                "postgres": postgres,
            }
            rows = {}
            if not args.overhead_only:
                rows = throughput(projects, databases, redis_url, args.duration)
        finally:
            redis.kill()
            redis.wait()
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"throughput": rows, "login_redis_overhead": overhead}
    (args.out / "scale_out.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
