"""The site's address: SITE_URL names it (canonical links, sitemap, feeds); a build
without it names none, and mkdocs serve names its own (tools/site/hooks/site_url.py)."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from tests.small_log import build, make_log
from tools.site.browser import mkdocs_serve

PAGES = {"papers/a-note.md": "---\nstatus: read\nfinished: 2024-01-02\n---\n\n# A note\n\nText.\n"}
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)"')
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_log(tmp_path_factory.mktemp("site-url") / "log", PAGES)


def test_a_build_without_site_url_names_no_address(project, tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    site = tmp_path / "site"
    build(project, site)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    canonical = {page.relative_to(site).as_posix(): CANONICAL.findall(page.read_text(encoding="utf-8"))
                 for page in pages}
    assert {page: links for page, links in canonical.items() if links} == {}
    for page in pages:
        assert "127.0.0.1" not in page.read_text(encoding="utf-8"), page
    assert not (site / "sitemap.xml").exists() and not (site / "sitemap.xml.gz").exists()
    assert sorted(p.name for p in site.glob("feed_*")) == []
    assert "application/rss+xml" not in (site / "index.html").read_text(encoding="utf-8")


def test_site_url_names_the_canonical_links_and_the_sitemap(project, tmp_path):
    url = "https://x.github.io/proj/"
    site = tmp_path / "site"
    build(project, site, env={"SITE_URL": url})
    assert CANONICAL.findall((site / "papers/a-note/index.html").read_text(encoding="utf-8")) == [
        url + "papers/a-note/"]
    assert CANONICAL.findall((site / "index.html").read_text(encoding="utf-8")) == [url]
    locations = [loc.text for loc in ET.parse(site / "sitemap.xml").getroot().iter(SITEMAP + "loc")]
    assert url + "papers/a-note/" in locations and url in locations
    assert [loc for loc in locations if not loc.startswith(url)] == []


def _get(url: str, seconds: float = 120) -> str:
    """The page at ``url`` once the server answers it (it is still building at first)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_mkdocs_serve_without_site_url_names_its_own_address(project, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    with mkdocs_serve(project, ["--no-livereload"]) as base:
        page = _get(base + "papers/a-note/")
    assert CANONICAL.findall(page) == [base + "papers/a-note/"]
