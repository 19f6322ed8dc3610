"""Later auth migrations keep the users a database has: 0002 sessions, 0003 verification."""

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Boolean, DateTime, Executable, String, Uuid, column, insert, table, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests import database

ALEMBIC_INI = Path(__file__).parents[2] / "alembic.ini"
# The users table as migration 0001 made it: the model has columns added since.
USERS_0001 = table(
    "users",
    column("id", Uuid()),
    column("email", String()),
    column("hashed_password", String()),
    column("is_active", Boolean()),
    column("is_superuser", Boolean()),
    column("created_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
)


@pytest.fixture
def alembic(tmp_path: Path) -> Config:
    """Alembic aimed at an empty test database."""
    url = database.url_for(tmp_path)
    asyncio.run(database.drop_everything(url))
    config = Config(ALEMBIC_INI)
    config.attributes["database_url"] = url
    return config


async def run_sql(url: str, sql: str | Executable) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql) if isinstance(sql, str) else sql)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


def add_user_at_0001(alembic: Config) -> str:
    """Migrate to 0001, store old@example.com and return the database URL."""
    url: str = alembic.attributes["database_url"]
    command.upgrade(alembic, "0001")
    now = datetime.now(UTC)
    row = {"email": "old@example.com", "hashed_password": "hash", "is_active": True}
    row |= {"id": uuid.uuid4(), "is_superuser": False, "created_at": now, "updated_at": now}
    asyncio.run(run_sql(url, insert(USERS_0001).values(row)))
    return url


def test_upgrade_and_downgrade_keep_existing_users(alembic: Config) -> None:
    url = add_user_at_0001(alembic)

    command.upgrade(alembic, "0002")
    assert asyncio.run(run_sql(url, "SELECT email FROM users")) == [("old@example.com",)]
    assert asyncio.run(run_sql(url, "SELECT count(*) FROM auth_sessions")) == [(0,)]

    command.downgrade(alembic, "0001")
    assert asyncio.run(run_sql(url, "SELECT email FROM users")) == [("old@example.com",)]
    assert "auth_sessions" not in asyncio.run(database.compare_with_models(url))[1]

    command.upgrade(alembic, "heads")  # leaves a shared database migrated for later tests


def test_users_existing_before_0003_start_verified(alembic: Config) -> None:
    """Guards AUTH_REQUIRE_VERIFIED_EMAIL locking out every account made before it existed."""
    url = add_user_at_0001(alembic)
    command.upgrade(alembic, "0003")
    assert asyncio.run(run_sql(url, "SELECT email, is_verified FROM users")) == [
        ("old@example.com", True)
    ]
    assert asyncio.run(run_sql(url, "SELECT count(*) FROM one_time_tokens")) == [(0,)]

    command.downgrade(alembic, "0002")
    assert asyncio.run(run_sql(url, "SELECT email FROM users")) == [("old@example.com",)]
    assert "one_time_tokens" not in asyncio.run(database.compare_with_models(url))[1]

    command.upgrade(alembic, "heads")  # leaves a shared database migrated for later tests
