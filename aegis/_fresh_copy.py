"""Copier's copy, tuned for rendering into a new, empty directory.

Imported only when rendering (Copier is the slowest import Aegis has). Two of Copier's
per-file costs buy nothing when every file is new, and together make up a third of
``aegis init --skip-tasks``:

- it runs ``git config`` once per rendered file, to carry executable bits into an
  existing git index (there is none in a fresh directory): ~75 processes, ~0.25 s;
- it compiles every part of every template path anew, although the same few
  strings repeat hundreds of times (``src``, ``tests``, ``{{ package_name }}``,
  the answers file name): ~500 compilations, ~0.18 s.

Both are overrides of Copier internals; ``tests/test_source.py`` checks that the
result is byte-for-byte what plain Copier renders. A Copier release that moves those
internals must not break ``aegis init``: :func:`aegis.render` falls back to stock
``copier.run_copy`` when this module cannot be imported or :func:`supported` says no.
"""

from __future__ import annotations

import functools
from collections.abc import MutableMapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copier._main import Worker
from jinja2 import Template, nodes

if TYPE_CHECKING:
    from copier._jinja_ext import SandboxedEnvironment


def supported() -> bool:
    """Return whether this Copier has the internals :class:`FreshCopyWorker` overrides."""
    return callable(getattr(Worker, "_sync_git_index_executable_bit", None)) and isinstance(
        Worker.__dict__.get("jinja_env"), cached_property
    )


class FreshCopyWorker(Worker):
    """A Copier ``Worker`` for ``copy`` into a directory that is not yet a project."""

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        """Do nothing: a fresh render has no git index entries to update."""

    @cached_property
    def jinja_env(self) -> SandboxedEnvironment:
        """Copier's environment, remembering each template string it compiles."""
        env: SandboxedEnvironment = Worker.jinja_env.func(self)  # type: ignore[attr-defined]
        compile_once = functools.cache(env.from_string)
        original = env.from_string

        def from_string(
            source: str | nodes.Template,
            globals: MutableMapping[str, Any] | None = None,  # noqa: A002 - Jinja's name
            template_class: type[Template] | None = None,
        ) -> Template:
            # A yield tag's state is reset only when its template is compiled, so
            # templates holding one (Aegis' has none) are compiled every time.
            if not isinstance(source, str) or globals or template_class or "yield" in source:
                return original(source, globals, template_class)
            return compile_once(source)

        env.from_string = from_string  # type: ignore[method-assign]
        return env


def run_fresh_copy(
    src_path: str, dst_path: Path, *, data: dict[str, Any], vcs_ref: str | None
) -> None:
    """Render ``src_path`` at ``vcs_ref`` into the new directory ``dst_path``."""
    with FreshCopyWorker(
        src_path=src_path,
        dst_path=dst_path,
        data=data,
        vcs_ref=vcs_ref,
        defaults=True,
        quiet=True,
        unsafe=False,
    ) as worker:
        worker.run_copy()
