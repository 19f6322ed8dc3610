"""Aegis: generate FastAPI services with authentication from one Copier template."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aegis")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"
