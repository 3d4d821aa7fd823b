"""Sections fill themselves: a new note appears in the navigation without an
edit to mkdocs.yml.

mkdocs.yml lists each section with its index page only (``papers/index.md``).
This hook appends every other page in that folder (and below) that is not in
the navigation yet, in title order (below). Pages the blog plugin keeps out
of the navigation (weekly posts) stay out.

A section keeps at most ``LIMIT`` pages in the sidebar, so that the
navigation Material renders into every page stays the same size however long
the log grows (with hundreds of notes listed, each page carried all of them,
and build time and site size grew with the square of the number of notes).
A section with more pages lists its ``LIMIT`` most recent ones (by the front
matter's ``finished``, ``started``, ``added`` or ``date``, then by path), and
its index page lists all of them, so every note stays one click from its
section.

A section's pages are in the order of their displayed titles (the front
matter's ``title``, else the first level-1 heading, else the file's name, as
MkDocs titles a page), case left aside: "Deep Visual-Semantic Alignments"
before "Deeper Insights...", not last for its file name. Each section's index
page ends with the list of all its notes, in that order: title, reading
status, latest date (``finished``, ``started``, ``added`` or ``date``) and
tags, made at build time from their front matter, so a new note appears
there with no edit. (The weekly reports are listed by the blog plugin,
newest first, and linked to each other by date.)

Previous and next links (``navigation.footer``) follow the navigation as a
reader sees it: Home, Weekly reports, Papers, its pages, Courses... The blog
plugin links its archive and category pages into that chain after the blog's
index ("Next: CV" on Weekly reports, "Previous: 2022" on Papers); here they
link to each other only, and the pages the navigation lists link past them.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# MkDocs puts only this folder on sys.path while loading a hook; the
# checkout's root holds the shared tools.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from material.plugins.blog.structure import Archive, Category, Profile, View  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.nav import Navigation, Section  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402

from tools.log.cli import Refusal  # noqa: E402
from tools.log.frontmatter import FrontMatter, TextDates, parse_front_matter  # noqa: E402

LIMIT = 40  # pages of a section shown in the sidebar
DATE_FIELDS = ("finished", "started", "added", "date")  # the latest a note can say, first
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
HEADING = re.compile(r"^#[ \t]+(.+?)[ \t]*#*$", re.MULTILINE)
CODE_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
LIST_CLASS = "papernotes-notes"  # a section index's list of notes (docs/assets/stylesheets/sections.css)
BLOG_VIEWS = (Archive, Category, Profile)  # the blog plugin's pages of posts (not its index)

log = logging.getLogger("mkdocs.hooks.nav")


def section_folder(section: Section) -> str | None:
    """The folder of a section whose first child is ``<folder>/index.md``."""
    first = section.children[0] if section.children else None
    if isinstance(first, Page) and posixpath.basename(first.file.src_uri) == "index.md":
        folder = posixpath.dirname(first.file.src_uri)
        return folder or None
    return None


def fields(source: str) -> dict:
    """The page's front matter, read as every part of the log reads it (tools.log.frontmatter);
    nothing when it cannot be read (the papers hook names that problem, with its line)."""
    try:
        return parse_front_matter(source, "page", loader=TextDates, lenient=True).data
    except Refusal:
        return {}


def recency(source: str) -> str:
    """The note's latest date in front matter (ISO text, '' when it has none)."""
    return _latest(fields(source))


def note_title(source: str) -> str:
    """The front matter's title, else the first level-1 heading outside code blocks
    ('' when neither)."""
    return displayed_title(_front(source), source)


def _front(source: str) -> FrontMatter | None:
    try:
        return parse_front_matter(source, "page", loader=TextDates, lenient=True)
    except Refusal:
        return None


def displayed_title(front: FrontMatter | None, source: str) -> str:
    """The title MkDocs shows for a page whose front matter is ``front`` (None: unreadable, then
    ``source`` is all body): its ``title``, else its first level-1 heading outside code ('' when neither)."""
    title = front.data.get("title") if front else None
    if isinstance(title, (str, int, float)) and str(title).strip():
        return str(title).strip()
    heading = HEADING.search(CODE_FENCE.sub("", front.body if front else source))
    return heading[1].strip() if heading else ""


