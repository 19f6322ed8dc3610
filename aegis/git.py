"""The few git operations Aegis needs on a generated project."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from aegis.errors import GitMissingError

# Used only when the user has no git identity, so the first commit cannot fail on it.
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "Aegis",
    "GIT_AUTHOR_EMAIL": "aegis@localhost",
    "GIT_COMMITTER_NAME": "Aegis",
    "GIT_COMMITTER_EMAIL": "aegis@localhost",
}


def require_git() -> None:
    """Refuse to go on without git: every project is a git repository.

    Raises:
        GitMissingError: No ``git`` on ``PATH``.
    """
    if shutil.which("git") is None:
        raise GitMissingError(
            "git is not installed (no 'git' on PATH): Aegis keeps every project in a git "
            "repository; install git and retry"
        )


def run_git(*args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> str:
    """Run ``git ARGS`` in ``cwd`` and return its standard output.

    Raises:
        subprocess.CalledProcessError: git exited non-zero (unless ``check`` is false).
    """
    result = subprocess.run(
        ["git", *args], cwd=cwd, check=check, capture_output=True, text=True, env=env
    )
    return result.stdout


def _env_with_identity(cwd: Path) -> dict[str, str]:
    """Return the environment, plus a fallback identity when git has none configured."""
    env = dict(os.environ)
    probe = subprocess.run(
        ["git", "config", "user.email"], cwd=cwd, capture_output=True, text=True, check=False
    )
    if not probe.stdout.strip():
        for key, value in _FALLBACK_IDENTITY.items():
            env.setdefault(key, value)
    return env


def commit_all(project_dir: Path, message: str) -> None:
    """Make ``project_dir`` a git repository (if needed) and commit everything in it."""
    if not (project_dir / ".git").exists():
        run_git("init", "--quiet", "--initial-branch=main", cwd=project_dir)
    run_git("add", "--all", cwd=project_dir)
    env = _env_with_identity(project_dir)
    run_git(
        "commit", "--quiet", "--allow-empty", "--no-verify", "-m", message, cwd=project_dir, env=env
    )


def commit_file(project_dir: Path, path: str, message: str) -> None:
    """Commit ``path`` alone, whatever else in ``project_dir`` is changed."""
    run_git("add", "--", path, cwd=project_dir)
    env = _env_with_identity(project_dir)
    run_git("commit", "--quiet", "--no-verify", "-m", message, "--", path, cwd=project_dir, env=env)


def dirty_files(directory: Path) -> list[str]:
    """Return the paths under ``directory`` git reports as changed or untracked.

    Empty when clean. The paths are relative to the top of the work tree.
    """
    output = run_git("status", "--porcelain", "--untracked-files=all", "--", ".", cwd=directory)
    return [line[3:] for line in output.splitlines() if line.strip()]


def is_repository(project_dir: Path) -> bool:
    """Return whether ``project_dir`` is the top of a git work tree."""
    try:
        top = run_git("rev-parse", "--show-toplevel", cwd=project_dir).strip()
    except (subprocess.CalledProcessError, OSError):
        return False
    return Path(top).resolve() == project_dir.resolve()


def uncommitted_changes(directory: Path) -> list[str]:
    """Return the changed or untracked paths under ``directory`` in its git work tree.

    Empty when ``directory`` is in no work tree (or git is missing): nothing git
    tracks can be lost there.
    """
    try:
        inside = run_git("rev-parse", "--is-inside-work-tree", cwd=directory, check=False)
        return dirty_files(directory) if inside.strip() == "true" else []
    except (subprocess.CalledProcessError, OSError):
        return []
