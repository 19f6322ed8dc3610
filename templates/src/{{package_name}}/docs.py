"""Interactive API docs (Swagger UI and ReDoc) served with their assets by the app itself.

FastAPI's own pages load JavaScript and CSS from a CDN; these work offline and under a
strict network policy. The assets come from the `fastapi-offline` package, not copies.
"""

import base64
import hashlib
import re
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"

INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
# Scripts: the app's own files and the page's inline scripts by hash, nothing else.
# Styles: ReDoc writes its own <style> elements at run time, so inline styles stay.
# Images: Swagger UI draws icons from data: URIs. Workers: ReDoc's search runs in one.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class RevalidatedAssets(StaticFiles):
    """The docs' scripts and styles, kept by the browser and revalidated by their ETag.

    Every other answer is `no-store`; these are megabytes that change only when the
    package does, so a second visit costs a 304 rather than the download again.
    """

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        """Serve a file (or its 304) marked for revalidation before each reuse."""
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def with_policy(page: HTMLResponse) -> HTMLResponse:
    """Give a docs page a Content-Security-Policy allowing exactly what it runs.

    The API's own policy (`default-src 'none'`) would block the page; this one
    allows the app's scripts and the page's inline scripts by their SHA-256.

    Args:
        page: A rendered docs page.

    Returns:
        The same page, with its `Content-Security-Policy` header set.
    """
    digests = [hashlib.sha256(script).digest() for script in INLINE_SCRIPT.findall(page.body)]
    hashes = " ".join(f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests)
    page.headers["Content-Security-Policy"] = PAGE_POLICY.format(hashes=hashes)
    return page


def install_docs(app: FastAPI) -> None:
    """Serve `/docs`, `/redoc` and their assets; create the app with `docs_url=None`.

    Args:
        app: The application, built without FastAPI's default docs pages.
    """
    assets = RevalidatedAssets(packages=[("fastapi_offline", "static")])
    app.mount(ASSETS_URL, assets, name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            # The Authorize button's OAuth2 flows come back through this page.
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        return with_policy(page)

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return with_policy(get_swagger_ui_oauth2_redirect_html())

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        return with_policy(page)
