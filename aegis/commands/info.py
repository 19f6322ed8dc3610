"""Commands that describe Aegis itself: ``version``, ``components`` and ``services``."""

from __future__ import annotations

from rich.table import Table

import aegis
from aegis.catalog import Kind, entries
from aegis.console import console


def version() -> None:
    """Show the Aegis version."""
    console.print(f"aegis {aegis.__version__}", highlight=False)


def _show(kind: Kind) -> None:
    table = Table(title=f"{kind.capitalize()}s", title_justify="left")
    table.add_column("Name", style="bold cyan")
    table.add_column("What it is")
    table.add_column("Requires")
    for entry in entries(kind):
        requires = ", ".join(entry.requires) or "-"
        table.add_row(entry.name, entry.help + (" (always)" if entry.always else ""), requires)
    console.print(table)


def components() -> None:
    """List the components a project can include."""
    _show(Kind.COMPONENT)


def services() -> None:
    """List the services a project can include."""
    _show(Kind.SERVICE)
