"""``aegis init``: render a new project, install it and run its tests."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from aegis import catalog, naming, render
from aegis.catalog import Kind, Selection
from aegis.console import console, reports_errors, split_names, warn
from aegis.errors import InvalidOptionError
from aegis.git import require_git
from aegis.project import ProjectSpec, default_python_version
from aegis.render import check_target, generate
from aegis.source import draft_warning
from aegis.tasks import post_generation_steps, run_steps

_PYTHON_VERSION = re.compile(r"^3\.([1-9]\d*)$")
# From the oldest the template's code runs on to the newest CPython release, which is
# also the newest `target-version` the project's ruff accepts (py316 is refused).
_MIN_PYTHON_MINOR = 11
_MAX_PYTHON_MINOR = 15

NamesOption = Annotated[list[str] | None, typer.Option(show_default=False)]


@reports_errors
def init(
    name: Annotated[str, typer.Argument(help="Project name, e.g. my-app.", show_default=False)],
    services: Annotated[
        list[str] | None,
        typer.Option(
            "--services",
            "-s",
            help="Services to include (comma-separated, repeatable).",
            show_default=False,
        ),
    ] = None,
    components: Annotated[
        list[str] | None,
        typer.Option(
            "--components",
            "-c",
            help="Components to include (comma-separated, repeatable).",
            show_default=False,
        ),
    ] = None,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Directory to create the project in.")
    ] = Path(),
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Render into an existing non-empty directory.")
    ] = False,
    no_interactive: Annotated[
        bool, typer.Option("--no-interactive", help="Never prompt; use the options given.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept all defaults.")] = False,
    skip_tasks: Annotated[
        bool, typer.Option("--skip-tasks", help="Only render: no install, no tests.")
    ] = False,
    skip_tests: Annotated[
        bool, typer.Option("--skip-tests", help="Install, but do not run the project's tests.")
    ] = False,
    python_version: Annotated[
        str | None,
        typer.Option(
            "--python-version",
            help="Python version for the project (default: the one running aegis).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a new project, install it with uv and run its test suite."""
    package = naming.validate(name)
    python = _check_python_version(python_version or default_python_version())
    requested_components, requested_services = split_names(components), split_names(services)
    if components is None and services is None and _may_prompt(no_interactive, yes):
        requested_components, requested_services = _ask_selection()
    selection = catalog.resolve(requested_components, requested_services)
    target = (output_dir / name).resolve()
    check_target(target, force=force)  # before anything is announced
    require_git()

    _announce(name, selection)
    if warning := draft_warning(render.template_source(), name):
        warn(warning)
    spec = ProjectSpec(name=name, package=package, selection=selection, python_version=python)
    project_dir = generate(spec, target, force=force)
    console.print(
        f"[green]✓[/] Rendered [bold]{escape(name)}[/] into {escape(str(project_dir))}",
        highlight=False,
    )
    if not skip_tasks:
        steps = post_generation_steps(python_version=python, run_tests=not skip_tests)
        run_steps(steps, project_dir, console)
    _next_steps(project_dir, installed=not skip_tasks)


def _check_python_version(version: str) -> str:
    match = _PYTHON_VERSION.match(version)
    if not match or not _MIN_PYTHON_MINOR <= int(match.group(1)) <= _MAX_PYTHON_MINOR:
        raise InvalidOptionError(
            f"invalid --python-version '{version}': expected 3.{_MIN_PYTHON_MINOR} to "
            f"3.{_MAX_PYTHON_MINOR}, as major.minor (e.g. 3.{_MIN_PYTHON_MINOR})"
        )
    return version


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _may_prompt(no_interactive: bool, yes: bool) -> bool:
    """Prompts need a person: a terminal on stdin and no flag asking for none."""
    return not (no_interactive or yes) and _stdin_is_terminal()


def _ask_selection() -> tuple[list[str], list[str]]:
    """Ask about each optional catalog entry.

    Every question defaults to no, so pressing Enter throughout gives what ``--yes`` and
    a run without a terminal give: the always-included entries alone.
    """
    chosen: dict[Kind, list[str]] = {Kind.COMPONENT: [], Kind.SERVICE: []}
    for entry in catalog.CATALOG:
        if entry.always:
            continue
        if typer.confirm(f"Include {entry.kind} '{entry.name}' ({entry.help})?", default=False):
            chosen[entry.kind].append(entry.name)
    return chosen[Kind.COMPONENT], chosen[Kind.SERVICE]


def _announce(name: str, selection: Selection) -> None:
    parts = ", ".join(selection.names)
    console.print(f"Creating [bold]{escape(name)}[/] with {parts}", highlight=False)
    for added, needed_by in selection.implied.items():
        console.print(f"  [yellow]+[/] {added} added (required by {needed_by})", highlight=False)


def _next_steps(project_dir: Path, *, installed: bool) -> None:
    lines = [f"cd {shlex.quote(_shown_path(project_dir))}"]
    if not installed:
        lines.append("uv sync")
    lines.append("make server")
    console.print("\nNext steps:\n  " + "\n  ".join(lines), markup=False, highlight=False)
    # Every project serves its API documentation, whatever it includes.
    console.print("Then open http://127.0.0.1:8000/docs", highlight=False)


def _shown_path(path: Path) -> str:
    """Return ``path`` relative to the current directory when it is below it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):  # elsewhere, or the current directory is gone
        return str(path)
