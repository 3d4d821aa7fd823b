"""Each line of a code block says how far it is indented, so that code.css can wrap
a long line under its own indentation (plus four columns), as an editor does.

pymdownx.highlight (``line_spans: __span``) puts each line of a block in
``<span id="__span-B-L">``, after an anchor when the block has line anchors;
Pygments puts the line's leading spaces first, alone in ``<span class="w">`` or
at the start of a token (a docstring's or a string's continuation line). This
hook adds ``style="--pn-indent:N"`` to each line span whose line starts with N
spaces (a tab counts as up to the next multiple of 8, as Python reads it).
Nothing else changes: the text, and so what the copy button copies, is as written.

A notebook's code cells (mkdocs-jupyter's ``<div class="highlight-ipynb">``) have no
line spans: this hook puts each of their lines in ``<span class="pn-line">`` with
the same style, closing a token that runs over a line break (a string of several
lines) at the break and opening it again on the next line.
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


NOTEBOOK_CELL = re.compile(r'(<div class="highlight-ipynb[^"]*"><pre>)(.*?)(</pre>)', re.DOTALL)
PIECE = re.compile(r"(<[^>]+>)")
LEADING = re.compile(r"[ \t]*")


def _lines(cell: str) -> list[str]:
    """The cell's HTML cut into lines, each line's open spans closed at its end
    and opened again at the next line's start."""
    lines, current, open_tags = [], [], []
    for piece in PIECE.split(cell):
        if piece.startswith("<"):
            current.append(piece)
            if piece.startswith("</"):
                open_tags.pop() if open_tags else None
            elif not piece.endswith("/>"):
                open_tags.append(piece)
            continue
        parts = piece.split("\n")
        for index, part in enumerate(parts):
            if index:
                current.append("</span>" * len(open_tags) + "\n")
                lines.append("".join(current))
                current = list(open_tags)
            current.append(part)
    lines.append("".join(current))
    return lines


def notebook_lines(page_html: str) -> str:
    """The page with every line of its notebook code cells in a span that says its indentation."""
    if "highlight-ipynb" not in page_html:
        return page_html

    def cell(match: re.Match[str]) -> str:
        lines = _lines(match[2])
        if lines and lines[-1] == "":
            lines.pop()
        out = []
        for line in lines:
            text = PIECE.sub("", line)
            width = columns(LEADING.match(text)[0])
            style = f' style="--pn-indent:{width}"' if width else ""
            out.append(f'<span class="pn-line"{style}>{line}</span>')
        return match[1] + "".join(out) + match[3]

    return NOTEBOOK_CELL.sub(cell, page_html)


def on_post_page(output: str, **kwargs) -> str:
    """After the page is whole, so that code in blog excerpts is marked too."""
    return notebook_lines(indented(output))
