"""Benchmark the generator and the generated auth service; write JSON, Markdown and a chart.

Usage (from the repository root):
    uv run --with matplotlib python bench/run.py [--duration 10] [--init-runs 5]
        [--project DIR] [--skip-init] [--out bench/results]

Renders `my-app` (auth + database) into a temporary directory, or benchmarks an
existing rendered project with --project. All traffic goes to 127.0.0.1; every server
started here is killed in a finally block. See bench/README.md for what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import init_speed  # noqa: E402
import login_overhead  # noqa: E402

sys.path.insert(0, str(BENCH.parent / "tests" / "reliability"))
from reliability_server import prestart_commands, render_project  # noqa: E402

HOST = "127.0.0.1"
EMAIL = "bench@example.com"
PASSWORD = "bench-password-1"
LOGIN_BODY = urllib.parse.urlencode({"username": EMAIL, "password": PASSWORD})
FORM = "application/x-www-form-urlencoded"


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return {**env, **overrides}


def _package(project: Path) -> str:
    data = tomllib.loads((project / "pyproject.toml").read_text())
    return str(data["project"]["name"]).replace("-", "_")


def _prestart(project: Path) -> None:
    """Run what `make server` runs before uvicorn (e.g. migrations), if anything."""
    for command in prestart_commands(project):
        subprocess.run(command, shell=True, cwd=project, check=True, env=_env())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 2.0) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
        return int(response.status)


@contextmanager
def server(project: Path, *, workers: int = 1, **settings: str) -> Iterator[str]:
    """Serve the project with uvicorn on a free loopback port; yield its base URL.

    ``settings`` are extra environment variables for the server (e.g. settings).
    """
    port = _free_port()
    command = [
        str(project / ".venv/bin/python"),
        "-m",
        "uvicorn",
        "--factory",
        f"{_package(project)}.main:create_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    log = (project / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        command, cwd=project, env=_env(**settings), stdout=log, stderr=log, start_new_session=True
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/health") == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; see {log.name}")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # our own session: uvicorn and its workers
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def bearer_token(base: str) -> str:
    """Register the bench user (if needed) and log in; return `Bearer <token>`."""
    body = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/auth/register", body, {"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(request, timeout=30).close()  # noqa: S310 (loopback)
    except urllib.error.HTTPError as error:
        if error.code != 409:
            raise
    request = urllib.request.Request(f"{base}/auth/token", LOGIN_BODY.encode(), {})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return "Bearer " + json.load(response)["access_token"]


def _load_command(url: str, connections: int, duration: float, shape: dict[str, str]) -> list[str]:
    if shutil.which("wrk"):
        return [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration:g}s",
            "--timeout",
            "60s",
            "-s",
            str(BENCH / "wrk_report.lua"),
            url,
        ]
    command = [
        sys.executable,
        str(BENCH / "loadgen.py"),
        url,
        "--connections",
        str(connections),
        "--duration",
        str(duration),
    ]
    for key, flag in (
        ("METHOD", "--method"),
        ("BODY", "--body"),
        ("CONTENT_TYPE", "--content-type"),
        ("AUTHORIZATION", "--authorization"),
    ):
        if shape.get(key):
            command += [flag, shape[key]]
    return command


def start_load(
    url: str, *, connections: int, duration: float, **shape: str
) -> subprocess.Popen[str]:
    """Start a load generator process (wrk, else bench/loadgen.py) against a loopback URL."""
    env = _env(**{f"BENCH_{key}": value for key, value in shape.items()})
    return subprocess.Popen(
        _load_command(url, connections, duration, shape),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_load(proc: subprocess.Popen[str]) -> dict[str, float]:
    """Wait for a load generator and return its summary with requests/s added."""
    output, _ = proc.communicate(timeout=600)
    lines = [line for line in output.splitlines() if line.startswith("BENCH_JSON ")]
    if not lines:
        raise RuntimeError(f"load generator printed no summary:\n{output}")
    summary: dict[str, float] = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    summary["rps"] = round(summary["requests"] / summary["duration_s"], 1)
    return summary


def load(url: str, *, connections: int, duration: float, **shape: str) -> dict[str, float]:
    """Run one load generator to completion."""
    return finish_load(start_load(url, connections=connections, duration=duration, **shape))


# (bcrypt cost, blocks, pairs per block). Thread wake-ups on this VM drift from
# second to second: in one 2-minute run, 20 blocks of 200 pairs at cost 4 had medians
# from 2.55 to 4.2 ms. One block is one draw from that spread; the median of blocks
# spaced a few seconds apart is the figure to compare with a limit.
OVERHEAD_PLAN = ((12, 1, 100), (4, 5, 100))
BLOCK_PAUSE_S = 3.0


def measure_login_overhead(project: Path) -> dict[str, dict[str, float]]:
    """What a login costs beyond its bcrypt verification, in matched pairs (ms).

    At the default cost 12, where bcrypt's own drift is several ms, and at cost 4, where
    the hash takes ~1 ms and the overhead shows almost without noise.
    """
    results = {}
    for cost, blocks, pairs in OVERHEAD_PLAN:
        with server(project, PASSWORD_BCRYPT_ROUNDS=str(cost)) as base:
            bearer_token(base)
            parts = []
            for block in range(blocks):
                if block:
                    time.sleep(BLOCK_PAUSE_S)
                parts.append(
                    login_overhead.measure(
                        project, base, email=EMAIL, password=PASSWORD, cost=cost, rounds=pairs
                    )
                )
            key = f"bcrypt cost {cost}"
            results[key] = combine_blocks(parts)
            print(f"  login overhead, {key:31s} {results[key]['overhead_p50_ms']:8.2f} ms")
    return results


def combine_blocks(parts: list[dict[str, float]]) -> dict[str, float]:
    """Median of the blocks' medians, with the spread of their overheads."""
    overheads = [part["overhead_p50_ms"] for part in parts]
    return {
        "bcrypt_cost": parts[0]["bcrypt_cost"],
        "blocks": len(parts),
        "rounds": sum(part["rounds"] for part in parts),
        "login_p50_ms": round(statistics.median(part["login_p50_ms"] for part in parts), 2),
        "bare_verify_p50_ms": round(
            statistics.median(part["bare_verify_p50_ms"] for part in parts), 2
        ),
        "overhead_p50_ms": round(statistics.median(overheads), 2),
        "overhead_min_ms": min(overheads),
        "overhead_max_ms": max(overheads),
    }


