"""Slow end-to-end tests: real installs with uv, and rendering from a built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def _environment() -> dict[str, str]:
    """This process's environment, without the virtual environment aegis may run in."""
    return {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}


def _steps_script(project: Path, *, run_tests: bool) -> str:
    """Python code that runs the steps aegis runs after rendering, in `project`."""
    return (
        "from pathlib import Path; from aegis.console import console;"
        "from aegis.tasks import post_generation_steps, run_steps;"
        f"run_steps(post_generation_steps(python_version='3.11', run_tests={run_tests}),"
        f" Path({str(project)!r}), console)"
    )


def _aegis(*args: str, cwd: Path, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    env = _environment()
    return subprocess.run(
        [python, "-m", "aegis", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_init_with_tasks_installs_the_project_and_its_suite_passes(tmp_path: Path) -> None:
    result = _aegis("init", "my-app", "-s", "auth", "-c", "database", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ Installing dependencies" in result.stdout
    assert "✓ Running the project's tests" in result.stdout
    project = tmp_path / "my-app"
    assert (project / ".venv").is_dir()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    )
    assert status.stdout == "", "generation must leave a clean tree (uv.lock committed)"


def test_failing_step_prints_tail_and_rerun_command_and_keeps_project(tmp_path: Path) -> None:
    rendered = _aegis("init", "my-app", "--skip-tasks", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    # Break the project's suite, then run the same steps aegis runs after rendering.
    tests_dir = tmp_path / "my-app" / "tests"
    (tests_dir / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    script = _steps_script(tmp_path / "my-app", run_tests=True)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, env=_environment(), check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "1 failed" in result.stdout
    assert "uv run pytest -q" in result.stderr + result.stdout
    assert (tmp_path / "my-app" / "pyproject.toml").is_file()


def test_generated_suite_leaves_the_app_to_its_xdist_workers(tmp_path: Path) -> None:
    rendered = _aegis(
        "init", "my-app", "-s", "auth", "-c", "database", "--skip-tasks", cwd=tmp_path
    )
    assert rendered.returncode == 0, rendered.stderr
    project = tmp_path / "my-app"
    env = _environment()
    subprocess.run(["uv", "sync", "-q"], cwd=project, env=env, check=True, capture_output=True)
    python = str(project / ".venv" / "bin" / "python")

    def pytest_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip

    # -X importtime reaches the controlling process only: xdist starts its workers
    # without it. The controller hands the tests out and must not import the app.
    distributed = pytest_run(
        "-X", "importtime", "-m", "pytest", "-q", "-n", "2", "tests/test_health.py"
    )
    assert distributed.returncode == 0, distributed.stdout + distributed.stderr
    assert "passed" in distributed.stdout
    assert "import time:" in distributed.stderr
    assert "my_app.main" not in distributed.stderr
    # Yet the fixtures are all there when asked for (`-n auto` is in the project's addopts).
    listed = pytest_run("-m", "pytest", "-q", "--fixtures")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "app -- tests/fixtures.py" in listed.stdout


def test_install_without_network_comes_from_uv_cache(tmp_path: Path) -> None:
    rendered = _aegis("init", "my-app", "--skip-tasks", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    project = tmp_path / "my-app"
    env = _environment()
    # Online first, so uv's cache holds the packages whatever ran before this test.
    subprocess.run(["uv", "sync", "-q"], cwd=project, env=env, check=True, capture_output=True)
    subprocess.run(["rm", "-rf", ".venv", "uv.lock"], cwd=project, check=True)
    script = _steps_script(project, run_tests=False)
    # A network namespace of its own: loopback only, as on a machine with no network.
    offline = f'ip link set lo up && exec {sys.executable} -c "$0"'
    result = subprocess.run(
        ["unshare", "--net", "sh", "-c", offline, script],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ Installing dependencies" in result.stdout
    assert "installed offline, from uv's cache" in result.stdout
    imported = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-c", "import my_app"], check=False
    )
    assert imported.returncode == 0


def test_wheel_ships_the_template_and_renders_from_an_installed_copy(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(dist)],
        cwd=REPO_ROOT, check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(dist.glob("aegis-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", "--quiet", str(venv)], check=True, capture_output=True)
    python = str(venv / "bin" / "python")
    subprocess.run(
        ["uv", "pip", "install", "--quiet", "--python", python, str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    work = tmp_path / "work"
    work.mkdir()
    result = _aegis("init", "my-app", "-s", "auth", "--skip-tasks", cwd=work, python=python)
    assert result.returncode == 0, result.stdout + result.stderr
    answers = (work / "my-app" / ".copier-answers.yml").read_text()
    assert str(venv) in answers, "must render from the installed package, not this checkout"
    assert (work / "my-app" / "src" / "my_app" / "auth").is_dir()