def _latest(data: dict) -> str:
    for name in DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and ISO_DAY.match(value.strip()):
            return value.strip()[:10]
    return ""


def notebook_title(source: str) -> str:
    """A notebook's first level-1 heading in a Markdown cell ('' when none)."""
    try:
        cells = json.loads(source).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            text = cell.get("source", "")
            heading = HEADING.search("".join(text) if isinstance(text, list) else str(text))
            if heading:
                return heading[1].strip()
    return ""


@dataclass(frozen=True)
class Entry:
    """What a section's index says of one of its notes."""

    title: str  # as the navigation shows it
    date: str  # the latest date in its front matter (ISO), '' when none
    status: str  # its front matter's reading status, '' when none
    tags: tuple[str, ...]


def entry(file) -> Entry:
    """The page's Entry, from its source (a notebook: its first heading, nothing else)."""
    source = file.content_string
    if file.src_uri.endswith(".ipynb"):
        return Entry(notebook_title(source) or default_title(file.src_uri), "", "", ())
    front = _front(source)  # read once: YAML is most of what this hook costs
    data = front.data if front else {}
    status = data.get("status")
    tags = data.get("tags")
    tags = tuple(str(tag) for tag in tags if str(tag).strip()) if isinstance(tags, list) else ()
    return Entry(displayed_title(front, source) or default_title(file.src_uri), _latest(data),
                 status if isinstance(status, str) else "", tags)


def default_title(src_uri: str) -> str:
    """MkDocs' title for a page that names none: its file's name, dashes as spaces."""
    name = posixpath.splitext(posixpath.basename(src_uri))[0]
    title = name.replace("-", " ").replace("_", " ")
    return title.capitalize() if title.lower() == title else title


_entries: dict[str, Entry] = {}  # src_uri -> Entry, for one build


def entry_of(page: Page) -> Entry:
    uri = page.file.src_uri
    if uri not in _entries:
        _entries[uri] = entry(page.file)
    return _entries[uri]


def by_title(page: Page) -> tuple[str, str]:
    """The navigation's order: displayed title, case left aside, then path."""
    return entry_of(page).title.casefold(), page.file.src_uri


def fill_sections(nav: Navigation, files, limit: int = LIMIT) -> dict[str, list[Page]]:
    """Append unlisted pages to their section, at most ``limit`` per section.

    Returns, for each section folder that had more, every page of that folder
    not listed by hand (those shown first), for its index page to list."""
    listed = {page.file.src_uri for page in nav.pages}
    candidates = [  # not the blog's listings: the blog plugin places them (pages 2, 3... in none)
        f for f in sorted(files.documentation_pages(), key=lambda f: f.src_uri)
        if f.src_uri not in listed and f.page is not None and f.inclusion.is_in_nav()
        and not isinstance(f.page, View)
    ]
    overflow: dict[str, list[Page]] = {}
    changed = False
    for item in nav.items:
        if not isinstance(item, Section):
            continue
        folder = section_folder(item)
        if folder is None:
            continue
        pages = [f.page for f in candidates if f.src_uri.startswith(folder + "/")]
        if len(pages) > limit:
            pages.sort(key=lambda p: (entry_of(p).date, p.file.src_uri), reverse=True)
            shown = sorted(pages[:limit], key=by_title)
            overflow[folder] = pages
        else:
            shown = sorted(pages, key=by_title)
        for page in shown:
            page.parent = item
            item.children.append(page)
            changed = True
    if changed:
        link_in_reading_order(nav)
    return overflow


def section_notes(nav: Navigation, files, by_hand: set[str]) -> dict[str, list[Page]]:
    """For each section's index page (its src_uri): every page of its folder and below
    but those in ``by_hand`` (listed in mkdocs.yml), in the navigation's order (by title)."""
    found = {}
    for item in nav.items:
        folder = section_folder(item) if isinstance(item, Section) else None
        if folder is None:
            continue
        pages = [f.page for f in files.documentation_pages()
                 if f.src_uri.startswith(folder + "/") and f.page is not None and f.inclusion.is_in_nav()
                 and f.src_uri not in by_hand and not isinstance(f.page, View)]
        if pages:
            found[item.children[0].file.src_uri] = sorted(pages, key=by_title)
    return found