# Interleaved rounds per idle/loaded row: a burst of CPU steal on a shared machine then
# spoils one round, not a whole row (the median of the rounds' percentiles is kept).
ROUNDS = 3


def measure_service(project: Path, duration: float) -> dict[str, dict[str, float]]:
    """Measure every scenario of bench/README.md against one and then two workers.

    The `/health` and `/auth/me` rows, idle and under login load, are what the
    slowdown targets compare, so they are measured in interleaved rounds.
    """
    results: dict[str, dict[str, float]] = {}
    rounds: dict[str, list[dict[str, float]]] = {}
    login = {"METHOD": "POST", "BODY": LOGIN_BODY, "CONTENT_TYPE": FORM}
    part = float(max(1, round(duration / ROUNDS)))  # wrk takes whole seconds only
    with server(project) as base:
        auth = bearer_token(base)
        shapes = {
            "GET /health": ("/health", {}),
            "GET /auth/me": ("/auth/me", {"AUTHORIZATION": auth}),
        }
        for path, shape in shapes.values():
            load(base + path, connections=4, duration=2, **shape)  # warm-up
        for _ in range(ROUNDS):
            for connections in (1, 16):
                for name, (path, shape) in shapes.items():
                    key = f"{name} c={connections}"
                    figures = load(base + path, connections=connections, duration=part, **shape)
                    rounds.setdefault(key, []).append(figures)
            for connections in (1, 16):
                logins = start_load(
                    base + "/auth/token", connections=4, duration=2 * part + 2, **login
                )
                time.sleep(1)  # let the 4 login loops get going
                for name, (path, shape) in shapes.items():
                    key = f"{name} c={connections} + 4 logging in"
                    figures = load(base + path, connections=connections, duration=part, **shape)
                    rounds.setdefault(key, []).append(figures)
                finish_load(logins)
                # wrk abandons its in-flight logins at the end; the server still hashes
                # them. One more login queues behind them, so the next row starts idle.
                bearer_token(base)
        for key, parts in rounds.items():
            results[key] = merge(parts)
            _progress(key, results[key])
        for connections in (1, 16):
            key = f"POST /auth/token c={connections}"
            results[key] = load(
                base + "/auth/token", connections=connections, duration=duration, **login
            )
            _progress(key, results[key])
    shapes["POST /auth/token"] = ("/auth/token", login)
    with server(project, workers=2) as base:
        for name, (path, shape) in shapes.items():
            load(base + path, connections=4, duration=2, **shape)  # warm both workers
            key = f"{name} c=16 workers=2"
            results[key] = load(base + path, connections=16, duration=duration, **shape)
            _progress(key, results[key])
    return results


