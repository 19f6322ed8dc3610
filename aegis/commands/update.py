"""``aegis update``: move a project to a newer template version, keeping the user's edits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from aegis import render
from aegis.commands.common import (
    ProjectPathOption,
    SkipTasksOption,
    YesOption,
    confirm,
    report_outcome,
    run_post_tasks,
)
from aegis.console import console, reports_errors, warn
from aegis.errors import InvalidOptionError
from aegis.existing import apply_update, open_project, preview_update
from aegis.source import draft_warning

_BARE_VERSION = re.compile(r"^\d+(\.\d+)*$")


@reports_errors
def update(
    project_path: ProjectPathOption = Path(),
    to_version: Annotated[
        str | None,
        typer.Option(
            "--to-version",
            help="Template version to move to (default: the installed one).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would change; write nothing.")
    ] = False,
    yes: YesOption = False,
    skip_tasks: SkipTasksOption = False,
) -> None:
    """Update a project to the installed (or a named) template version with a 3-way merge."""
    if to_version is not None and not to_version.strip():
        raise InvalidOptionError(
            "--to-version is empty: name a template version (e.g. 1.2.0), or leave the "
            "option out to update to the installed one"
        )
    project = open_project(project_path)
    ref = f"v{to_version}" if to_version and _BARE_VERSION.match(to_version) else to_version
    if dry_run:
        outcome = preview_update(project, data={}, vcs_ref=ref)
        if not outcome.changed:
            console.print(f"Already up to date ({project.version})", markup=False, highlight=False)
            return
        console.print(
            f"Would update {project.version} -> {outcome.version}:", markup=False, highlight=False
        )
        for path in outcome.changed:
            mark = " [red](conflict)[/]" if path in outcome.conflicts else ""
            console.print(f"  {escape(path)}{mark}", highlight=False)
        return
    # Only the installed template's own version can be a draft: --to-version names a commit.
    if ref is None and (warning := draft_warning(render.template_source(), project.path.name)):
        warn(warning)
    confirm(f"Update {project.path.name} from the template?", yes=yes)
    outcome = apply_update(
        project, data={}, vcs_ref=ref, message=f"Update template from {project.version} with aegis"
    )
    if not outcome.changed:
        console.print(f"Already up to date ({project.version})", markup=False, highlight=False)
        return
    report_outcome(project.path, outcome, action=f"Updated {project.version} -> {outcome.version}")
    if not skip_tasks:
        run_post_tasks(project)
