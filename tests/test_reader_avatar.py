"""The authors' avatars on the blog's pages load in Chromium: in the offline copy opened
from file://, and in the site served under a project path (/proj/, as GitHub Pages
serves a project's site), with SITE_URL naming that path."""

from __future__ import annotations

import pytest

from tests.small_log import build, make_log, post
from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve

pytestmark = pytest.mark.browser

if not find_chromium():
    pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}", allow_module_level=True)

# Every kind of page the blog plugin makes: a post, its index, the archive, a category.
BLOG_PAGES = ["weekly/2024/01/08/", "weekly/", "weekly/archive/2024/", "weekly/category/cv/"]
PAGES = {"weekly/posts/2024-01-08.md": post("2024-01-08"), "weekly/posts/2024-01-15.md": post("2024-01-15", "NLP")}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_log(tmp_path_factory.mktemp("avatar") / "log", PAGES)


@pytest.fixture(scope="module")
def browser():
    with chromium("tests/test_reader_avatar.py") as browser:
        yield browser


def avatars(browser, url: str) -> tuple[list[tuple[str, int]], list[str]]:
    """(alt, naturalWidth) of each author's avatar on the page at ``url``, and the
    console errors and failed requests while it loaded."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status}: {response.url}"))
    try:
        page.goto(url, wait_until="load")
        found = page.eval_on_selector_all(".md-author img", "imgs => imgs.map(i => [i.alt, i.naturalWidth])")
    finally:
        page.close()
    return [tuple(pair) for pair in found], errors


def check(browser, url: str) -> None:
    found, errors = avatars(browser, url)
    assert found, f"{url}: no author's avatar"
    assert [(alt, width) for alt, width in found if width == 0] == [], f"{url}: an avatar did not load"
    assert errors == [], url


def offline_file(where: str) -> str:
    """The offline copy's file for a page (it has no folder URLs): weekly/ -> weekly/index.html."""
    return where + "index.html" if where == "weekly/" else where.rstrip("/") + ".html"


def test_avatars_load_in_the_offline_copy_from_file_urls(project, browser, tmp_path):
    site = tmp_path / "offline"
    build(project, site, offline=True)
    for where in BLOG_PAGES:
        check(browser, (site / offline_file(where)).as_uri())


def test_avatars_load_under_a_project_path(project, browser, tmp_path):
    root = tmp_path / "host"  # the server's root; the site is its folder proj/
    root.mkdir()
    with serve(root) as host:
        url = host + "proj/"
        build(project, root / "proj", env={"SITE_URL": url})
        for where in BLOG_PAGES:
            check(browser, url + where)
