"""The root ``aegis`` command: wires the command modules and ``--version``."""

from __future__ import annotations

from typing import Annotated

import typer

from aegis.commands import add, info, init, remove, update

app = typer.Typer(
    name="aegis",
    help="Generate FastAPI services with JWT authentication, and keep them up to date.",
    no_args_is_help=True,
    # Subcommands inherit it: `aegis init -h` works too.
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        info.version()
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Generate FastAPI services with JWT authentication, and keep them up to date."""


app.command("init")(init.init)
app.command("add")(add.add)
app.command("remove")(remove.remove)
app.command("update")(update.update)
app.command("version")(info.version)
app.command("components")(info.components)
app.command("services")(info.services)
