"""This log's sections as a reader finds them: every paper and course note listed on its
section's index, the sidebar in title order ("Deep Visual-Semantic Alignments…" among
the D's, not last), and the footer of the section pages in the sidebar's order."""

from __future__ import annotations

import html
import re

import pytest

from tools.site.build import ROOT

GENERATED = {"index.md", "reading-list.md", "bibliography.md"}
LINK = re.compile(r'<a href="([^"#]*)" class="md-nav__link[^"]*"')
FOOTER = re.compile(r'<a href="([^"]*)" class="md-footer__link md-footer__link--(prev|next)"')
TITLE = re.compile(r"<title>(.*?) - papernotes</title>")


def page(site, url: str) -> str:
    return (site.path / url / "index.html").read_text(encoding="utf-8")


def listed(site, folder: str) -> list[str]:
    """The notes the section's index lists under its "All N notes" heading (their folder URLs)."""
    text = page(site, folder + "/")
    heading = re.search(r'<h2 [^>]*id="all-\d+-notes">', text)
    assert heading, f"{folder}/: no list of its notes"
    block = text[heading.end():text.index("</ul>", heading.end())]
    return re.findall(r'<li><a href="([^"]+)">', block)


@pytest.mark.parametrize("folder", ["papers", "courses"])
def test_every_note_is_listed_on_its_sections_index(site, folder):
    notes = sorted(p.stem for p in (ROOT / "docs" / folder).glob("*.md") if p.name not in GENERATED)
    assert len(notes) > 5
    assert sorted(href.rstrip("/") for href in listed(site, folder)) == notes


def sidebar(site, url: str) -> list[str]:
    """The notes the sidebar of the section page ``url`` lists (links relative to it), in order."""
    return [href for href in dict.fromkeys(LINK.findall(page(site, url)))
            if href and not href.startswith("..") and href not in ("./", "reading-list/", "bibliography/")]


def test_the_papers_sidebar_is_in_title_order(site):
    links = sidebar(site, "papers/")
    titles = [html.unescape(TITLE.search(page(site, "papers/" + href)).group(1)) for href in links]
    assert len(titles) == len(listed(site, "papers"))
    assert titles == sorted(titles, key=str.casefold)
    at = links.index("visual-semantic-alignments/")
    assert titles[at].startswith("Deep Visual-Semantic") and links[at + 1] == "deeper-gcn/"


def test_the_section_pages_footer_follows_the_sidebar(site):
    def footer(url):
        return dict((side, href) for href, side in FOOTER.findall(page(site, url)))

    assert footer("weekly/") == {"prev": "..", "next": "../papers/"}
    assert footer("papers/") == {"prev": "../weekly/", "next": "reading-list/"}
    assert footer("courses/") == {"prev": "../papers/" + sidebar(site, "papers/")[-1],
                                  "next": sidebar(site, "courses/")[0]}
