"""MkDocs hook: write the CLI and catalog references from the code, so they cannot drift.

``docs/cli.md`` holds ``<!-- aegis:cli -->``, ``docs/components.md``
``<!-- aegis:catalog -->`` and ``docs/architecture.md`` ``<!-- aegis:combinations -->``;
at build time each marker is replaced by markdown generated from the Typer command
tree (``typer.main.get_command(aegis.cli.app)``) and from ``aegis.catalog``. A page
that loses its marker fails the build.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer.main
from mkdocs.exceptions import PluginError

from aegis import catalog
from aegis.cli import app

PROGRAM = "aegis"
_LIST_TYPE = re.compile(r"^list\[(.+)\]$")
# Click's names for the values an option takes, rather than Python's.
_TYPE_NAMES = {"str": "text", "int": "integer", "float": "float", "bool": "boolean"}


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace this page's reference marker with the generated markdown."""
    for page_path, (marker, render) in _GENERATED.items():
        if page.file.src_uri != page_path:
            continue
        if marker not in markdown:
            raise PluginError(f"{page_path} has lost its marker {marker}")
        return markdown.replace(marker, render())
    return markdown


# --- CLI -------------------------------------------------------------------------------


def render_cli() -> str:
    """Return the reference of every ``aegis`` command, options included."""
    root = typer.main.get_command(app)
    root_ctx = root.context_class(root, info_name=PROGRAM)
    names = root.list_commands(root_ctx)  # type: ignore[attr-defined]
    parts = [
        _command_section(root, root_ctx, PROGRAM, anchor=PROGRAM),
        "**Commands**\n",
        "| Command | What it does |",
        "|---|---|",
    ]
    commands = [(name, root.get_command(root_ctx, name)) for name in names]  # type: ignore[attr-defined]
    for name, command in commands:
        parts.append(f"| [`{PROGRAM} {name}`](#{_anchor(name)}) | {_cell(_summary(command))} |")
    parts.append("")
    for name, command in commands:
        ctx = command.context_class(command, info_name=name, parent=root_ctx)
        parts.append(_command_section(command, ctx, f"{PROGRAM} {name}", anchor=_anchor(name)))
    return "\n".join(parts)


def _anchor(name: str) -> str:
    return f"{PROGRAM}-{name}"


def _summary(command: Any) -> str:
    return inspect.cleandoc(command.help or "").split("\n\n", 1)[0].replace("\n", " ")


def _command_section(command: Any, ctx: Any, title: str, *, anchor: str) -> str:
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    arguments = [p for p in params if _is_argument(p)]
    options = [p for p in params if not _is_argument(p)]
    lines = [f"## `{title}` {{#{anchor}}}", "", inspect.cleandoc(command.help or ""), ""]
    usage = [title, "[OPTIONS]", *(_usage_name(p) for p in arguments)]
    if getattr(command, "commands", None):
        usage.append("COMMAND [ARGS]...")
    lines += ["```text", " ".join(usage), "```", ""]
    if arguments:
        lines += ["**Arguments**", "", "| Argument | Required | Description |", "|---|---|---|"]
        for param in arguments:
            required = "yes" if param.required else "no"
            lines.append(f"| `{_usage_name(param)}` | {required} | {_cell(param.help)} |")
        lines.append("")
    lines += [
        "**Options**",
        "",
        "| Option | Value | Default | Description |",
        "|---|---|---|---|",
    ]
    for param in options:
        flags = ", ".join(f"`{flag}`" for flag in [*param.opts, *param.secondary_opts])
        lines.append(
            f"| {flags} | {_value(param, ctx)} | {_default(param)} | {_cell(param.help)} |"
        )
    lines.append("")
    return "\n".join(lines)


def _is_argument(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def _usage_name(param: Any) -> str:
    name = param.metavar or param.name.upper()
    if param.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name if param.required else f"[{name}]"


def _value(param: Any, ctx: Any) -> str:
    """Describe what an option takes: nothing for a flag, else its type."""
    if getattr(param, "is_flag", False):
        return "flag"
    if hasattr(param, "display_type"):  # Typer's own parameter classes
        shown = param.display_type(ctx).strip("<>")
    else:  # a plain click parameter
        shown = param.type.name
        shown = f"list[{shown}]" if param.multiple else shown
    if match := _LIST_TYPE.match(shown):
        return f"`{_TYPE_NAMES.get(match.group(1), match.group(1)).upper()}`, repeatable"
    return f"`{_TYPE_NAMES.get(shown, shown).upper()}`"


def _default(param: Any) -> str:
    default = param.default
    if getattr(param, "is_flag", False):
        return "on" if default else "off"
    if default is None or default == () or default == []:
        return "–"
    if isinstance(default, Path):
        return f"`{default}`"
    return f"`{default!r}`" if isinstance(default, str) else f"`{default}`"


def _cell(text: str | None) -> str:
    """Make help text safe inside a markdown table cell."""
    return " ".join((text or "").split()).replace("|", "\\|")


# --- Catalog ---------------------------------------------------------------------------


def render_catalog() -> str:
    """Return a table of every component and service, with what each requires."""
    lines = ["| Name | Kind | What it adds | Requires |", "|---|---|---|---|"]
    for entry in catalog.CATALOG:
        requires = ", ".join(f"`{name}`" for name in entry.requires) or "–"
        kind = f"{entry.kind} (always included)" if entry.always else str(entry.kind)
        lines.append(f"| `{entry.name}` | {kind} | {_cell(entry.help)} | {requires} |")
    return "\n".join(lines) + "\n"


def render_combinations() -> str:
    """Return the smoke matrix: every distinct selection the catalog allows."""
    lines = [
        f"{i}. {' + '.join(f'`{n}`' for n in s.names)}"
        for i, s in enumerate(catalog.combinations(), start=1)
    ]
    return "\n".join(lines) + "\n"


_GENERATED: dict[str, tuple[str, Callable[[], str]]] = {
    "cli.md": ("<!-- aegis:cli -->", render_cli),
    "components.md": ("<!-- aegis:catalog -->", render_catalog),
    "architecture.md": ("<!-- aegis:combinations -->", render_combinations),
}
