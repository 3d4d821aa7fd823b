"""Render TeX as MathML at build time: no JavaScript, no CDN, nothing to load.

pymdownx.arithmatex (generic mode) finds the math in a page and leaves it in
the HTML as ``<span class="arithmatex">\\( ... \\)</span>`` or
``<div class="arithmatex">\\[ ... \\]</div>``, with the TeX HTML-escaped and
no markup inside. This hook replaces each of those with MathML from
latex2mathml. TeX that latex2mathml cannot parse, or whose commands it does
not know (it would print them raw), is reported as a warning naming the page
and line, which ``mkdocs build --strict`` turns into a failure.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass

from latex2mathml.converter import convert

log = logging.getLogger("mkdocs.hooks.mathml")

# arithmatex's generic output: inline \( \) in a span, display \[ \] in a div.
MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">'
    r"(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])"
    r"</(?P=tag)>",
    re.DOTALL,
)
# latex2mathml passes what it does not know through as text: <mi>\foo</mi>,
# <mtext>a\_b</mtext>. No backslash belongs in rendered text.
RAW_COMMAND = re.compile(r">[^<]*?(\\[A-Za-z_]+|\\.)[^<]*<")


@dataclass(frozen=True)
class MathError:
    tex: str
    reason: str


def render_math(page_html: str) -> tuple[str, list[MathError]]:
    """Return the page with every formula as MathML, and the formulas that failed."""
    errors: list[MathError] = []

    def replace(match: re.Match[str]) -> str:
        display = match["block"] is not None
        tex = html.unescape(match["block"] if display else match["inline"]).strip()
        try:
            mathml = convert(tex, display="block" if display else "inline")
        except Exception as exc:  # latex2mathml raises many types; all mean "cannot parse"
            errors.append(MathError(tex, f"cannot parse ({type(exc).__name__})"))
            return match[0]
        unknown = RAW_COMMAND.search(mathml)
        if unknown:
            errors.append(MathError(tex, f"unknown command {unknown[1]}"))
            return match[0]
        # Keep the TeX as an annotation-like attribute for copy and search.
        tag = "div" if display else "span"
        return f'<{tag} class="arithmatex" data-tex="{html.escape(tex)}">{mathml}</{tag}>'

    return MATH.sub(replace, page_html), errors


def line_of(source: str, tex: str) -> int | None:
    """1-based line of the first occurrence of ``tex`` in the Markdown source."""
    position = source.find(tex)
    if position < 0:
        return None
    return source.count("\n", 0, position) + 1


def on_page_content(html: str, page, **kwargs) -> str:
    rendered, errors = render_math(html)
    for error in errors:
        line = line_of(page.file.content_string, error.tex)
        where = os.path.relpath(page.file.abs_src_path) + (f":{line}" if line else "")
        log.warning(f"{where}: TeX {error.reason}: {error.tex[:80]}")
    return rendered
