"""Render TeX as MathML at build time: no JavaScript, no CDN, nothing to load.

pymdownx.arithmatex (generic mode) finds the math in a page and leaves it in
the HTML as ``<span class="arithmatex">\\( ... \\)</span>`` or
``<div class="arithmatex">\\[ ... \\]</div>``, with the TeX HTML-escaped and
no markup inside. This hook replaces each of those with MathML from
latex2mathml, after tools/site/tex.py has rewritten the MathJax habits that
latex2mathml does not read (``\\newline`` in ``align*``, ``\\tag``, ``\\arg``, ...).
TeX that latex2mathml cannot parse, or whose commands it does
not know (it would print them raw), is reported as a warning naming the page
and line, which ``mkdocs build --strict`` turns into a failure.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
from dataclasses import dataclass

from latex2mathml.converter import Converter, convert_to_element

from tools.site.tex import accents, growing_bars, mistake, prepare, primes, sized_delimiters, unary_signs

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


# Where a dollar sign is code, not math: left out of the check for stray ones.
VERBATIM = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
# "$$" that arithmatex did not take (display math glued to a list item's
# text, say), or a "$" glued to a formula it did take ("$$x$$" mid-sentence).
STRAY = re.compile(r"\$\$|\$(?=<(?:span|div) class=\"arithmatex\")|(?<=</span>)\$")
TAG = re.compile(r"<[^>]+>")
DATA_TEX = re.compile(r'<(?:span|div) class="arithmatex" data-tex="([^"]*)"')


@dataclass(frozen=True)
class MathError:
    tex: str
    reason: str


@functools.lru_cache(maxsize=8192)
def to_mathml(tex: str, display: bool) -> tuple[str | None, str | None]:
    """(the formula's HTML, None) or (None, why it failed), once per TeX string.

    The same formulas come back on page after page (a loss, an update rule),
    and latex2mathml takes about a millisecond for each, so a site's build
    converts each distinct string once. A \\tag's label follows the formula
    as ``<span class="math-tag">`` (the stylesheet sets it at the right)."""
    wrong = mistake(tex)
    if wrong:
        return None, wrong
    prepared = prepare(tex)
    try:
        tree = convert_to_element(prepared.tex, display="block" if display else "inline")
        primes(tree)
        unary_signs(tree)
        growing_bars(tree)
        accents(tree)
        mathml = sized_delimiters(Converter._convert(tree))  # latex2mathml's own serialisation
    except Exception as exc:  # latex2mathml raises many types; all mean "cannot parse"
        return None, f"cannot parse ({type(exc).__name__})"
    unknown = RAW_COMMAND.search(mathml)
    if unknown:
        return None, f"unknown command {unknown[1]}"
    # Keep the TeX as an annotation-like attribute for copy and search.
    labels = "".join(f'<span class="math-tag">{html.escape(label)}</span>' for label in prepared.tags)
    tag = "div" if display else "span"
    return f'<{tag} class="arithmatex" data-tex="{html.escape(tex)}">{mathml}{labels}</{tag}>', None


def render_math(page_html: str) -> tuple[str, list[MathError]]:
    """Return the page with every formula as MathML, and the formulas that failed."""
    errors: list[MathError] = []

    def replace(match: re.Match[str]) -> str:
        display = match["block"] is not None
        tex = html.unescape(match["block"] if display else match["inline"]).strip()
        rendered, reason = to_mathml(tex, display)
        if rendered is None:
            errors.append(MathError(tex, reason))
            return match[0]
        return rendered

    return MATH.sub(replace, page_html), errors


def stray_dollars(page_html: str) -> list[str]:
    """For each place a "$$" or a glued "$" is left in the page outside code
    (math that was not recognised and shows as raw TeX), the text or TeX next
    to it, to find its line by. Dollars within 300 characters of each other
    count as one place (the two ends of one formula)."""
    if "$" not in page_html:
        return []
    text = VERBATIM.sub("", page_html)
    found, last = [], -1000
    for match in STRAY.finditer(text):
        if match.start() - last < 300:
            last = match.end()
            continue
        last = match.end()
        near = text[match.end():match.end() + 300]
        tex = DATA_TEX.match(near)
        if tex:
            found.append(html.unescape(tex[1]))
            continue
        words = [line.strip() for line in TAG.sub("", near).splitlines() if line.strip() and "$" not in line]
        found.append(words[0] if words else "")
    return found


def line_of(source: str, tex: str) -> int | None:
    """1-based line of the first occurrence of ``tex`` in the Markdown source."""
    position = source.find(tex)
    if position < 0:
        return None
    return source.count("\n", 0, position) + 1


def on_post_page(output: str, page, config, **kwargs) -> str:
    """Formulas become MathML in the finished page, after the search plugin has
    indexed it: the index gets the short TeX rather than MathML's markup (which
    was most of what the search plugin had to parse), and blog excerpts on the
    index, archive and category pages are rendered too."""
    rendered, errors = render_math(output)
    source = page.file.content_string if page.file.abs_src_path else ""
    for error in errors:
        line = line_of(source, error.tex) if source else None
        path = os.path.relpath(page.file.abs_src_path) if page.file.abs_src_path else page.file.src_uri
        log.warning(f"{path}" + (f":{line}" if line else "") + f": TeX {error.reason}: {error.tex[:80]}")
    for context in stray_dollars(rendered):
        line = line_of(source, context[:40]) if source and context else None
        path = os.path.relpath(page.file.abs_src_path) if page.file.abs_src_path else page.file.src_uri
        log.warning(f"{path}" + (f":{line}" if line else "") + f": $ left as text, not math, near '{context[:60]}'"
                    " (display math needs $$ on lines of its own, a blank line before it, and the list item's"
                    " indentation inside a list)")
    return rendered
