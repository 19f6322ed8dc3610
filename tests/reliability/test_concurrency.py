"""200 simultaneous registrations on one SQLite file: one account per email, no 5xx."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from reliability_server import Server, login, register

pytestmark = pytest.mark.slow

PASSWORD = "concurrent-pass-1"
UNIQUE = [f"user{i}@example.com" for i in range(150)]
# A quarter of the burst races for one email: exactly one of them may win.
CONTESTED = ["contested@example.com"] * 50


def test_concurrent_registrations_make_one_account_per_email(
    start_server: Callable[..., Server],
) -> None:
    server = start_server()
    emails = UNIQUE + CONTESTED
    barrier = threading.Barrier(len(emails), timeout=30)

    def attempt(email: str) -> int:
        barrier.wait()  # release all 200 at once
        return register(server, email, PASSWORD, timeout=60).status

    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        statuses = list(pool.map(attempt, emails))

    by_email: dict[str, Counter[int]] = {}
    for email, status in zip(emails, statuses, strict=True):
        by_email.setdefault(email, Counter())[status] += 1
    assert not [s for s in statuses if s >= 500], Counter(statuses)
    assert Counter(statuses) == {201: 151, 409: 49}, Counter(statuses)
    assert all(counts[201] == 1 for counts in by_email.values()), by_email

    with sqlite3.connect(server.database) as db:
        rows = db.execute("SELECT email, COUNT(*) FROM users GROUP BY email").fetchall()
    assert dict(rows) == dict.fromkeys(set(emails), 1)

    with ThreadPoolExecutor(max_workers=16) as pool:
        logins = list(pool.map(lambda email: login(server, email, PASSWORD).status, set(emails)))
    assert logins == [200] * len(set(emails))
