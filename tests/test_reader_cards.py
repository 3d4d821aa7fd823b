"""A weekly report's paper cards: one for each paper it discusses (a link to a paper
note, or a [@key] citation), in the order it first names them, with the paper's title
linked to its note and its reading status."""

from __future__ import annotations

import re

import pytest

from tests.small_log import build, first_author, make_log

BIB = """@misc{doe2021alpha, author={Doe, Jane and Roe, Richard}, title={Alpha Networks}, year={2021}}

@misc{roe2020beta, author={Roe, Richard}, title={Beta Training}, year={2020}}

@misc{poe2019gamma, author={Poe, Edgar and Doe, Jane and Roe, Richard}, title={Gamma Losses}, year={2019}}
"""
PAGES = {
    "papers/alpha.md": "---\nbib: doe2021alpha\nstatus: read\nfinished: 2022-05-15\n---\n\n# Alpha: networks\n\n## Method\n\nText.\n",
    "papers/beta.md": "---\nbib: roe2020beta\nstatus: reading\nstarted: 2022-05-10\n---\n\n# Beta\n\nText.\n",
    "weekly/posts/2022-05-09.md": (
        f"---\ndate: 2022-05-09\nauthors:\n  - {first_author()}\ncategories:\n  - CV\n---\n\n"
        "# Weekly report from 2022.05.09 to 2022.05.15\n\nRead [Beta](../../papers/beta.md) first.\n\n<!-- more -->\n\n"
        "## 论文阅读\n\nThen [Alpha](../../papers/alpha.md#method), again [the Beta note](../../papers/beta.md), "
        "and [@poe2019gamma] without a note.\n\n```text\n[@doe2021alpha] in code is no citation\n```\n"),
    "weekly/posts/2022-05-16.md": (
        f"---\ndate: 2022-05-16\nauthors:\n  - {first_author()}\ncategories:\n  - CV\n---\n\n"
        "# Weekly report from 2022.05.16 to 2022.05.22\n\nNo paper this week.\n"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("cards")
    return build(make_log(work / "log", PAGES, bib=BIB), work / "site")


def cards(site, url: str) -> list[dict[str, str]]:
    page = (site / url / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<div class="papernotes-cards">(.*?)</div>', page, re.DOTALL)
    if block is None:
        return []
    found = []
    for item in re.findall(r"<li>(.*?)</li>", block[1], re.DOTALL):
        status = re.search(r'data-status="(\w+)">([^<]*)</span>', item)
        link = re.search(r'<a class="papernotes-card__title" href="([^"]+)">(.*?)</a>', item)
        meta = re.search(r'<span class="papernotes-card__meta">([^<]*)</span>', item)
        found.append({"status": status[1], "label": status[2], "href": link[1], "title": link[2], "meta": meta[1]})
    return found


def test_a_report_shows_a_card_per_paper_it_discusses(site):
    assert cards(site, "weekly/2022/05/09") == [
        {"status": "reading", "label": "Reading now", "href": "../../../../papers/beta/", "title": "Beta",
         "meta": "Roe, 2020"},
        {"status": "read", "label": "Read", "href": "../../../../papers/alpha/", "title": "Alpha: networks",
         "meta": "Doe and Roe, 2021"},
        {"status": "none", "label": "No note yet", "href": "../../../../papers/bibliography/#poe2019gamma",
         "title": "Gamma Losses", "meta": "Poe et al., 2019"},
    ]
    page = (site / "weekly/2022/05/09/index.html").read_text(encoding="utf-8")
    assert page.index("论文阅读") < page.index('id="papers-in-this-report"') < page.index('class="papernotes-cards"')


def test_a_report_without_papers_has_no_cards_and_notes_have_none(site):
    assert cards(site, "weekly/2022/05/16") == []
    assert cards(site, "papers/alpha") == []
    index = (site / "weekly/index.html").read_text(encoding="utf-8")
    assert "papernotes-cards" not in index  # the excerpt ends before the cards


def test_cards_are_drawn_as_cards_with_a_status_icon(site):
    from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve

    if not find_chromium():
        pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}")
    with serve(site) as url, chromium("tests/test_reader_cards.py") as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "weekly/2022/05/09/")
        drawn = page.evaluate("""() => {
            const list = document.querySelector('.papernotes-cards ul');
            const items = [...list.querySelectorAll('li')];
            return {
                display: getComputedStyle(list).display,
                columns: getComputedStyle(list).gridTemplateColumns.split(' ').length,
                bullets: items.map(li => getComputedStyle(li).listStyleType),
                borders: items.map(li => getComputedStyle(li).borderTopStyle),
                icons: items.map(li => getComputedStyle(li.querySelector('.papernotes-card__status'), '::before')
                                 .maskImage.startsWith('url(')),
            };
        }""")
        page.close()
    assert drawn["display"] == "grid" and drawn["columns"] >= 2  # side by side at 1280 px
    assert drawn["bullets"] == ["none"] * 3 and drawn["borders"] == ["solid"] * 3
    assert drawn["icons"] == [True, True, True]
