"""A browser app on another origin uses the running service; other origins are refused.

Headless Chromium from the distribution (`.ci/browser.sh` installs it), driven by
Playwright, never a downloaded browser. Without Chromium the tests are skipped locally
but fail under CI, so a CI run can never silently lose them.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from reliability_server import HOST, Server, login

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("AEGIS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
STEP_TIMEOUT_MS = 15_000
PASSWORD = "browser-pass-1"

# The browser app: each step is one fetch, as the integration guide shows them. The
# access token lives in memory only. (Refresh and logout steps join when the
# service sets the refresh cookie: fetch with `credentials: "include"`.)
APP_PAGE = b"""<!doctype html>
<meta charset="utf-8"><title>browser app</title>
<script>
const api = new URLSearchParams(location.search).get("api");
let accessToken = null;

async function call(path, init = {}) {
  const response = await fetch(api + path, init);
  const text = await response.text();
  return {status: response.status, body: text ? JSON.parse(text) : null};
}

const steps = {
  health: () => call("/health"),
  register: (email, password) => call("/auth/register", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({email, password}),
  }),
  login: async (email, password) => {
    const answer = await call("/auth/token", {
      method: "POST",
      body: new URLSearchParams({username: email, password}),
    });
    accessToken = answer.body && answer.body.access_token;
    return {status: answer.status, body: {has_token: Boolean(accessToken)}};
  },
  me: () => call("/auth/me", {headers: {Authorization: `Bearer ${accessToken}`}}),
};

// A refused cross-origin fetch rejects (TypeError: Failed to fetch): report it.
async function run(name, ...args) {
  try {
    return await steps[name](...args);
  } catch (error) {
    return {status: null, body: null, error: String(error)};
  }
}
</script>
"""


class _AppPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(APP_PAGE)))
        self.end_headers()
        self.wfile.write(APP_PAGE)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="module")
def page_origins() -> Iterator[tuple[str, str]]:
    """The app page served from two origins: one to list, one to leave out."""
    servers = [ThreadingHTTPServer((HOST, 0), _AppPage) for _ in range(2)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        listed, unlisted = (f"http://{HOST}:{s.server_address[1]}" for s in servers)
        yield listed, unlisted
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide Chromium at {CHROMIUM} (see .ci/browser.sh)")
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def run_step(page: Page, name: str, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("([name, args]) => run(name, ...args)", [name, args])
    return result


def open_app(page: Page, origin: str, server: Server) -> None:
    page.goto(f"{origin}/?api={server.url}")


def test_app_on_a_listed_origin_registers_logs_in_and_reads_me(
    start_server: Callable[..., Server], page_origins: tuple[str, str], page: Page
) -> None:
    listed, _ = page_origins
    server = start_server(CORS_ALLOW_ORIGINS=listed)
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    open_app(page, listed, server)

    registered = run_step(page, "register", email, PASSWORD)
    logged_in = run_step(page, "login", email, PASSWORD)
    me = run_step(page, "me")

    assert registered["status"] == 201, registered
    assert logged_in == {"status": 200, "body": {"has_token": True}}, logged_in
    assert me["status"] == 200 and me["body"]["email"] == email, me


def test_app_on_an_unlisted_origin_is_refused_by_the_browser(
    start_server: Callable[..., Server], page_origins: tuple[str, str], page: Page
) -> None:
    listed, unlisted = page_origins
    server = start_server(CORS_ALLOW_ORIGINS=listed)
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    open_app(page, unlisted, server)

    health = run_step(page, "health")
    registered = run_step(page, "register", email, PASSWORD)

    assert "Failed to fetch" in health.get("error", ""), health  # answer kept from the page
    assert "Failed to fetch" in registered.get("error", ""), registered
    # The preflight was refused, so the registration itself was never sent.
    assert login(server, email, PASSWORD).status == 401


RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.violations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/docs", ".swagger-ui .opblock-summary-path"), ("/redoc", "[data-section-id]")],
)
def test_docs_pages_render_under_their_content_security_policy(
    start_server: Callable[..., Server], page: Page, path: str, rendered: str
) -> None:
    server = start_server()
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{server.url}{path}")
    page.wait_for_selector(rendered)

    assert "/auth/me" in page.content()
    # Blocking another host (ReDoc's CDN logo) is the policy working; what the page
    # itself needs (the app's files, its inline script, data: and blob: URLs) is not.
    violations: list[str] = page.evaluate("window.violations")
    external = ("http://", "https://")
    own = [v for v in violations if not v.split(" ")[-1].startswith(external)]
    own += [v for v in violations if v.split(" ")[-1].startswith(server.url)]
    assert own == [], violations
