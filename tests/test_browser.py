"""The site in a real browser: headless Chromium against the build served on
127.0.0.1, and the offline build opened from file://.

Chromium comes from Debian's packages (`apt-get install chromium
fonts-noto-cjk`; .ci/run installs it); Playwright only drives it. Without
Chromium these tests skip and say how to install it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve
from tools.site.build import ROOT

CHROMIUM = find_chromium()
if not CHROMIUM:
    pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def server(site):
    with serve(site.path) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium("tests/test_browser.py") as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests = []  # every URL the page asked for
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def off_machine(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file", "chrome-error"):
        return False
    return parts.hostname not in ("127.0.0.1",)


def search(page: Page, query: str) -> list[str]:
    """Type a query into Material's search box; return the result links."""
    box = page.locator("input.md-search__input")
    box.click()  # opening the search starts loading the index (always so from file://)
    meta = page.locator(".md-search-result__meta")
    # The meta line says "Initializing search" until the index is loaded.
    expect(meta).not_to_contain_text("Initializing", timeout=15_000)
    box.fill(query)
    box.press("End")  # Material reads the query on keyup
    expect(meta).not_to_contain_text("Type to start searching", timeout=10_000)
    page.wait_for_timeout(300)  # let the result list settle
    return [
        link.get_attribute("href")
        for link in page.locator(".md-search-result__item > a.md-search-result__link").all()
    ]


NONSENSE = "qzxqvbnmzz"


def test_the_nonsense_word_is_on_no_page():
    """The premise of the next test: no note (the performance page included) contains it."""
    found = [str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md") if NONSENSE in p.read_text(encoding="utf-8")]
    assert found == []


def test_nonsense_query_finds_nothing(page, server):
    page.goto(server)
    assert search(page, NONSENSE) == []
    expect(page.locator(".md-search-result__meta")).to_contain_text("No matching documents")


def test_formulas_render_as_math_without_raw_tex(page, server, site):
    math_pages = [p for p in site.pages() if "<math" in (site.path / p).read_text(encoding="utf-8")]
    assert math_pages
    for relative in math_pages:
        page.goto(server + str(relative))
        text = page.locator("article").inner_text()
        for raw in ("\\(", "\\[", "\\frac", "$$"):
            assert raw not in text, f"{relative}: raw TeX {raw!r} visible"
        first = page.locator("article math").first
        box = first.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, f"{relative}: math not laid out"


def test_every_page_makes_no_request_off_the_machine(page, server, site):
    offenders = {}
    for relative in site.pages():
        page.requests.clear()
        page.goto(server + str(relative), wait_until="networkidle")
        remote = [url for url in page.requests if off_machine(url)]
        if remote:
            offenders[str(relative)] = remote
    assert offenders == {}
