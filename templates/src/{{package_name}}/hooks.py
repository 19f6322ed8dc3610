"""Your start-up and shutdown code, run by the app's lifespan.

Aegis renders this file once and never changes it.
"""

from fastapi import FastAPI


async def on_startup(app: FastAPI) -> None:
    """Run once before the first request, after the template's own start-up.

    Args:
        app: The application; keep what you open on `app.state`.
    """


async def on_shutdown(app: FastAPI) -> None:
    """Run once after the last request, before the template's own shutdown.

    Args:
        app: The application.
    """
