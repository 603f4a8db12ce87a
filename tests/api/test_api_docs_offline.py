"""/docs and /redoc work on a closed network: every script, style and icon they load comes from this
server (package fastapi-offline), none from a CDN."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bpr.api.app import DOCS_ASSETS

_LINKS = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""")
_SPEC = re.compile(r"""url:\s*'([^']+)'""")


def _page_links(client: TestClient, page: str) -> list[str]:
    response = client.get(page)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "http://" not in html and "https://" not in html, f"{page} names an outside URL"
    links = _LINKS.findall(html) + _SPEC.findall(html)
    for link in links:
        assert link.startswith("/") and not link.startswith("//"), f"{page} loads {link} from elsewhere"
    return links


@pytest.mark.parametrize("page, kinds", [
    ("/docs", {"swagger-ui-bundle.js": "javascript", "swagger-ui.css": "text/css", "favicon.png": "image/png"}),
    ("/redoc", {"redoc.standalone.js": "javascript", "favicon.png": "image/png"}),
])
def test_docs_pages_load_everything_from_this_server(client: TestClient, page: str, kinds: dict[str, str]) -> None:
    links = _page_links(client, page)
    assets = {link.rsplit("/", 1)[1]: link for link in links if link.startswith(DOCS_ASSETS + "/")}
    assert set(assets) == set(kinds), links
    for name, link in assets.items():
        response = client.get(link)
        assert response.status_code == 200, link
        assert kinds[name] in response.headers["content-type"], (link, response.headers["content-type"])
        assert len(response.content) > 1000, f"{link} is not the asset"
    assert "/openapi.json" in links
    assert client.get("/openapi.json").status_code == 200


def test_swagger_ui_fetches_no_validator_badge(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_docs_need_no_token_but_the_api_does(fresh: Any) -> None:
    with fresh(token="s3cret") as client:
        links = _page_links(client, "/docs")
        for link in links:
            assert client.get(link).status_code == 200, link
        assert client.get("/v1/scenarios").status_code == 401


def test_missing_asset_is_a_404_with_issues(client: TestClient) -> None:
    response = client.get(DOCS_ASSETS + "/nothing.js")
    assert response.status_code == 404
    assert response.json()["issues"][0]["message"] == "no such endpoint"
