"""Reading the tables a generated project documents itself with (README, docs pages)."""

from __future__ import annotations

import re
from pathlib import Path

# A table row's first two cells: the variables, and their defaults.
ROW = re.compile(r"^\|(?P<names>[^|\n]*)\|(?P<defaults>[^|\n]*)\|", re.MULTILINE)
NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")
VALUE = re.compile(r"`([^`]*)`")


def documented_defaults(markdown: str) -> dict[str, str | None]:
    """Map each variable of the tables to its documented default; None when it gives none.

    A cell names several variables with their defaults in the same order
    (`SMTP_HOST`, `SMTP_PORT` | `localhost`, `587`); `empty` is the empty value; a cell
    that refers elsewhere (`see .env.example`) or describes the value in words gives none.
    """
    table: dict[str, str | None] = {}
    for row in ROW.finditer(markdown):
        names = NAME.findall(row["names"])
        cell = row["defaults"].strip()
        if cell == "empty":
            values = [""] * len(names)
        else:
            values = [] if cell.startswith("see ") else VALUE.findall(cell)
        for index, name in enumerate(names):
            table[name] = values[index] if index < len(values) else None
    return table


def env_example(project: Path) -> dict[str, str]:
    """The `NAME=value` lines of the project's `.env.example`, quotes removed."""
    values = {}
    for line in (project / ".env.example").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value.strip('"')
    return values


def section(markdown: str, heading: str) -> str:
    """The part of `markdown` under `## heading`, up to the next heading of its level."""
    start = markdown.index(f"## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end != -1 else None]


def disagreements(documented: dict[str, str | None], example: dict[str, str]) -> list[str]:
    """What the tables say that `.env.example` does not: unknown names, other defaults."""
    found = []
    for name, default in sorted(documented.items()):
        if name not in example:
            found.append(f"{name} is not in .env.example")
        elif default is not None and default != example[name]:
            found.append(f"{name}: documented {default!r}, .env.example {example[name]!r}")
    return found


# An endpoint row: `METHOD /path` (a query string after the path is an example), its
# auth, success and error cells.
ENDPOINT_ROW = re.compile(
    r"^\|(?P<operations>[^|\n]*)\|[^|\n]*\|(?P<success>[^|\n]*)\|(?P<errors>[^|\n]*)\|",
    re.MULTILINE,
)
OPERATION = re.compile(r"`([A-Z]+ /[^`?]*)[^`]*`")
STATUS = re.compile(r"\b([1-5][0-9][0-9])\b")
PATH_PARAMETER = re.compile(r"\{[^}]*\}")


def operation_key(method_and_path: str) -> str:
    """`GET /users/{id}` as `GET /users/{}`: parameter names may differ from the code's."""
    return PATH_PARAMETER.sub("{}", method_and_path)


def documented_endpoints(markdown: str) -> dict[str, set[int]]:
    """Map each `METHOD /path` of the endpoint tables to the status codes its row names."""
    table: dict[str, set[int]] = {}
    for row in ENDPOINT_ROW.finditer(markdown):
        codes = {int(code) for code in STATUS.findall(row["success"] + row["errors"])}
        for operation in OPERATION.findall(row["operations"]):
            table[operation_key(operation)] = codes
    return table
