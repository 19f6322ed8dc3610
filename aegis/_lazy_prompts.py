"""Defer the import of Copier's prompt libraries until something actually prompts.

Copier imports questionary and prompt_toolkit at start-up (about half a second here)
for its interactive questions, but Aegis always passes every answer and never lets
Copier prompt. Stand-ins take their place in ``sys.modules``; any attribute read
from them is a placeholder that imports the real library on first use, so a prompt
would still work, only later.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_DEFERRED = (
    "questionary",
    "questionary.prompts",
    "questionary.prompts.common",
    "prompt_toolkit",
    "prompt_toolkit.lexers",
)


class _Placeholder:
    """Stands for ``module.name`` until it is called or inspected."""

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def _resolve(self) -> Any:
        for deferred in _DEFERRED:
            if isinstance(sys.modules.get(deferred), _StandIn):
                del sys.modules[deferred]
        return getattr(importlib.import_module(self._module), self._name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._resolve()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._resolve(), attribute)


class _StandIn(types.ModuleType):
    """A module whose every public attribute is a :class:`_Placeholder`."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Placeholder(self.__name__, name)


def install() -> None:
    """Put stand-ins in place unless the real libraries are already imported."""
    for name in _DEFERRED:
        if name not in sys.modules:
            stand_in = _StandIn(name)
            stand_in.__path__ = []
            sys.modules[name] = stand_in
