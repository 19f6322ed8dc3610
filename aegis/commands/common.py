"""Options and reporting shared by the commands that change an existing project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from aegis.console import console
from aegis.errors import UpdateConflictError
from aegis.existing import Outcome

ProjectPathOption = Annotated[
    Path, typer.Option("--project-path", "-p", help="The project to change.")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def confirm(question: str, *, yes: bool) -> bool:
    """Ask ``question`` on a terminal; without one, or with ``--yes``, proceed."""
    if yes or not sys.stdin.isatty():
        return True
    return typer.confirm(question, default=True)


def report_outcome(project_dir: Path, outcome: Outcome, *, action: str) -> None:
    """Print what changed; on conflicts, say how to finish and exit non-zero.

    Raises:
        UpdateConflictError: Files were left with conflict markers.
    """
    if outcome.conflicts:
        console.print(f"[yellow]![/] {action} with conflicts in:", highlight=False)
        for path in outcome.conflicts:
            console.print(f"  {path}", highlight=False)
        raise UpdateConflictError(
            f"{len(outcome.conflicts)} file(s) have conflict markers (<<<<<<<): edit them, then "
            f"'git -C {project_dir} add -A && git -C {project_dir} commit' to finish"
        )
    console.print(
        f"[green]✓[/] {action}: {len(outcome.changed)} file(s) changed, committed "
        f"(review with 'git -C {project_dir} show --stat')",
        highlight=False,
    )
