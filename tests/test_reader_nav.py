"""The sections as a reader finds them (tools/site/hooks/nav.py), on a small log of the
test's own: each section's index lists its notes (title, reading status, date, tags),
the sidebar orders them by displayed title, and previous/next follow the sidebar,
with the blog's archive and category pages out of that chain."""

from __future__ import annotations

import json
import posixpath
import re

import pytest

from tests.small_log import build, make_log, nav_pages, post

# path under docs/ -> (front matter and text, title the site shows)
NOTES = {
    # File names in the opposite order of the titles; one title lower-case.
    "papers/a-first-file.md": ("---\ntitle: Zebra Nets\nstatus: queued\nadded: 2024-03-01\ntags: [CV]\n---\n\nText.\n",
                               "Zebra Nets"),
    "papers/b-second-file.md": ("---\ntitle: attention is all you need\nstatus: read\nstarted: 2024-01-02\n"
                                "finished: 2024-01-20\ntags: [NLP, Transformer]\n---\n\nText.\n",
                                "attention is all you need"),
    "papers/visual-semantic.md": ("---\ntitle: Deep Visual-Semantic Alignments\nstatus: reading\n"
                                  "started: 2024-02-10\n---\n\nText.\n", "Deep Visual-Semantic Alignments"),
    "papers/more/nested.md": ("---\nstatus: read\nfinished: 2023-12-31\n---\n\n```python\n# Not a title\n```\n\n"
                              "# Bayes by Heading\n\nText.\n", "Bayes by Heading"),
    "courses/z-adam.md": ("---\ntitle: Adam\ntags: [Optimization]\n---\n\nText.\n", "Adam"),
    "courses/a-dropout.md": ("# dropout, chapter 13\n\nText.\n", "dropout, chapter 13"),
    "courses/weight-decay.md": ("---\ntitle: 权重衰减\n---\n\nText.\n", "权重衰减"),
    "tools/editor.md": ("# The editor\n\nText.\n", "The editor"),
    "notes/no-title-at-all.md": ("Only text.\n", "No title at all"),
}
NOTEBOOK = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# A notebook of tests\n", "\n", "Text."]}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
STATUS = {"read": "Read", "reading": "Reading now", "queued": "Queued to read"}  # mkdocs.yml's extra.status
# Eleven reports: the blog's index and its 2024 archive get a second page (ten a page).
MONDAYS = [f"2024-01-{day:02d}" for day in (8, 15, 22, 29)] + [f"2024-02-{day:02d}" for day in (5, 12, 19, 26)] \
    + [f"2024-03-{day:02d}" for day in (4, 11, 18)]
POSTS = {f"weekly/posts/{day}.md": post(day, "CV" if i == 0 else "NLP") for i, day in enumerate(MONDAYS)}

