"""Allow ``python -m aegis``."""

from aegis.cli import app

app(prog_name="aegis")
