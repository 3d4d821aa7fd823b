"""Notebook pages load nothing from elsewhere.

mkdocs-jupyter renders a notebook with nbconvert's templates, which add
scripts that fetch from CDNs at browse time: a MathJax loader (with
``custom_mathjax_url`` unset, an empty ``src=""`` that re-requests the page),
its configuration, and a module script that imports Mermaid from cdnjs.
require.js is off in mkdocs.yml (``include_requirejs: false``). This hook
removes from each notebook page every script or stylesheet link that loads
from an absolute URL or an empty one, every script whose code names an
http(s) URL as a string (a dynamic ``import("https://...")``), and the MathJax
configuration. Notebook Markdown cells therefore hold no TeX: with no MathJax
it would show raw.

It also puts a download link for the notebook itself under the page's title:
``include_source: true`` copies the ``.ipynb`` next to the page's HTML, but
Material shows no link to it.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger("mkdocs.hooks.notebooks")

SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
LINK = re.compile(r"<link\b(?P<attrs>[^>]*)>", re.IGNORECASE)
SRC = re.compile(r"""\b(?:src|href)\s*=\s*(["'])(?P<url>.*?)\1""", re.IGNORECASE)
# A string literal that is an absolute URL: what import(), fetch() or a
# script element built in code would load.
URL_LITERAL = re.compile(r"""["'`](?:https?:)?//[^"'`\s]+""")
# The template's comments around the MathJax scripts.
MATHJAX_COMMENT = re.compile(r"<!--\s*(?:Load mathjax|(?:End of )?MathJax configuration)\s*-->\n?", re.IGNORECASE)


def _loads_remote(url: str) -> bool:
    url = url.strip()
    return url == "" or url.startswith(("http://", "https://", "//"))


def strip_remote(page_html: str) -> tuple[str, list[str]]:
    """Return the HTML without what would load from elsewhere, and what was removed."""
    removed: list[str] = []

    def script(match: re.Match[str]) -> str:
        attrs, body = match["attrs"], match["body"]
        src = SRC.search(attrs)
        if src and _loads_remote(src["url"]):
            removed.append(f'<script src="{src["url"]}">')
            return ""
        if "text/x-mathjax-config" in attrs:
            removed.append("<script type=text/x-mathjax-config>")
            return ""
        literal = URL_LITERAL.search(body)
        if literal:
            removed.append(f"<script{attrs}> naming {literal[0][1:]}")
            return ""
        return match[0]

    def link(match: re.Match[str]) -> str:
        href = SRC.search(match["attrs"])
        if href and "stylesheet" in match["attrs"] and _loads_remote(href["url"]):
            removed.append(f'<link href="{href["url"]}">')
            return ""
        return match[0]

    page_html = SCRIPT.sub(script, page_html)
    page_html = LINK.sub(link, page_html)
    page_html = MATHJAX_COMMENT.sub("", page_html)
    return page_html, removed


# What nbconvert puts around a cell that is not the notebook's text: the
# "In [3]:" / "Out[3]:" prompts, the copy button ("Copied!") and the hidden
# copy of each code cell it copies from.
NOT_TEXT = re.compile(
    r'<div class="(?=(?:jp-InputPrompt|jp-OutputPrompt|zeroclipboard-container|clipboard-copy-txt)\b)')


def unsearched_chrome(page_html: str) -> str:
    """Marks the prompts and copy-button parts of notebook cells ``data-search-exclude``:
    the search indexes a notebook by its Markdown, its code (once) and its outputs."""
    return NOT_TEXT.sub('<div data-search-exclude class="', page_html)


def add_download_link(page_html: str, filename: str) -> str:
    """A link to the .ipynb (copied beside the page's HTML) after the first </h1>."""
    link = (f'<p class="notebook-download"><a href="{filename}" download>'
            f"Download the notebook ({filename})</a></p>")
    head, h1, rest = page_html.partition("</h1>")
    return head + h1 + link + rest if h1 else link + page_html


def on_page_content(html: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html, removed = strip_remote(html)
    html = add_download_link(html, page.file.src_uri.rsplit("/", 1)[-1])
    html = unsearched_chrome(html)
    for item in removed:
        log.debug("%s: removed %s", page.file.src_uri, item)
    return html
