"""Each line of a code block says how far it is indented, so that code.css can wrap
a long line under its own indentation (plus four columns), as an editor does.

pymdownx.highlight (``line_spans: __span``) puts each line of a block in
``<span id="__span-B-L">``, after an anchor when the block has line anchors;
Pygments puts the line's leading spaces first, alone in ``<span class="w">`` or
at the start of a token (a docstring's or a string's continuation line). This
hook adds ``style="--pn-indent:N"`` to each line span whose line starts with N
spaces (a tab counts as up to the next multiple of 8, as Python reads it).
Nothing else changes: the text, and so what the copy button copies, is as written.
"""

from __future__ import annotations

import re

# A line span, its anchor, the opening tags of the line's first tokens, and its leading blanks.
LINE = re.compile(r'<span id="(__span-[0-9-]+)">((?:<a [^>]*></a>)?(?:<span[^>]*>)*)([ \t]+)')


def columns(blanks: str) -> int:
    """How many columns ``blanks`` (spaces and tabs) take."""
    width = 0
    for char in blanks:
        width = width + 8 - width % 8 if char == "\t" else width + 1
    return width


def indented(page_html: str) -> str:
    """The page with --pn-indent on every indented line of its code blocks."""
    if "__span-" not in page_html:
        return page_html
    return LINE.sub(lambda m: f'<span id="{m[1]}" style="--pn-indent:{columns(m[3])}">{m[2]}{m[3]}', page_html)


def on_post_page(output: str, **kwargs) -> str:
    """After the page is whole, so that code in blog excerpts is marked too."""
    return indented(output)
