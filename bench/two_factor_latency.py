"""Measure what the second step of a two-factor login adds: `POST /auth/2fa/verify`.

Runs inside a rendered, synced project (auth + database) with its own interpreter:
the app is driven in-process over httpx's ASGI transport against a SQLite file, so
the figure is the server's own work (MFA token check, decryption, TOTP check, the
replay-guarding UPDATE, the new session), without network or uvicorn. Each round
logs in with the password (answered 403 `mfa_required`), posts a fresh code, and
logs in a user without two-factor for comparison; the clock moves one 30-second step
per round so every code is new. Password hashing
runs at bcrypt cost 4, so the first step's figure is mostly the rest of a login.

    uv run python bench/two_factor_latency.py --project /tmp/my-app [--rounds 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

_PROGRAM = """
import asyncio, statistics, sys, tempfile, time
from pathlib import Path
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from {package}.auth import totp
from {package}.auth import two_factor_store as store
from {package}.auth.models import User
from {package}.core.config import Settings
from {package}.db import open_session
from {package}.main import create_app
from {package}.models import metadata

ROUNDS = int(sys.argv[1])

async def main() -> None:
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        _env_file=None, jwt_secret_key=SecretStr("b" * 64), password_bcrypt_rounds=4,
        database_url=f"sqlite+aiosqlite:///{{folder / 'bench.db'}}", auth_throttle_enabled=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with app.state.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        auth = app.state.auth
        now = [1_800_000_000.0]
        auth.two_factor.clock = lambda: now[0]
        async with open_session(app.state.engine) as session:
            hashed = await auth.passwords.hash("pw-bench-1")
            user = User(email="bench@example.com", hashed_password=hashed)
            plain = User(email="plain@example.com", hashed_password=hashed)
            session.add_all([user, plain])
            await session.commit()
            secret = await store.start_setup(session, auth.two_factor.box, user_id=user.id)
            row = await store.get_two_factor(session, user_id=user.id)
            await store.enable(session, row)
        first, second, single = [], [], []
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as client:
            form = {{"username": "bench@example.com", "password": "pw-bench-1"}}
            plain_form = {{"username": "plain@example.com", "password": "pw-bench-1"}}
            for index in range(ROUNDS + 10):
                now[0] += totp.STEP_SECONDS
                started = time.perf_counter()
                answer = await client.post("/auth/token", data=form)
                middle = time.perf_counter()
                assert answer.status_code == 403, answer.text
                code = totp.code_at(secret, now=now[0])
                verify = {{"mfa_token": answer.json()["mfa_token"], "code": code}}
                done = await client.post("/auth/2fa/verify", data=verify)
                ended = time.perf_counter()
                assert done.status_code == 200, done.text
                plain_started = time.perf_counter()
                logged_in = await client.post("/auth/token", data=plain_form)
                plain_ended = time.perf_counter()
                assert logged_in.status_code == 200, logged_in.text
                if index >= 10:  # warm-up rounds are not counted
                    first.append((middle - started) * 1e3)
                    second.append((ended - middle) * 1e3)
                    single.append((plain_ended - plain_started) * 1e3)
    def line(name, values):
        q = statistics.quantiles(values, n=20)
        print(f"{{name}}: median {{statistics.median(values):.2f}} ms, p95 {{q[18]:.2f}} ms")
    line("one-step login of a user without two-factor (bcrypt cost 4)", single)
    line("password step (403 mfa_required, bcrypt cost 4)", first)
    line("second step (POST /auth/2fa/verify)", second)

asyncio.run(main())
"""


def main() -> None:
    """Render the program for the project's package and run it with the project's Python."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="rendered, synced project")
    parser.add_argument("--rounds", type=int, default=200)
    options = parser.parse_args()
    package = next(
        path.name for path in (options.project / "src").iterdir() if (path / "main.py").exists()
    )
    program = _PROGRAM.format(package=package)
    command = ["uv", "run", "--project", str(options.project), "python", "-c", program]
    sys.exit(subprocess.call([*command, str(options.rounds)], cwd=options.project))


if __name__ == "__main__":
    main()
