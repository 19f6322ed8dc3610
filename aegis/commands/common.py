"""Options and reporting shared by the commands that change an existing project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from aegis.console import console, error_console
from aegis.errors import UpdateConflictError
from aegis.existing import Outcome, Project
from aegis.project import default_python_version
from aegis.render import write_env
from aegis.tasks import post_generation_steps, run_steps

ProjectPathOption = Annotated[
    Path, typer.Option("--project-path", "-p", help="The project to change.")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
SkipTasksOption = Annotated[
    bool, typer.Option("--skip-tasks", help="Do not install or test afterwards.")
]


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool) -> None:
    """Ask ``question`` on a terminal; without one, or with ``--yes``, proceed.

    Raises:
        typer.Exit: The answer was no (exit code 1, after saying nothing changed).
    """
    if yes or not _stdin_is_terminal():
        return
    if not typer.confirm(question, default=True):
        error_console.print("Aborted: nothing changed.", markup=False, highlight=False)
        raise typer.Exit(code=1)


def report_outcome(project_dir: Path, outcome: Outcome, *, action: str) -> None:
    """Print what changed; on conflicts, say how to finish and exit non-zero.

    Raises:
        UpdateConflictError: Files were left with conflict markers.
    """
    for path in outcome.kept:
        console.print(
            f"  kept {path}: yours, changed since it was generated", markup=False, highlight=False
        )
    if outcome.conflicts:
        console.print(f"[yellow]![/] {escape(action)} with conflicts in:", highlight=False)
        for path in outcome.conflicts:
            console.print(f"  {path}", markup=False, highlight=False)
        console.print(
            "Next: resolve the <<<<<<< / >>>>>>> markers in those files, then\n"
            f"  cd {project_dir}\n"
            "  git add -A && git commit -m 'Resolve template update conflicts'\n"
            "  uv sync && make test",
            markup=False,
            highlight=False,
        )
        raise UpdateConflictError(
            f"{len(outcome.conflicts)} file(s) have conflict markers (<<<<<<<): edit them, then "
            f"'git -C {project_dir} add -A && git -C {project_dir} commit' to finish"
        )
    console.print(
        "[green]✓[/] "
        + escape(
            f"{action}: {len(outcome.changed)} file(s) changed, committed "
            f"(review with 'git -C {project_dir} show --stat')"
        ),
        highlight=False,
    )


def run_post_tasks(project: Project) -> None:
    """Give ``.env`` any new settings, then install and test the project, as ``init`` does."""
    write_env(project.path)
    python = str(project.answers.get("python_version") or default_python_version())
    run_steps(post_generation_steps(python_version=python, run_tests=True), project.path, console)
