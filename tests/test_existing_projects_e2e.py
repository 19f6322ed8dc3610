"""Slow: add and update on real projects, from this checkout and from installed wheels."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

# Anything that tries the network fails fast: git may only use local files, and
# HTTP clients are sent to a closed loopback port.
OFFLINE = {
    "GIT_ALLOW_PROTOCOL": "file",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "UV_OFFLINE": "1",
}


def _run(*args: str, cwd: Path, extra_env: dict[str, str] | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | (extra_env or {})
    result = subprocess.run(
        list(args), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _edit_and_commit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))
    _run("git", "commit", "-qam", "user edit", cwd=project)


def test_add_auth_to_a_changed_backend_project_keeps_the_change_and_passes(
    tmp_path: Path,
) -> None:
    aegis = (sys.executable, "-m", "aegis")
    _run(*aegis, "init", "my-app", "--skip-tasks", cwd=tmp_path)
    project = tmp_path / "my-app"
    _edit_and_commit(project, "README.md", "# my-app", "# my-app\n\nOur own words.")
    out = _run(*aegis, "add", "auth", "-p", str(project), "--yes", cwd=tmp_path)
    assert "database added (required by auth)" in out
    assert "✓ Running the project's tests" in out
    assert "Our own words." in (project / "README.md").read_text()
    assert (project / "src" / "my_app" / "auth").is_dir()
    assert "JWT_SECRET_KEY=" in (project / ".env").read_text()
    assert _run("git", "status", "--porcelain", cwd=project) == ""


def _build_wheel(repo: Path, version: str, dist: Path) -> Path:
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index('version = "') + len('version = "')
    pyproject.write_text(text[:start] + version + text[text.index('"', start) :])
    _run("git", "commit", "-qam", f"Release {version}", "--allow-empty", cwd=repo)
    _run("git", "tag", "-f", f"v{version}", cwd=repo)
    _run("uv", "build", "--wheel", "--out-dir", str(dist), cwd=repo)
    return dist / f"aegis-{version}-py3-none-any.whl"


def test_update_and_add_from_installed_wheels_offline(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _run("git", "clone", "--quiet", str(REPO_ROOT), str(repo), cwd=tmp_path)
    wheel_v1 = _build_wheel(repo, "90.1.0", tmp_path / "dist")
    venv = tmp_path / "venv"
    _run("uv", "venv", "--quiet", str(venv), cwd=tmp_path)
    python = str(venv / "bin" / "python")
    _run("uv", "pip", "install", "--quiet", "--python", python, str(wheel_v1), cwd=tmp_path)
    shutil.rmtree(repo / "dist", ignore_errors=True)

    work = tmp_path / "work"
    work.mkdir()
    _run(python, "-m", "aegis", "init", "my-app", "--skip-tasks", cwd=work, extra_env=OFFLINE)
    project = work / "my-app"
    assert "_commit: v90.1.0" in (project / ".copier-answers.yml").read_text()
    assert str(venv) in (project / ".copier-answers.yml").read_text()
    _edit_and_commit(project, "README.md", "# my-app", "# my-app\n\nOur own words.")

    # A new release changes a template file the user did not touch.
    makefile = repo / "templates" / "Makefile.jinja"
    makefile.write_text(makefile.read_text() + "\n# release 90.2.0\n")
    _run("git", "commit", "-qam", "Template change", cwd=repo)
    wheel_v2 = _build_wheel(repo, "90.2.0", tmp_path / "dist")
    _run("uv", "pip", "install", "--quiet", "--python", python, str(wheel_v2), cwd=tmp_path)

    out = _run(python, "-m", "aegis", "update", "-p", str(project), "--yes", "--skip-tasks",
               cwd=work, extra_env=OFFLINE)  # fmt: skip
    assert "v90.1.0 -> v90.2.0" in out
    assert "# release 90.2.0" in (project / "Makefile").read_text()
    assert "Our own words." in (project / "README.md").read_text()

    _run(python, "-m", "aegis", "add", "auth", "-p", str(project), "--yes", "--skip-tasks",
         cwd=work, extra_env=OFFLINE)  # fmt: skip
    assert (project / "src" / "my_app" / "auth").is_dir()
    assert "Our own words." in (project / "README.md").read_text()
    assert _run("git", "status", "--porcelain", cwd=project) == ""

    _run(python, "-m", "aegis", "remove", "auth", "-p", str(project), "--yes", "--skip-tasks",
         cwd=work, extra_env=OFFLINE)  # fmt: skip
    assert not (project / "src" / "my_app" / "auth").exists()
    assert "Our own words." in (project / "README.md").read_text()
    assert _run("git", "status", "--porcelain", cwd=project) == ""
