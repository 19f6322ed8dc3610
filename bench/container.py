"""Container figures for the generated auth + database project: size, build and start-up.

Usage (from the repository root, as root, with docker.io and debootstrap installed):
    uv run python bench/container.py [--starts 3]

Uses the same daemon and local base image as tests/test_container.py. Prints the image
size (and the base image's), build times (without layer cache, unchanged, after a
source change), and the seconds `docker run` takes and from then to the first healthy
answer of /health. Every container and image made here is removed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from docker_host import (  # noqa: E402
    Deployment,
    Docker,
    base_image_name,
    daemon,
    ensure_base_image,
    missing_tools,
    render_project,
)


def _size_mb(docker: Docker, image: str) -> float:
    size = docker.run("image", "inspect", "--format", "{{ .Size }}", image).stdout
    return int(size) / 1e6


def _build(docker: Docker, project: Path, tag: str, *options: str) -> float:
    started = time.monotonic()
    docker.run("build", "--network", "host", *options, "--tag", tag, project)
    return time.monotonic() - started


def _figures(seconds: list[float]) -> str:
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    return f"{statistics.median(seconds):.2f} s median of {len(seconds)} ({runs})"


def main() -> None:
    """Build, rebuild and start the image; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="start-ups to time")
    args = parser.parse_args()
    if missing := missing_tools():
        raise SystemExit(f"needs: {', '.join(missing)}")
    tag = f"aegis-bench-box:{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory() as root, daemon() as docker:
        project = render_project(Path(root), "box")
        base = base_image_name(project / "Dockerfile")
        ensure_base_image(docker, base)
        try:
            cold = _build(docker, project, tag, "--no-cache")
            unchanged = _build(docker, project, tag)
            main_py = project / "src/box/main.py"
            # A change never built before (BuildKit would find an identical one in its cache).
            main_py.write_text(f"{main_py.read_text()}\n# change {uuid.uuid4().hex}\n")
            changed = _build(docker, project, tag)
            runs, answers = [], []
            for _ in range(args.starts):
                deployment = Deployment(docker, tag)
                try:
                    run, answer = deployment.serve()
                finally:
                    deployment.close()
                runs.append(run)
                answers.append(answer)
            print(f"image size:                {_size_mb(docker, tag):.0f} MB "
                  f"(base image {base}: {_size_mb(docker, base):.0f} MB)")  # fmt: skip
            print(f"build, no layer cache:     {cold:.1f} s (uv's download cache kept)")
            print(f"build, nothing changed:    {unchanged:.1f} s")
            print(f"build after a code change: {changed:.1f} s (dependency layer cached)")
            print(f"docker run (create+start): {_figures(runs)}")
            print(f"then first healthy answer: {_figures(answers)}")
        finally:
            docker.run("image", "rm", "--force", tag, check=False)


if __name__ == "__main__":
    main()
