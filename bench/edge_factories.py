"""App factories for bench/edge.py: the generated app as it is, and without its headers.

Served by uvicorn with `--app-dir bench`; BENCH_PACKAGE names the project's package.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any


def as_generated() -> Any:
    """The project's own `create_app()`."""
    return import_module(f"{os.environ['BENCH_PACKAGE']}.main").create_app()


def without_security_headers() -> Any:
    """The same app minus SecurityHeadersMiddleware, to price that middleware alone."""
    app = as_generated()
    app.user_middleware = [
        m for m in app.user_middleware if m.cls.__name__ != "SecurityHeadersMiddleware"
    ]
    return app
