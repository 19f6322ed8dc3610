"""``aegis remove``: take components or services out of an existing project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aegis import catalog
from aegis.catalog import Entry, Selection
from aegis.commands.common import (
    ProjectPathOption,
    SkipTasksOption,
    YesOption,
    confirm,
    report_outcome,
    run_post_tasks,
)
from aegis.console import console, reports_errors, split_names
from aegis.errors import InvalidOptionError, NothingToRemoveError, RemovalRefusedError
from aegis.existing import Project, apply_update, open_project


@reports_errors
def remove(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Components or services to remove (e.g. auth).",
            metavar="NAME...",
            show_default=False,
        ),
    ] = None,
    project_path: ProjectPathOption = Path(),
    drop_tables: Annotated[
        bool,
        typer.Option(
            "--drop-tables",
            help="Also write a migration that drops their tables, data included "
            "(default: tables and data stay).",
        ),
    ] = False,
    discard_drops: Annotated[
        bool,
        typer.Option(
            "--discard-drops",
            help="With database: remove it though it holds drop migrations of --drop-tables "
            "(run 'make migrate' first to apply them).",
        ),
    ] = False,
    yes: YesOption = False,
    skip_tasks: SkipTasksOption = False,
) -> None:
    """Remove components or services; their database tables stay unless --drop-tables."""
    project = open_project(project_path)
    requested = [catalog.get(name) for name in split_names(names)]
    unwanted = _removable(project, requested)
    # Like `aegis add` of what is there: asking for a state the project is in is no error.
    absent = ", ".join(entry.name for entry in requested if entry not in unwanted)
    if not unwanted:
        console.print(
            f"{absent}: not in {project.path.name}, nothing to do", markup=False, highlight=False
        )
        return
    if absent:
        console.print(f"  {absent}: not in {project.path.name}", markup=False, highlight=False)
    selection = _without(project.selection, unwanted)
    owning = [entry for entry in unwanted if entry.tables]
    migrations_go = [entry.name for entry in unwanted if entry.migrations]
    if drop_tables and not owning:
        listed = ", ".join(entry.name for entry in unwanted)
        raise InvalidOptionError(f"--drop-tables: {listed} owns no database tables")
    if drop_tables and migrations_go:
        raise InvalidOptionError(
            f"--drop-tables needs migrations, and {migrations_go[0]} (which runs them) is "
            "being removed: remove the others with --drop-tables first"
        )
    discarded = _discarded_drops(project, migrations_go, discard=discard_drops)
    removed = ", ".join(entry.name for entry in unwanted)
    confirm(f"Remove {removed} from {project.path.name}?", yes=yes)

    outcome = apply_update(
        project,
        data={
            "components": list(selection.components),
            "services": list(selection.services),
            **_data_answers(project, owning, drop=drop_tables, discard=bool(discarded)),
        },
        vcs_ref=project.version,
        message=f"Remove {removed} with aegis",
    )
    report_outcome(project.path, outcome, action=f"Removed {removed}")
    _report_data(owning, discarded, drop=drop_tables, runner=next(iter(migrations_go), None))
    if not skip_tasks:
        run_post_tasks(project)


def _report_data(
    owning: list[Entry], discarded: list[str], *, drop: bool, runner: str | None
) -> None:
    """Say where the tables of the removed parts are, and what the user should check.

    Args:
        owning: Removed parts that own tables.
        discarded: Parts whose drop migration went with the removed ``runner``.
        drop: ``--drop-tables`` was given.
        runner: The removed part that ran migrations, if it is one of them.
    """
    for entry in owning:
        tables = ", ".join(entry.tables)
        if drop:
            console.print(f"  [yellow]![/] tables {tables} are dropped, data included, by the "
                          "next 'make migrate'", highlight=False)  # fmt: skip
        elif runner:
            console.print(f"  tables {tables} and their data stay in the database file; "
                          "the project no longer reads it", highlight=False)  # fmt: skip
        else:
            console.print(f"  tables {tables} stay in the database with their migrations "
                          f"('aegis remove {entry.name} --drop-tables' would drop them)",
                          highlight=False)  # fmt: skip
    for name in discarded:
        tables = ", ".join(catalog.get(name).tables)
        console.print(f"  [yellow]![/] the migration dropping tables {tables} went with "
                      f"{runner}: they are dropped if 'make migrate' ran it before, and stay "
                      "in the database file otherwise", highlight=False)  # fmt: skip
    if discarded:
        # Such a database's history ends at the drop migration, which no later render has.
        console.print(f"  should {runner} come back, give it a new database: one that ran "
                      "a drop migration cannot migrate any more", highlight=False)  # fmt: skip


def _removable(project: Project, unwanted: list[Entry]) -> list[Entry]:
    """Return the ``unwanted`` entries the project has, refusing what cannot go.

    Raises:
        RemovalRefusedError: An entry is always included, or a remaining one requires it.
        NothingToRemoveError: No name was given.
    """
    present = project.selection.names
    for entry in unwanted:
        if entry.always:
            raise RemovalRefusedError(
                f"{entry.name} is part of every project and cannot be removed"
            )
    if not unwanted:
        has = ", ".join(name for name in present if not catalog.get(name).always) or "nothing"
        raise NothingToRemoveError(
            f"nothing to remove: name it, as in 'aegis remove NAME' (removable: {has})"
        )
    unwanted = [entry for entry in unwanted if entry.name in present]
    names = {entry.name for entry in unwanted}
    remaining = [name for name in present if name not in names]
    for entry in unwanted:
        needed_by = catalog.dependents(entry.name, remaining)
        if needed_by:
            raise RemovalRefusedError(
                f"cannot remove {entry.name}: {', '.join(needed_by)} requires it "
                f"(remove both: aegis remove {' '.join([*needed_by, entry.name])})"
            )
    return unwanted


def _without(selection: Selection, unwanted: list[Entry]) -> Selection:
    """Return ``selection`` less the ``unwanted`` entries."""
    names = {entry.name for entry in unwanted}
    return catalog.resolve(
        [name for name in selection.components if name not in names],
        [name for name in selection.services if name not in names],
    )


def _discarded_drops(project: Project, migrations_go: list[str], *, discard: bool) -> list[str]:
    """Return the parts whose drop migration goes with the part that runs migrations.

    Removing that part deletes the migrations folder, and with it any drop migration
    ``--drop-tables`` wrote, whether ``make migrate`` ran it or not (Aegis cannot tell).

    Raises:
        InvalidOptionError: There are such parts and ``discard`` was not given, or
            ``discard`` was given without removing the part that runs migrations.
    """
    if discard and not migrations_go:
        runner = next(entry.name for entry in catalog.CATALOG if entry.migrations)
        raise InvalidOptionError(f"--discard-drops applies only to removing {runner}")
    pending = project.dropped_data if migrations_go else []
    if pending and not discard:
        raise InvalidOptionError(
            f"{migrations_go[0]}'s migrations include the one that drops the tables of "
            f"{', '.join(pending)} (aegis remove --drop-tables): run 'make migrate' first if "
            f"they should go, then 'aegis remove {migrations_go[0]} --discard-drops'"
        )
    return pending


def _data_answers(
    project: Project, owning: list[Entry], *, drop: bool, discard: bool
) -> dict[str, list[str]]:
    """Record which removed parts left tables behind, kept or dropped by a migration.

    Discarded drops are forgotten, so those parts can come back (with a new migration
    history). Retained parts are not: their migrations come back with the database
    component, and keep a database that has their tables migratable.
    """
    retained = project.retained_data
    dropped = [] if discard else project.dropped_data
    (dropped if drop else retained).extend(entry.name for entry in owning)
    return {"retained_data": sorted(set(retained)), "dropped_data": sorted(set(dropped))}
