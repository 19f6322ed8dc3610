"""Aegis: generate FastAPI services with authentication from one Copier template."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """Read ``__version__`` from the installed metadata on first use.

    Lazily, because importing ``importlib.metadata`` costs every command about 80 ms
    and only ``--version`` needs it.
    """
    if name != "__version__":
        raise AttributeError(f"module 'aegis' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aegis")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0.0.0"