SECTIONS = ["papers", "courses", "tools", "notes", "notebooks"]  # those with notes here
LINK = re.compile(r'<a href="([^"#]*)" class="md-nav__link[^"]*"')
FOOTER = re.compile(r'<a href="([^"]*)" class="md-footer__link md-footer__link--(prev|next)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("nav")
    pages = {path: text for path, (text, _) in NOTES.items()}
    pages["notebooks/a-notebook.ipynb"] = json.dumps(NOTEBOOK)
    project = make_log(work / "log", {**pages, **POSTS})
    build(project, work / "site")
    return work / "site"


def url_of(src: str) -> str:
    """The site's folder URL of a page (papers/x.md -> papers/x/, papers/index.md -> papers/)."""
    stem = posixpath.splitext(src)[0]
    if stem == "index":
        return ""
    return (stem.removesuffix("/index") if stem.endswith("/index") else stem) + "/"


def html_of(site, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def resolve(url: str, href: str) -> str:
    """The site URL that ``href`` on the page at ``url`` points at."""
    target = posixpath.normpath(posixpath.join(url or ".", href))
    return "" if target == "." else target + "/"


def sidebar(site, url: str, folder: str) -> list[str]:
    """The URLs the page's navigation lists under ``folder``/, in order."""
    links = [resolve(url, href) for href in LINK.findall(html_of(site, url))]
    return [link for link in dict.fromkeys(links) if link.startswith(folder + "/")]


def expected_sidebar(folder: str) -> list[str]:
    """The pages NAV lists in the section, then its notes by displayed title, case left aside."""
    by_hand = [url_of(path) for _, path in nav_pages() if path.startswith(folder + "/")]
    notes = sorted((title.casefold(), url_of(path)) for path, (_, title) in NOTES.items()
                   if path.startswith(folder + "/"))
    if folder == "notebooks":
        notes = [("", "notebooks/a-notebook/")]
    return by_hand + [url for _, url in notes]


def reading_order() -> list[str]:
    """Every page the navigation lists, as a reader goes through it: the log's nav (NAV),
    each section's pages as its sidebar lists them."""
    order = [url_of(path) for _, path in nav_pages()]
    for folder in SECTIONS:
        at = [i for i, url in enumerate(order) if url.startswith(folder + "/")]
        order[at[0]:at[-1] + 1] = expected_sidebar(folder)
    return order


@pytest.mark.parametrize("folder", SECTIONS)
def test_the_sidebar_lists_a_sections_notes_by_displayed_title(site, folder):
    expected = expected_sidebar(folder)
    for url in expected:  # every page of the section shows the same order
        assert sidebar(site, url, folder) == expected, url


def test_each_section_index_lists_every_note_with_status_date_and_tags(site):
    papers = html_of(site, "papers/")
    assert re.search(r'<h2 [^>]*id="all-4-notes">All 4 notes', papers)
    items = re.findall(r"<li><a href=\"([^\"]+)\">([^<]+)</a>([^<]*)</li>", papers)
    assert items == [
        ("b-second-file/", "attention is all you need", " · Read · 2024-01-20 · NLP, Transformer"),
        ("more/nested/", "Bayes by Heading", " · Read · 2023-12-31"),
        ("visual-semantic/", "Deep Visual-Semantic Alignments", " · Reading now · 2024-02-10"),
        ("a-first-file/", "Zebra Nets", " · Queued to read · 2024-03-01 · CV"),
    ]
    for path, (_, title) in NOTES.items():
        folder = path.split("/")[0]
        index = html_of(site, folder + "/")
        link = posixpath.relpath(url_of(path), folder) + "/"
        assert f'<a href="{link}">{title}</a>' in index, (path, folder)
    assert re.search(r'<h2 [^>]*id="1-notebook">1 notebook', html_of(site, "notebooks/"))
    assert '<a href="a-notebook/">A notebook of tests</a>' in html_of(site, "notebooks/")


def test_the_list_is_out_of_the_search_index(site):
    """A note's title finds its own page in search, not its section's index as well."""
    from tools.site.search_shards import read_sections

    sections = read_sections(site)
    assert any(section["title"] == "Zebra Nets" for section in sections)
    found = [section["location"] for section in sections
             if "Zebra Nets" in section["title"] + section.get("text", "") or "All 4 notes" in section["title"]]
    assert found == ["papers/a-first-file/"]


def test_a_section_without_notes_lists_none(site):
    assert "All 0" not in html_of(site, "competitions/") and "<h2" not in html_of(site, "competitions/")


def footer(site, url: str) -> dict[str, str]:
    return {side: resolve(url, href) for href, side in FOOTER.findall(html_of(site, url))}


def test_previous_and_next_follow_the_sidebar(site):
    order = reading_order()
    for previous, url, following in zip([None, *order[:-1]], order, [*order[1:], None]):
        links = footer(site, url)
        assert links.get("prev") == previous and links.get("next") == following, url


def test_the_blogs_archive_and_category_pages_link_only_each_other(site):
    views = ["weekly/archive/2024/", "weekly/category/cv/", "weekly/category/nlp/"]
    assert footer(site, "weekly/") == {"prev": "", "next": "papers/"}
    assert footer(site, "papers/")["prev"] == "weekly/"
    assert footer(site, views[0]) == {"next": views[1]}
    assert footer(site, views[1]) == {"prev": views[0], "next": views[2]}
    assert footer(site, views[2]) == {"prev": views[1]}
    # The reports themselves: by date, oldest first.
    assert footer(site, "weekly/2024/01/08/") == {"next": "weekly/2024/01/15/"}
    assert footer(site, "weekly/2024/03/18/") == {"prev": "weekly/2024/03/11/"}


def test_the_blogs_later_pages_stay_out_of_the_sidebar_and_link_as_their_first(site):
    assert footer(site, "weekly/page/2/") == footer(site, "weekly/")
    assert footer(site, "weekly/archive/2024/page/2/") == footer(site, "weekly/archive/2024/")
    for url in ("weekly/", "papers/"):
        assert not any("/page/" in link for link in sidebar(site, url, "weekly")), url


def test_a_notes_details_are_in_the_lighter_text_colour(site):
    """sections.css: the title is the link; status, date and tags in Material's lighter colour."""
    from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve

    if not find_chromium():
        pytest.skip(f"needs Chromium: {INSTALL_HINT}")
    with serve(site) as url, chromium("tests/test_reader_nav.py") as browser:
        page = browser.new_page()
        page.goto(url + "papers/")
        colours = page.evaluate("""() => {
            const item = document.querySelector('.papernotes-notes li');
            const probe = document.createElement('span');
            probe.style.color = 'var(--md-default-fg-color--light)';
            document.querySelector('.md-typeset').append(probe);
            return [getComputedStyle(item).color, getComputedStyle(probe).color,
                    getComputedStyle(item.querySelector('a')).color,
                    getComputedStyle(document.querySelector('.md-typeset')).color];
        }""")
    item, lighter, link, text = colours
    assert item == lighter and item != text and link != item, colours
