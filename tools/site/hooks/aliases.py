"""A page's other names: front matter ``aliases``, shown under its title.

``aliases: [动量对比, 动量对比学习]`` lists the names a reader types for the
page's subject in the other language (Chinese ones for an English note,
English ones for a Chinese note). The page gets, right after its first
``</h1>``, one line

    <p class="pn-aliases" data-search-exclude>Also called: 动量对比 · 动量对比学习</p>

(papernotes.css styles it). ``data-search-exclude`` keeps the line out of the
page's text in the search index, which adds the aliases itself
(tools.log.frontmatter.aliases_of), weighted like the title.

An ``aliases`` that is not a list of names, or that holds a blank one, is a
warning naming the file and line, so that ``mkdocs build --strict`` fails on
it. A paper note's aliases are checked with its other fields
(tools.log.papers.NOTE_FIELDS, reported by the papers hook); this hook checks
every other page's.
"""

from __future__ import annotations

import html
import logging
import sys
from pathlib import Path

# MkDocs puts only this folder on sys.path while loading a hook; the
# checkout's root holds the shared tools.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.log.cli import Refusal  # noqa: E402
from tools.log.frontmatter import ALIASES, TextDates, alias_problems, aliases_of, parse_front_matter  # noqa: E402

log = logging.getLogger("mkdocs.hooks.aliases")

LABEL = "Also called:"  # one label on every page, as the site's other labels are English
SEPARATOR = " · "


def page_problems(src_uri: str, source: str) -> list[str]:
    """The located problems with a page's aliases; none for a paper note (``bib``: the papers
    hook reports its fields) or a page whose front matter cannot be read (the papers hook says so)."""
    where = f"docs/{src_uri}"
    try:
        front = parse_front_matter(source, where, loader=TextDates, lenient=True)
    except Refusal:
        return []
    if ALIASES not in front.data or "bib" in front.data:
        return []
    return alias_problems(front.data, front.line, where)


def aliases_line(names: list[str]) -> str:
    """The line shown under the title ('' without aliases)."""
    if not names:
        return ""
    text = SEPARATOR.join(html.escape(name) for name in names)
    return f'<p class="pn-aliases" data-search-exclude>{LABEL} {text}</p>'


def insert_under_title(html_text: str, line: str) -> str:
    """``line`` right after the first ``</h1>``; at the top when the page has none in its
    content (Material then puts the title above the content)."""
    if not line:
        return html_text
    end = html_text.find("</h1>")
    if end < 0:
        return line + "\n" + html_text
    end += len("</h1>")
    return html_text[:end] + "\n" + line + html_text[end:]


# -- MkDocs events -----------------------------------------------------------


def on_files(files, config, **kwargs):
    for file in files.documentation_pages():
        if file.src_uri.endswith(".md"):
            for problem in page_problems(file.src_uri, file.content_string):
                log.warning(problem)
    return files


def on_page_content(html_text: str, page, config, files, **kwargs) -> str:
    return insert_under_title(html_text, aliases_line(aliases_of(page.meta)))
