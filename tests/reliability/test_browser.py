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
from reliability_server import HOST, Server, login, register

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("AEGIS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
STEP_TIMEOUT_MS = 15_000
PASSWORD = "browser-pass-1"

# The browser app: each step is one fetch, as the integration guide shows them. The
# access token lives in memory only; the refresh token in the service's HttpOnly
# cookie, which fetch sends and keeps with `credentials: "include"`.
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
  login: (email, password) => tokens({username: email, password}),
  // On page load: the cookie alone gets a new access token.
  refresh: () => tokens({grant_type: "refresh_token"}),
  me: () => call("/auth/me", {headers: {Authorization: `Bearer ${accessToken}`}}),
  logout: () => call("/auth/logout", {
    method: "POST",
    credentials: "include",
    headers: {Authorization: `Bearer ${accessToken}`},
  }),
};

async function tokens(form) {
  const answer = await call("/auth/token", {
    method: "POST",
    credentials: "include",
    body: new URLSearchParams(form),
  });
  accessToken = answer.body && answer.body.access_token;
  // Whether the page's script could read the refresh token (never, in browser mode).
  const readable_refresh = Boolean(answer.body && answer.body.refresh_token);
  return {status: answer.status, body: {has_token: Boolean(accessToken), readable_refresh}};
}

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
    # Without browser mode, the app keeps the refresh token itself.
    assert logged_in == {"status": 200, "body": {"has_token": True, "readable_refresh": True}}
    assert me["status"] == 200 and me["body"]["email"] == email, me


def refresh_cookies(page: Page, server: Server) -> list[Any]:
    """The cookies the browser would send to the token endpoint (HttpOnly included)."""
    return list(page.context.cookies(f"{server.url}/auth/token"))


BROWSER_MODE = {"AUTH_COOKIE_ENABLED": "true"}  # Secure on: Chromium counts 127.0.0.1 as secure
# A token answer in browser mode: the access token for memory, nothing more for scripts.
IN_MEMORY_ONLY = {"has_token": True, "readable_refresh": False}


def test_app_keeps_its_session_across_a_reload_by_the_refresh_cookie_alone(
    start_server: Callable[..., Server], page_origins: tuple[str, str], page: Page
) -> None:
    listed, _ = page_origins
    server = start_server(CORS_ALLOW_ORIGINS=listed, **BROWSER_MODE)
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    open_app(page, listed, server)
    assert run_step(page, "register", email, PASSWORD)["status"] == 201
    # The refresh token only in the HttpOnly cookie: no answer hands it to the script.
    assert run_step(page, "login", email, PASSWORD)["body"] == IN_MEMORY_ONLY
    assert run_step(page, "me")["status"] == 200
    [cookie] = refresh_cookies(page, server)
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (True, True, "Strict")

    page.reload()  # the access token in memory is gone; the cookie is not
    forgotten = run_step(page, "me")
    refreshed = run_step(page, "refresh")
    me_again = run_step(page, "me")
    logged_out = run_step(page, "logout")
    after_logout = [run_step(page, "me"), run_step(page, "refresh")]

    assert forgotten["status"] == 401, forgotten
    assert refreshed == {"status": 200, "body": IN_MEMORY_ONLY}, refreshed
    assert me_again["status"] == 200 and me_again["body"]["email"] == email, me_again
    assert logged_out["status"] == 204, logged_out
    # The access token's session ended, and the cookie is gone from the browser.
    assert [step["status"] for step in after_logout] == [401, 400], after_logout
    assert refresh_cookies(page, server) == [], refresh_cookies(page, server)


def test_refresh_cookie_is_refused_from_an_unlisted_origin_by_browser_and_server(
    start_server: Callable[..., Server], page_origins: tuple[str, str], page: Page
) -> None:
    listed, unlisted = page_origins
    # No grace: a refresh token used once, by anyone, never works again.
    server = start_server(CORS_ALLOW_ORIGINS=listed, AUTH_REFRESH_GRACE_SECONDS="0", **BROWSER_MODE)
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    assert register(server, email, PASSWORD).status == 201
    open_app(page, listed, server)
    assert run_step(page, "login", email, PASSWORD)["status"] == 200
    cookie_before = refresh_cookies(page, server)

    # Same site (127.0.0.1, another port), so SameSite lets the cookie go with it: the
    # server's Origin check is what must stop it.
    open_app(page, unlisted, server)
    attempted = run_step(page, "refresh")
    cookie_after = refresh_cookies(page, server)
    open_app(page, listed, server)
    own = run_step(page, "refresh")

    assert "Failed to fetch" in attempted.get("error", ""), attempted  # CORS: unreadable
    # CSRF: the server refused before rotating; a rotation would have set a new cookie
    # and spent the old one, so the app's own refresh with it would fail.
    assert len(cookie_before) == 1 and cookie_after == cookie_before, cookie_after
    assert own == {"status": 200, "body": IN_MEMORY_ONLY}, own


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
