"""Backlinks: each note lists the pages that mention it.

A page mentions a note when its Markdown links to it (``[MoCo](../papers/moco.md)``,
with or without an anchor) or cites the note's paper (``[@he2020moco]``, the
note's ``bib``). At ``on_files`` the hook reads every page's source as the
paper cards do (tools/site/hooks/papers.py, ``mentions``: markdown-it-py, so
links and citations inside code are not counted, and the indented body of an
admonition, a content tab or a footnote is read as Markdown), and at
``on_page_markdown`` it appends a "Mentioned in" list to each note that
something mentions: weekly reports first, newest first, then the other pages
by title. Section index pages are neither listed nor given a list (they list
their notes already). The list is Markdown, so the prerender worker, which
forks after ``on_files``, converts the same text as the build, and a strict
build checks its links like any other.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mkdocs.utils import get_relative_url  # noqa: E402

from tools.site.hooks.nav import displayed_title  # noqa: E402
from tools.site.hooks.papers import mentions as named_in, read_front  # noqa: E402

HEADING = "Mentioned in"


@dataclass(frozen=True)
class Source:
    src_uri: str
    title: str
    date: str  # a weekly report's date, else ""


def _is_index(src_uri: str) -> bool:
    return src_uri == "index.md" or src_uri.endswith("/index.md")


def mentions(src_uri: str, source: str, front=None) -> tuple[set[str], set[str], str]:
    """(pages linked, keys cited, title as the page shows it) of one page's Markdown;
    ``front``: its front matter when already read."""
    front = front if front is not None else read_front(src_uri, source)[0]
    named = list(named_in(src_uri, source))
    return ({v for k, v in named if k == "page"}, {v for k, v in named if k == "key"},
            displayed_title(front, source))


def collect(pages: dict[str, str]) -> dict[str, list[Source]]:
    """src_uri of a note -> the pages that mention it, in the order they are listed."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    sources: dict[str, Source] = {}
    by_key: dict[str, str] = {}
    for src_uri, text in pages.items():
        front, _ = read_front(src_uri, text)
        meta = front.data
        links, keys, title = mentions(src_uri, text, front)
        found[src_uri] = (links, keys)
        report = src_uri.startswith("weekly/posts/")
        sources[src_uri] = Source(src_uri, title or src_uri, str(meta.get("date", "")) if report else "")
        if meta.get("bib") is not None:
            by_key.setdefault(str(meta["bib"]), src_uri)
    backlinks: dict[str, set[str]] = {}
    for src_uri, (links, keys) in found.items():
        if _is_index(src_uri):
            continue
        targets = {t for t in links if t in pages} | {by_key[k] for k in keys if k in by_key}
        for target in targets - {src_uri}:
            if not _is_index(target):
                backlinks.setdefault(target, set()).add(src_uri)

    listed = {}
    for target, found_by in backlinks.items():
        reports = sorted((sources[s] for s in found_by if sources[s].date), key=lambda s: s.date, reverse=True)
        others = sorted((sources[s] for s in found_by if not sources[s].date), key=lambda s: s.title.casefold())
        listed[target] = reports + others
    return listed


def block(sources: list[Source], here: str) -> str:
    """The Markdown of a note's list."""
    items = "\n".join(f"- [{s.title.replace(']', chr(92) + ']')}]({get_relative_url(s.src_uri, here)})" for s in sources)
    return f'\n\n<div class="papernotes-backlinks" markdown>\n\n**{HEADING}**\n\n{items}\n\n</div>\n'


_backlinks: dict[str, list[Source]] = {}


def on_files(files, config, **kwargs):
    pages = {f.src_uri: f.content_string for f in files.documentation_pages() if f.src_uri.endswith(".md")}
    _backlinks.clear()
    _backlinks.update(collect(pages))
    return files


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    sources = _backlinks.get(page.file.src_uri)
    if not sources:
        return markdown
    return markdown.rstrip("\n") + block(sources, page.file.src_uri)
