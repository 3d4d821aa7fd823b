"""Sections fill themselves: a new note appears in the navigation without an
edit to mkdocs.yml.

mkdocs.yml lists each section with its index page only (``papers/index.md``).
This hook appends every other page in that folder (and below) that is not in
the navigation yet, sorted by path. Pages the blog plugin keeps out of the
navigation (weekly posts) stay out.

A section keeps at most ``LIMIT`` pages in the sidebar, so that the
navigation Material renders into every page stays the same size however long
the log grows (with hundreds of notes listed, each page carried all of them,
and build time and site size grew with the square of the number of notes).
A section with more pages lists its ``LIMIT`` most recent ones (by the front
matter's ``finished``, ``started``, ``added`` or ``date``, then by path), and
its index page gets a generated list of all of them, so every note stays one
click from its section.
"""

from __future__ import annotations

import logging
import posixpath
import re
import sys
from pathlib import Path

# MkDocs puts only this folder on sys.path while loading a hook; the
# checkout's root holds the shared tools.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mkdocs.structure.nav import Navigation, Section  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402

from tools.log.cli import Refusal  # noqa: E402
from tools.log.frontmatter import TextDates, parse_front_matter  # noqa: E402

LIMIT = 40  # pages of a section shown in the sidebar
DATE_FIELDS = ("finished", "started", "added", "date")  # the latest a note can say, first
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
HEADING = re.compile(r"^#[ \t]+(.+?)[ \t]*#*$", re.MULTILINE)

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
    data = fields(source)
    for name in DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and ISO_DAY.match(value.strip()):
            return value.strip()[:10]
    return ""


def note_title(source: str) -> str:
    """The front matter's title, else the first level-1 heading ('' when neither)."""
    title = fields(source).get("title")
    if isinstance(title, (str, int, float)) and str(title).strip():
        return str(title).strip()
    heading = HEADING.search(source)
    return heading[1].strip() if heading else ""


def fill_sections(nav: Navigation, files, limit: int = LIMIT) -> dict[str, list[Page]]:
    """Append unlisted pages to their section, at most ``limit`` per section.

    Returns, for each section folder that had more, every page of that folder
    not listed by hand (those shown first), for its index page to list."""
    listed = {page.file.src_uri for page in nav.pages}
    candidates = [
        f for f in sorted(files.documentation_pages(), key=lambda f: f.src_uri)
        if f.src_uri not in listed and f.page is not None and f.inclusion.is_in_nav()
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
            pages.sort(key=lambda p: (recency(p.file.content_string), p.file.src_uri), reverse=True)
            shown = sorted(pages[:limit], key=lambda p: p.file.src_uri)
            overflow[folder] = pages
        else:
            shown = pages
        for page in shown:
            page.parent = item
            item.children.append(page)
            changed = True
    if changed:
        # Rebuild the page order so that previous/next links follow the nav.
        ordered = list(_walk(nav.items))
        for previous, page, following in zip([None, *ordered[:-1]], ordered, [*ordered[1:], None]):
            page.previous_page, page.next_page = previous, following
        nav.pages = ordered
    return overflow


def _walk(items):
    for item in items:
        if isinstance(item, Page):
            yield item
        elif isinstance(item, Section):
            yield from _walk(item.children)


def all_pages_list(pages: list[Page], here: str) -> str:
    """Markdown: every page of a long section, newest first, linked from ``here``."""
    lines = [f"## All {len(pages)} notes\n"]
    for page in pages:
        title = note_title(page.file.content_string) or posixpath.splitext(posixpath.basename(page.file.src_uri))[0]
        when = recency(page.file.content_string)
        target = posixpath.relpath(page.file.src_uri, posixpath.dirname(here))
        lines.append(f"- [{title}]({target})" + (f" · {when}" if when else ""))
    return "\n".join(lines) + "\n"


_overflow: dict[str, list[Page]] = {}


def on_nav(nav: Navigation, config, files) -> Navigation:
    _overflow.clear()
    _overflow.update(fill_sections(nav, files))
    listed = {page.file.src_uri for page in nav.pages}
    outside = [
        f.src_uri for f in files.documentation_pages()
        if f.inclusion.is_in_nav() and f.src_uri not in listed
        and not any(f.src_uri.startswith(folder + "/") for folder in _overflow)
    ]
    if outside:
        log.info("pages in no section (give their folder a section in mkdocs.yml): " + ", ".join(sorted(outside)))
    return nav


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    src = page.file.src_uri
    if posixpath.basename(src) == "index.md" and posixpath.dirname(src) in _overflow:
        markdown = markdown.rstrip("\n") + "\n\n" + all_pages_list(_overflow[posixpath.dirname(src)], src)
    return markdown
