"""test_browser.py's tests that name this log's own notes and pages (the rest of test_browser.py holds for any log)."""

from __future__ import annotations

import re
from pathlib import Path
import pytest
from tools.site.build import ROOT
from playwright.sync_api import expect
from tests.test_browser import (  # noqa: F401
    browser,
    off_machine,
    page,
    pytestmark,
    search,
    server,
)

# (query, page expected among the results, its source). The Chinese words
# sit in the middle of sentences, so only jieba's segmentation makes them
# findable (test_chinese_queries_are_mid_sentence checks that premise).
SEARCHES = [
    ("探索性数据分析", "weekly/2022/04/18/", "docs/weekly/posts/2022-04-18.md"),
    ("动量编码器", "weekly/2022/05/09/", "docs/weekly/posts/2022-05-09.md"),
    ("contrastive", "papers/clip/", "docs/papers/clip.md"),
    ("autoregressive", "papers/gpt/", "docs/papers/gpt.md"),
]


def test_chinese_queries_are_mid_sentence():
    for query, _, source in SEARCHES:
        if re.search(r"[\u4e00-\u9fff]", query):
            text = (ROOT / source).read_text(encoding="utf-8")
            assert re.search(rf"[\u4e00-\u9fff]{query}", text), f"{query!r} is never mid-sentence in {source}"


@pytest.mark.parametrize("query, expected, source", SEARCHES)
def test_search_finds_the_right_page(page, server, query, expected, source):
    page.goto(server)
    hrefs = search(page, query)
    assert any(expected in (href or "") for href in hrefs), f"{query!r} found {hrefs}"


def test_typing_key_by_key_shows_the_answer_to_the_whole_word(page, server):
    # Each key sends a query; the worker drops answers to queries already
    # overtaken, and the list must end on the answer to the last one.
    page.goto(server)
    expected = search(page, "momentum")
    assert any("papers/moco/" in (href or "") for href in expected), expected
    page.goto(server)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("momentum")
    links = page.locator(".md-search-result__item > a.md-search-result__link")
    expect(links.first).to_be_visible(timeout=10_000)
    page.wait_for_function(
        "expected => [...document.querySelectorAll('.md-search-result__item > a.md-search-result__link')]"
        ".map(a => a.getAttribute('href')).join(' ') === expected.join(' ')", arg=expected, timeout=10_000)
    page.wait_for_timeout(500)  # and it stays so: no late answer to "mom" replaces it
    assert [link.get_attribute("href") for link in links.all()] == expected


def test_offline_build_searches_from_file_urls(page, offline_site):
    page.goto(Path(offline_site.path, "index.html").as_uri())
    hrefs = search(page, SEARCHES[0][0])
    expected = SEARCHES[0][1].rstrip("/") + ".html"
    assert any(expected in (href or "") for href in hrefs), hrefs
    assert [url for url in page.requests if off_machine(url)] == []
