import re

import pytest
from httpx import AsyncClient

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_every_asset_from_the_app(client: AsyncClient, page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200

    assets = ASSET.findall(response.text)
    assert assets, "the page references no asset"
    for url in assets:
        assert url.startswith("/"), f"{url} is not served by the app"
        assert (await client.get(url)).status_code == 200, url


async def test_swagger_ui_authorize_redirect_is_served(client: AsyncClient) -> None:
    page = (await client.get("/docs")).text
    redirect = await client.get("/docs/oauth2-redirect")

    assert "oauth2RedirectUrl" in page
    assert redirect.status_code == 200


async def test_docs_assets_are_kept_and_revalidated(client: AsyncClient) -> None:
    first = await client.get("/docs-assets/swagger-ui-bundle.js")
    again = await client.get(
        "/docs-assets/swagger-ui-bundle.js", headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.headers["cache-control"] == "no-cache"  # not no-store: kept, then checked
    assert again.status_code == 304
    assert again.content == b""
