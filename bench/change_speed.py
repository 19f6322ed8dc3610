"""Time `aegis update`, `remove` and `add` on the headline project, with their tasks.

Usage: uv run python bench/change_speed.py [--runs 3]

Each run clones this repository (committed state) and tags it v90.1.0, generates
`my-app` (auth + database) from it, releases a template change as v90.2.0, then times
`aegis update`, `aegis remove auth` and `aegis add auth`, each with its install and
test tasks, on a warm uv cache (one untimed run fills it first). Also prints where
`aegis init`'s time goes, from the step durations it reports.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STEP = re.compile(r"^✓ (?P<label>.+?)(?:: [^()]*)? \((?P<seconds>[\d.]+)s\)$")


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | (env or {})
    result = subprocess.run(
        list(args), cwd=cwd, env=environment, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def one_round(work: Path) -> dict[str, float]:
    """Time init, update, remove and add once, in a fresh clone."""
    repo = work / "aegis"
    _run("git", "clone", "--quiet", str(REPO), str(repo), cwd=work)
    _run("git", "tag", "v90.1.0", cwd=repo)
    aegis = (sys.executable, "-m", "aegis")
    env = {"PYTHONPATH": str(repo)}
    times: dict[str, float] = {}
    started = time.perf_counter()
    out = _run(*aegis, "init", "my-app", "-s", "auth", "-c", "database", cwd=work, env=env)
    times["init"] = time.perf_counter() - started
    for line in out.splitlines():
        if match := STEP.match(line.strip()):
            times[f"  init: {match['label']}"] = float(match["seconds"])
    makefile = repo / "templates" / "Makefile.jinja"
    makefile.write_text(makefile.read_text() + "\n# release 90.2.0\n")
    _run("git", "commit", "-qam", "Template change", cwd=repo)
    _run("git", "tag", "v90.2.0", cwd=repo)
    project = str(work / "my-app")
    for name, command in (
        ("update", ("update",)),
        ("remove auth", ("remove", "auth")),
        ("add auth", ("add", "auth")),
    ):
        started = time.perf_counter()
        _run(*aegis, *command, "-p", project, "--yes", cwd=work, env=env)
        times[name] = time.perf_counter() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    for index in range(args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            figures = one_round(Path(tmp))
        if index:  # the first round only warms the uv cache
            rounds.append(figures)
    print(f"| command (median of {args.runs}, warm uv cache) | median (s) | min (s) | max (s) |")
    print("|---|---|---|---|")
    for name in rounds[0]:
        samples = [figures[name] for figures in rounds if name in figures]
        print(f"| {name} | {statistics.median(samples):.2f} | {min(samples):.2f} | "
              f"{max(samples):.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
