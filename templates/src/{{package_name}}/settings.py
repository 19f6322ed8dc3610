"""Your settings: read from the environment and `.env` like the template's own.

`core.config.Settings` inherits `ProjectSettings`, so a field `api_key: str = ""` here
is the variable `API_KEY` and `settings.api_key` everywhere. Aegis renders this file
once and never changes it.
"""

from pydantic_settings import BaseSettings


class ProjectSettings(BaseSettings):
    """Settings your own code reads; add fields with types and defaults."""
