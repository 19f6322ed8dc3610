"""``aegis add``: bring components or services into an existing project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aegis import catalog
from aegis.catalog import Kind
from aegis.commands.common import (
    ProjectPathOption,
    SkipTasksOption,
    YesOption,
    confirm,
    report_outcome,
    run_post_tasks,
)
from aegis.console import console, reports_errors, split_names
from aegis.errors import InvalidOptionError
from aegis.existing import Project, apply_update, open_project
from aegis.render import write_env


@reports_errors
def add(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Components or services to add (e.g. auth).", metavar="NAME...", show_default=False
        ),
    ] = None,
    project_path: ProjectPathOption = Path(),
    yes: YesOption = False,
    skip_tasks: SkipTasksOption = False,
) -> None:
    """Add components or services (with what they require) to an existing project."""
    project = open_project(project_path)
    wanted = [catalog.get(name) for name in split_names(names)]
    if not wanted:
        has = project.selection.names
        addable = ", ".join(e.name for e in catalog.CATALOG if e.name not in has)
        raise InvalidOptionError(
            f"nothing to add: name it, as in 'aegis add NAME' (addable: {addable or 'nothing'})"
        )
    current = project.selection
    selection = catalog.resolve(
        [*current.components, *(e.name for e in wanted if e.kind is Kind.COMPONENT)],
        [*current.services, *(e.name for e in wanted if e.kind is Kind.SERVICE)],
    )
    added = [name for name in selection.names if name not in current.names]
    if not added:
        present = ", ".join(entry.name for entry in wanted)
        console.print(
            f"{present}: already in {project.path.name}, nothing to do",
            markup=False,
            highlight=False,
        )
        return
    # Before anything is shown or asked: no answer to the question could make it work.
    _refuse_dropped(project, added)
    for name in added:
        if name in selection.implied:
            console.print(
                f"  [yellow]+[/] {name} added (required by {selection.implied[name]})",
                highlight=False,
            )
    confirm(f"Add {', '.join(added)} to {project.path.name}?", yes=yes)

    retained = [name for name in project.retained_data if name not in added]
    outcome = apply_update(
        project,
        data={
            "components": list(selection.components),
            "services": list(selection.services),
            "retained_data": retained,
        },
        vcs_ref=project.version,
        message=f"Add {', '.join(added)} with aegis",
    )
    report_outcome(project.path, outcome, action=f"Added {', '.join(added)}")
    if skip_tasks:
        write_env(project.path)
    else:
        run_post_tasks(project)


def _refuse_dropped(project: Project, added: list[str]) -> None:
    """Refuse parts whose tables a migration of ``aegis remove --drop-tables`` drops.

    Raises:
        InvalidOptionError: One of ``added`` is recorded in ``dropped_data``.
    """
    dropped = [name for name in added if name in project.dropped_data]
    if dropped:
        raise InvalidOptionError(
            f"{', '.join(dropped)} cannot come back: its tables were dropped by a migration "
            "(aegis remove --drop-tables)"
        )