def merge(parts: list[dict[str, float]]) -> dict[str, float]:
    """Combine the rounds of one row: counts add up, percentiles are the rounds' median."""
    merged = {
        key: round(statistics.median(figures[key] for figures in parts), 3)
        for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms")
    }
    merged["max_ms"] = max(figures["max_ms"] for figures in parts)
    for key in ("requests", "duration_s", "non_2xx", "socket_errors"):
        merged[key] = sum(figures[key] for figures in parts)
    merged["rps"] = round(merged["requests"] / merged["duration_s"], 1)
    merged["rounds"] = len(parts)
    return merged


def _progress(key: str, figures: dict[str, float]) -> None:
    print(
        f"  {key:40s} {figures['rps']:9.1f} req/s  p50 {figures['p50_ms']:8.2f} ms  "
        f"p95 {figures['p95_ms']:8.2f} ms  p99 {figures['p99_ms']:8.2f} ms",
        flush=True,
    )


def evaluate(
    service: dict[str, dict[str, float]], overhead: dict[str, dict[str, float]]
) -> list[dict[str, object]]:
    """Check the issue's targets as ratios within this run."""
    targets: list[dict[str, object]] = []

    def check(name: str, value: float, limit: float, ok: bool, unit: str = "") -> None:
        targets.append(
            {
                "target": name,
                "value": round(value, 3),
                "limit": round(limit, 3),
                "unit": unit,
                "pass": ok,
            }
        )

    login_ms = service["POST /auth/token c=1"]["p50_ms"]
    for c in (1, 16):
        ratio = service[f"GET /auth/me c={c}"]["rps"] / service[f"GET /health c={c}"]["rps"]
        check(f"GET /auth/me req/s >= 40% of GET /health (c={c})", ratio, 0.40, ratio >= 0.40)
    for c in (1, 16):
        me = service[f"GET /auth/me c={c} + 4 logging in"]["p95_ms"]
        check(
            f"GET /auth/me p95 under login load < 1/4 login (c={c})",
            me,
            login_ms / 4,
            me < login_ms / 4,
            "ms",
        )
        # A ratio below 1 is no slowdown at all: on this VM the idle c=1 rows are often
        # slower than the loaded ones (busy CPUs wake faster than idle ones), and
        # comparing two speed-ups would only compare noise.
        slow_me = max(1.0, me / service[f"GET /auth/me c={c}"]["p95_ms"])
        slow_health = max(
            1.0,
            service[f"GET /health c={c} + 4 logging in"]["p95_ms"]
            / service[f"GET /health c={c}"]["p95_ms"],
        )
        # 10% allowance: two p95 ratios from separate runs are not more precise than that.
        check(
            f"GET /auth/me p95 slowdown under login load <= GET /health's (c={c})",
            slow_me,
            slow_health * 1.1,
            slow_me <= slow_health * 1.1,
            "x",
        )
    # Checked where the measurement resolves it: at cost 4 the overhead is measured to
    # ~0.1 ms; at cost 12 bcrypt's own jitter (~2 ms even between two bare verifiers
    # over 60 pairs) is as large as the margin. The cost-12 figure is in the report.
    precise = overhead["bcrypt cost 4"]["overhead_p50_ms"]
    check(
        "POST /auth/token overhead over a bare verify (median of blocks, bcrypt cost 4)",
        precise,
        5,
        precise <= 5,
        "ms",
    )
    return targets


