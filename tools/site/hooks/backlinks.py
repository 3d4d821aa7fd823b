"""Backlinks: each note lists the pages that mention it.

A page mentions a note when its Markdown links to it (``[MoCo](../papers/moco.md)``,
with or without an anchor) or cites the note's paper (``[@he2020moco]``, the
note's ``bib``). At ``on_files`` the hook reads every page's source with
markdown-it-py, so links and citations inside code are not counted (the
indented body of an admonition, a content tab or a footnote is read as
Markdown: the notes fence their code), and at
``on_page_markdown`` it appends a "Mentioned in" list to each note that
something mentions: weekly reports first, newest first, then the other pages
by title. Section index pages are neither listed nor given a list (they list
their notes already). The list is Markdown, so the prerender worker, which
forks after ``on_files``, converts the same text as the build, and a strict
build checks its links like any other.
"""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from markdown_it import MarkdownIt  # noqa: E402
from mdit_py_plugins.front_matter import front_matter_plugin  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

from tools.site.hooks.papers import CITATION, front_matter  # noqa: E402

HEADING = "Mentioned in"
_parser = MarkdownIt("commonmark").use(front_matter_plugin)


@dataclass(frozen=True)
class Source:
    src_uri: str
    title: str
    date: str  # a weekly report's date, else ""


def _is_index(src_uri: str) -> bool:
    return src_uri == "index.md" or src_uri.endswith("/index.md")


def mentions(src_uri: str, source: str) -> tuple[set[str], set[str], str]:
    """(pages linked, keys cited, first heading) of one page's Markdown."""
    links, keys, heading = set(), set(), ""

    def walk(text: str) -> None:
        nonlocal heading
        tokens = _parser.parse(text)
        for i, token in enumerate(tokens):
            if token.type == "heading_open" and token.tag == "h1" and not heading:
                heading = tokens[i + 1].content.strip()
            if token.type == "code_block":
                # Indented text: in these notes the body of an admonition (!!! note), a
                # content tab (=== "...") or a footnote, which CommonMark reads as code.
                # Code itself is fenced, and a fence inside is skipped as above.
                walk(token.content)
            for child in token.children or ():
                if child.type == "link_open":
                    href = str(child.attrs.get("href", ""))
                    path = href.split("#", 1)[0].split("?", 1)[0]
                    if path.endswith(".md") and "://" not in path and not path.startswith("/"):
                        links.add(posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path)))
                elif child.type == "text":
                    for match in CITATION.finditer(child.content):
                        keys.update(k.strip()[1:] for k in match[1].split(";"))

    walk(source)
    return links, keys, heading


def collect(pages: dict[str, str]) -> dict[str, list[Source]]:
    """src_uri of a note -> the pages that mention it, in the order they are listed."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    sources: dict[str, Source] = {}
    by_key: dict[str, str] = {}
    for src_uri, text in pages.items():
        meta, _ = front_matter(src_uri, text)
        links, keys, heading = mentions(src_uri, text)
        found[src_uri] = (links, keys)
        report = src_uri.startswith("weekly/posts/")
        sources[src_uri] = Source(src_uri, str(meta.get("title") or heading or src_uri),
                                  str(meta.get("date", "")) if report else "")
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