def link_in_reading_order(nav: Navigation) -> None:
    """Previous/next links in the navigation's order. The blog's archive and category
    pages (listed after the blog's index) are left out of that chain and linked to
    each other; a paginated listing's later pages link where its first page does."""
    ordered = list(_walk(nav.items))
    reading = [page for page in ordered if not isinstance(page, BLOG_VIEWS)]
    views = [page for page in ordered if isinstance(page, BLOG_VIEWS)]
    for chain in (reading, views):
        for previous, page, following in zip([None, *chain[:-1]], chain, [*chain[1:], None]):
            page.previous_page, page.next_page = previous, following
    for view in ordered:
        if isinstance(view, View):
            for later in view.pages[1:]:
                later.previous_page, later.next_page = view.previous_page, view.next_page
    nav.pages = ordered


def _walk(items):
    for item in items:
        if isinstance(item, Page):
            yield item
        elif isinstance(item, Section):
            yield from _walk(item.children)


def all_pages_list(pages: list[Page], here: str, statuses: dict | None = None) -> str:
    """Markdown: the pages of a section, in the order given, linked from ``here``,
    each with its reading status (``statuses`` names them, as mkdocs.yml's
    extra.status does), date and tags."""
    noun = "notebook" if pages and all(p.file.src_uri.endswith(".ipynb") for p in pages) else "note"
    # The heading and the list are out of the search index, where a title should find its
    # note, not this list as well (with them in, search put fewer right pages first:
    # 94% of tools.bench.search_quality's queries instead of 96%).
    heading = f"All {len(pages)} {noun}s" if len(pages) != 1 else f"1 {noun}"
    lines = [f"## {heading} {{ data-search-exclude }}\n",
             f'<div class="{LIST_CLASS}" data-search-exclude markdown>\n']  # sections.css
    for page in pages:
        note = entry_of(page)
        target = posixpath.relpath(page.file.src_uri, posixpath.dirname(here))
        title = note.title.replace("[", "\\[").replace("]", "\\]")
        parts = [f"[{title}]({target})"]
        if note.status:
            parts.append(str((statuses or {}).get(note.status, note.status)))
        if note.date:
            parts.append(note.date)
        if note.tags:
            parts.append(", ".join(note.tags))
        lines.append("- " + " · ".join(parts))
    return "\n".join(lines) + "\n\n</div>\n"


_overflow: dict[str, list[Page]] = {}
_listings: dict[str, list[Page]] = {}  # a section's index page (src_uri) -> its notes
_statuses: dict = {}


@event_priority(-75)  # after the blog plugin (-50) has put its archive and category pages in the nav
def on_nav(nav: Navigation, config, files) -> Navigation:
    _entries.clear()
    _overflow.clear()
    _listings.clear()
    _statuses.clear()
    _statuses.update(config.extra.get("status") or {})
    by_hand = {page.file.src_uri for page in nav.pages}
    _overflow.update(fill_sections(nav, files))
    link_in_reading_order(nav)  # the blog's pages moved out of the chain even when no section grew
    _listings.update(section_notes(nav, files, by_hand))
    listed = {page.file.src_uri for page in nav.pages}
    outside = [
        f.src_uri for f in files.documentation_pages()
        if f.inclusion.is_in_nav() and f.src_uri not in listed and not isinstance(f.page, View)
        and not any(f.src_uri.startswith(folder + "/") for folder in _overflow)
    ]
    if outside:
        log.info("pages in no section (give their folder a section in mkdocs.yml): " + ", ".join(sorted(outside)))
    return nav


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    src = page.file.src_uri
    if src in _listings:
        markdown = markdown.rstrip("\n") + "\n\n" + all_pages_list(_listings[src], src, _statuses)
    return markdown
