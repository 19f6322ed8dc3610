"""Time `aegis init` (render only, and with install + tests) and print the figures.

Usage: uv run python bench/init_speed.py [--runs 5] [--skip-full]
The full run is measured with a warm uv cache: one untimed run fills it first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = ["init", "my-app", "--services", "auth", "--components", "database"]


def _time_init(extra: list[str], workdir: Path) -> float:
    target = workdir / "my-app"
    shutil.rmtree(target, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "aegis", *COMMAND, *extra],
        cwd=workdir, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def _summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
    }


def measure(runs: int, *, skip_full: bool = False) -> dict[str, dict[str, float]]:
    """Time `aegis init` `runs` times each way (after one untimed warm-up run)."""
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        _time_init(["--skip-tasks"], workdir)  # warm the bytecode caches
        render = [_time_init(["--skip-tasks"], workdir) for _ in range(runs)]
        results["init --skip-tasks"] = _summary(render)
        if not skip_full:
            _time_init([], workdir)  # warm the uv cache
            full = [_time_init([], workdir) for _ in range(runs)]
            results["init (uv sync + tests, warm cache)"] = _summary(full)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-full", action="store_true", help="only time --skip-tasks")
    args = parser.parse_args()
    results = measure(args.runs, skip_full=args.skip_full)
    print(json.dumps(results, indent=2))
    print("\n| command | median (s) | min (s) | max (s) |\n|---|---|---|---|")
    for name, figures in results.items():
        print(f"| {name} | {figures['median_s']} | {figures['min_s']} | {figures['max_s']} |")


if __name__ == "__main__":
    main()
