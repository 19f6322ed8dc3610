"""Shared terminal output, and the mapping of user errors to one red line and exit 1."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from aegis.errors import AegisError

# soft_wrap: paths and commands must stay on one line so they can be copied.
console = Console(soft_wrap=True)
error_console = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so an ``AegisError`` prints ``error: ...`` and exits with code 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except AegisError as error:
            # The message names the user's paths and input: printed as is, never as markup.
            error_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper


def warn(message: str) -> None:
    """Print ``warning: MESSAGE`` on one line of standard error (the message as is)."""
    error_console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)


def split_names(values: list[str] | None) -> list[str]:
    """Flatten repeatable, comma-separated option values into unique names, in order."""
    names: list[str] = []
    for value in values or []:
        for name in value.split(","):
            name = name.strip().lower()
            if name and name not in names:
                names.append(name)
    return names