def markdown(report: dict) -> str:
    """Render the report as Markdown tables."""
    lines = ["# Benchmark results", "", f"{report['machine']}", ""]
    if report.get("init"):
        lines += [
            "## Generator",
            "",
            "| command | median (s) | min (s) | max (s) |",
            "|---|---|---|---|",
        ]
        for name, f in report["init"].items():
            lines.append(f"| {name} | {f['median_s']} | {f['min_s']} | {f['max_s']} |")
        lines.append("")
    lines += [
        "## Generated service",
        "",
        f"Load generator: {report['load_generator']}, {report['duration_s']} s per row.",
        "",
        "| scenario | req/s | p50 (ms) | p95 (ms) | p99 (ms) | non-2xx |",
        "|---|---|---|---|---|---|",
    ]
    for name, f in report["service"].items():
        lines.append(
            f"| {name} | {f['rps']} | {f['p50_ms']:.2f} | {f['p95_ms']:.2f} "
            f"| {f['p99_ms']:.2f} | {f['non_2xx']} |"
        )
    lines += [
        "",
        "## Login overhead",
        "",
        "Each round: one login on a kept-alive connection to the idle server and one bare",
        "pwdlib bcrypt verification at the same cost in a separate process, in alternating",
        "order. Rounds come in blocks a few seconds apart; figures are medians of the",
        "blocks' medians, and the range is that of the blocks' overheads.",
        "",
        "| bcrypt cost | blocks | rounds | login p50 (ms) | bare verify p50 (ms) "
        "| overhead p50 (ms) | range (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in report["login_overhead"].values():
        lines.append(
            f"| {f['bcrypt_cost']} | {f['blocks']} | {f['rounds']} | {f['login_p50_ms']} "
            f"| {f['bare_verify_p50_ms']} | {f['overhead_p50_ms']} "
            f"| {f['overhead_min_ms']}–{f['overhead_max_ms']} |"
        )
    lines += ["", "## Targets", "", "| target | measured | limit | result |", "|---|---|---|---|"]
    for t in report["targets"]:
        lines.append(
            f"| {t['target']} | {t['value']} {t['unit']} | {t['limit']} {t['unit']} "
            f"| {'PASS' if t['pass'] else 'FAIL'} |"
        )
    return "\n".join(lines) + "\n"


def chart(report: dict, path: Path) -> bool:
    """Draw p50/p95/p99 per scenario (log scale); False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    names = list(report["service"])
    fig, ax = plt.subplots(figsize=(12, 0.45 * len(names) + 1.5))
    height = 0.27
    for i, (key, label) in enumerate((("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99"))):
        values = [report["service"][n][key] for n in names]
        ax.barh([y + (i - 1) * height for y in range(len(names))], values, height, label=label)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("latency (ms, log scale)")
    ax.set_title("Generated service latency percentiles (one uvicorn worker unless noted)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--init-runs", type=int, default=5)
    parser.add_argument("--skip-init", action="store_true", help="do not time aegis init")
    parser.add_argument("--project", type=Path, help="benchmark this rendered project")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args()
    report: dict = {
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}",
        "load_generator": "wrk" if shutil.which("wrk") else "bench/loadgen.py (asyncio)",
        "duration_s": args.duration,
    }
    if not args.skip_init:
        print("timing aegis init ...", flush=True)
        report["init"] = init_speed.measure(args.init_runs)
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project.resolve() if args.project else render_project(Path(tmp))
        _prestart(project)
        print(f"loading {project} ...", flush=True)
        report["service"] = measure_service(project, args.duration)
        report["login_overhead"] = measure_login_overhead(project)
    report["targets"] = evaluate(report["service"], report["login_overhead"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "results.md").write_text(markdown(report))
    drawn = chart(report, args.out / "latency.png")
    print()
    for t in report["targets"]:
        print(
            f"{'PASS' if t['pass'] else 'FAIL'} {t['target']}: "
            f"{t['value']} {t['unit']} (limit {t['limit']} {t['unit']})"
        )
    print(f"\nwrote {args.out}/results.json, results.md" + (", latency.png" if drawn else ""))
    if args.check and not all(t["pass"] for t in report["targets"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
