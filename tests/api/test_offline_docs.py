"""The docs pages work with no internet: every asset they reference is a path of evroam's own, and
evroam serves it (Swagger UI and ReDoc from the fastapi-offline package, not a CDN)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

DOCS_PAGES = ["/docs", "/redoc", "/ocpi/docs", "/ocpi/redoc"]
# Swagger UI's `url: '/openapi.json'` and ReDoc's `spec-url="..."` name the schema inside the page's script.
_SCRIPT_URL = re.compile(r"""(?:url|spec-url)["']?\s*[:=]\s*["']([^"']+)["']""")


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href", "spec-url") and value]


def references(page: str) -> set[str]:
    parser = _References()
    parser.feed(page)
    return {*parser.urls, *_SCRIPT_URL.findall(page)}


@pytest.mark.parametrize("page", DOCS_PAGES)
async def test_a_docs_page_references_only_its_own_assets_and_they_are_served(client, page):
    response = await client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?:|//[a-z]", response.text, re.IGNORECASE), "something loaded from outside"
    urls = references(response.text)
    assert any(url.endswith(".js") for url in urls) and any(url.endswith("openapi.json") for url in urls), urls
    for url in urls:
        assert url.startswith("/"), url
        asset = await client.get(url)
        assert asset.status_code == 200 and asset.content, url


async def test_swagger_ui_asks_no_online_validator(client):
    for page in ("/docs", "/ocpi/docs"):
        assert '"validatorUrl": null' in (await client.get(page)).text
