"""Schemathesis fuzzes the generated API against its own OpenAPI schema."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_server import Server, clean_env, login, register

pytestmark = pytest.mark.slow

# Pinned so that a new schemathesis release cannot change what "passing" means.
SCHEMATHESIS = "schemathesis==4.32.5"
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
)
MAX_EXAMPLES = 60  # per operation; about 800 cases over the 11 operations
MIN_CASES = 500
EMAIL, PASSWORD = "fuzz@example.com", "fuzz-password-1"


def test_api_conforms_to_its_schema_under_fuzzing(
    start_server: Callable[..., Server], tmp_path: Path
) -> None:
    server = start_server()
    assert register(server, EMAIL, PASSWORD).status == 201
    # A superuser token lets the fuzzer past the 403 of the admin routes too.
    with sqlite3.connect(server.database) as db:
        db.execute("UPDATE users SET is_superuser = 1 WHERE email = ?", (EMAIL,))
    token = json.loads(login(server, EMAIL, PASSWORD).body)["access_token"]
    report = tmp_path / "schemathesis.json"
    command = [
        "uvx",
        "--from",
        SCHEMATHESIS,
        "schemathesis",
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20240601",
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--header",
        f"Authorization: Bearer {token}",
        # Deleting the fuzzer's own account would turn every later case into a 401.
        "--exclude-operation-id",
        "delete_me_auth_me_delete",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=240, env=clean_env(), cwd=tmp_path
    )
    output = run.stdout[-6000:] + run.stderr[-2000:]
    assert report.exists(), output
    summary = json.loads(report.read_text())
    assert summary["errors"] == [], output
    assert summary["failures"] == [], output
    assert summary["test_cases"]["generated"] >= MIN_CASES, output
    assert run.returncode == 0, output
