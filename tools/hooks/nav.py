"""Sections fill themselves: a new note appears in the navigation without an
edit to mkdocs.yml.

mkdocs.yml lists each section with its index page only (``papers/index.md``).
This hook appends every other page in that folder (and below) that is not in
the navigation yet, sorted by path. Pages the blog plugin keeps out of the
navigation (weekly posts) stay out.
"""

from __future__ import annotations

import logging
import posixpath

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page


def section_folder(section: Section) -> str | None:
    """The folder of a section whose first child is ``<folder>/index.md``."""
    first = section.children[0] if section.children else None
    if isinstance(first, Page) and posixpath.basename(first.file.src_uri) == "index.md":
        folder = posixpath.dirname(first.file.src_uri)
        return folder or None
    return None


def fill_sections(nav: Navigation, files) -> list[Page]:
    """Append unlisted pages to their section; return the pages added."""
    listed = {page.file.src_uri for page in nav.pages}
    added: list[Page] = []
    for item in nav.items:
        if not isinstance(item, Section):
            continue
        folder = section_folder(item)
        if folder is None:
            continue
        for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
            if (
                file.src_uri.startswith(folder + "/")
                and file.src_uri not in listed
                and file.page is not None
                and file.inclusion.is_in_nav()
            ):
                file.page.parent = item
                item.children.append(file.page)
                added.append(file.page)
    if added:
        # Rebuild the page order so that previous/next links follow the nav.
        pages = [p for p in _walk(nav.items)]
        for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None]):
            page.previous_page, page.next_page = previous, following
        nav.pages = pages
    return added


def _walk(items):
    for item in items:
        if isinstance(item, Page):
            yield item
        elif isinstance(item, Section):
            yield from _walk(item.children)


def on_nav(nav: Navigation, config, files) -> Navigation:
    fill_sections(nav, files)
    listed = {page.file.src_uri for page in nav.pages}
    outside = [
        f.src_uri for f in files.documentation_pages()
        if f.inclusion.is_in_nav() and f.src_uri not in listed
    ]
    if outside:
        logging.getLogger("mkdocs.hooks.nav").info(
            "pages in no section (give their folder a section in mkdocs.yml): " + ", ".join(sorted(outside)))
    return nav
