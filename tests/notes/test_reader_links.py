"""This log's own site: its feeds and its backlinks."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tools.site.build import ROOT, run_mkdocs

SITE_URL = "https://example.org/papernotes/"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The site as published: built with SITE_URL (a build without one writes no feed)."""
    out = tmp_path_factory.mktemp("published")
    result = run_mkdocs(out, env={"SITE_URL": SITE_URL})
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _newest_report() -> str:
    return max(p.stem for p in (ROOT / "docs" / "weekly" / "posts").glob("*.md"))


def test_the_weekly_feed_starts_with_the_newest_report(published):
    channel = ET.parse(published / "feed_rss_created.xml").getroot().find("channel")
    first = channel.find("item")
    newest = _newest_report()  # 2022-05-23 today
    assert first.findtext("link") == SITE_URL + "weekly/" + newest.replace("-", "/") + "/"
    assert first.findtext("title").startswith("Weekly report from " + newest.replace("-", "."))
    assert ".md" not in first.findtext("description") and "[@" not in first.findtext("description")


def test_the_moco_note_lists_the_report_that_discusses_it(site):
    import re

    page = (site.path / "papers" / "moco" / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="papernotes-backlinks">(.*?)</div>', page, re.DOTALL)
    assert box and "Mentioned in" in box[1]
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', box[1]))
    assert links.get("../../weekly/2022/05/09/") == "Weekly report from 2022.05.09 to 2022.05.15"
    for href in links:
        assert (site.path / "papers" / "moco" / href / "index.html").resolve().is_file(), href
