"""Code blocks as a reader sees them, at 1280 and 390 px: every line visible without
scrolling sideways (long lines wrap, under their own indentation plus four columns),
no text under the copy button, and the page itself no wider than the window.

A small log of its own (tests/small_log.py), built with this checkout's
mkdocs.yml, hooks and stylesheets, and measured in Chromium."""

from __future__ import annotations

import contextlib
import json

import pytest

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve
from tools.site.hooks.codeblocks import columns, indented, notebook_lines

from tests.small_log import build, make_log

LONG_FIRST = "first_line_is_long = " + " + ".join(f"value_{n}" for n in range(30))
LONG_INDENTED = "        return " + ", ".join(f"tensor_{n}.reshape(batch, heads, -1)" for n in range(8))

PAGE = f"""# Code

<!--pytest.mark.skip(reason="layout only")-->
```python
{LONG_FIRST}


def f(batch, heads):
    if batch:
{LONG_INDENTED}
    return None
```

Short:

<!--pytest.mark.skip(reason="layout only")-->
```python
x = 1
```

With line numbers in a column of their own, a block keeps its lines and scrolls:

```text linenums="1"
{LONG_FIRST}
```
"""


# A notebook of one code cell, with a long indented line and its stored output.
NOTEBOOK = json.dumps({
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                 "language_info": {"name": "python"}},
    "cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# A notebook\n"]},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1,
         "source": [LONG_FIRST + "\n", "def f(batch, heads):\n", "    if batch:\n", LONG_INDENTED + "\n"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": [LONG_FIRST + "\n"]}]},
    ],
})


def test_each_line_span_says_its_indentation():
    line = '<span id="__span-0-3"><a id="__codelineno-0-3" href="#__codelineno-0-3"></a><span class="w">        </span>'
    assert indented(line).startswith('<span id="__span-0-3" style="--pn-indent:8"><a ')
    assert indented(line).endswith('<span class="w">        </span>')
    docstring = '<span id="__span-1-2"><span class="sd">    text</span>'
    assert 'style="--pn-indent:4"' in indented(docstring)
    assert indented('<span id="__span-1-1"><span class="k">def</span>') == '<span id="__span-1-1"><span class="k">def</span>'
    assert columns("\t") == 8 and columns("  \t ") == 9


def test_a_notebook_cells_lines_are_spans_and_its_text_is_kept():
    cell = ('<div class="highlight-ipynb hl-python"><pre><span></span><span class="s">"""a\n    b"""</span>\n'
            '    <span class="k">pass</span>\n</pre></div>')
    assert notebook_lines(cell) == (
        '<div class="highlight-ipynb hl-python"><pre><span class="pn-line"><span></span><span class="s">"""a</span>\n'
        '</span><span class="pn-line" style="--pn-indent:4"><span class="s">    b"""</span>\n</span>'
        '<span class="pn-line" style="--pn-indent:4">    <span class="k">pass</span>\n</span></pre></div>')


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    if not find_chromium():
        pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}")
    work = tmp_path_factory.mktemp("code")
    site = build(make_log(work / "log", {"notes/code.md": PAGE, "notebooks/long.ipynb": NOTEBOOK}), work / "site")
    with serve(site) as base:
        yield base + "notes/code/"


@pytest.fixture(scope="module")
def browser(url):
    with chromium("tests/test_reader_code.py") as browser:
        yield browser


# Functions of the measurements below: how many text boxes under an element overlap one
# of some rectangles, and where each drawn line of an element starts.
MEASURING = """
  const covered = (root, rects) => {
    let count = 0;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) for (const b of rects)
        if (r.width > 0 && r.right > b.left && r.left < b.right && r.bottom > b.top && r.top < b.bottom) count++;
    }
    return count;
  };
  const lineStarts = line => {
    const range = document.createRange();
    range.selectNodeContents(line);
    const starts = new Map();  // the top of each drawn line -> its leftmost text box
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      const top = Math.round(r.top);
      starts.set(top, Math.min(starts.get(top) ?? Infinity, r.left));
    }
    return [...starts.keys()].sort((a, b) => a - b).map(top => starts.get(top));
  };
"""

# Per block: its code's scrollWidth and clientWidth, whether it has line numbers in a
# table, how many text boxes of it overlap its copy button, its text; and the page's
# scrollWidth and clientWidth.
MEASURE = "() => {" + MEASURING + """
  const blocks = [...document.querySelectorAll('pre > code')].map(code => {
    const buttons = [...code.parentElement.querySelectorAll('.md-code__button')].map(b => b.getBoundingClientRect());
    return {scroll: code.scrollWidth, client: code.clientWidth, table: !!code.closest('.highlighttable'),
            buttons: buttons.length, covered: covered(code, buttons), text: code.textContent};
  });
  const root = document.documentElement;
  return {blocks, page: [root.scrollWidth, root.clientWidth]};
}"""

# The left edge of each text box of the indented long line, and the width of a column.
WRAPPED = "() => {" + MEASURING + """
  const line = [...document.querySelectorAll('pre > code > span')].find(s => s.textContent.includes('tensor_7'));
  const lefts = lineStarts(line);
  // A column: the four leading blanks of the line "    return None", as drawn.
  const short = [...document.querySelectorAll('pre > code > span')].find(s => s.textContent === '    return None\\n');
  const code = line.parentElement;
  const left = code.getBoundingClientRect().left + parseFloat(getComputedStyle(code).paddingLeft);
  const column = (short.querySelector('.k').getBoundingClientRect().left - left) / 4;
  return {lefts, column, left};
}"""


@contextlib.contextmanager
def window(browser, url: str, width: int):
    """A page at ``url`` in a window ``width`` px wide, closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_code_blocks_fit_and_the_copy_button_covers_no_text(browser, url, width):
    with window(browser, url, width) as page:
        page.wait_for_selector(".md-code__button", state="attached")
        found = page.evaluate(MEASURE)
        blocks = found["blocks"]
        assert len(blocks) == 3
        for block in blocks:
            assert block["buttons"] == 1 and block["covered"] == 0, block
        wrapped = [block for block in blocks if not block["table"]]
        assert len(wrapped) == 2
        for block in wrapped:
            assert block["scroll"] <= block["client"], block
        # The text is the code as written: wrapping is only how it is drawn.
        assert LONG_FIRST + "\n" in wrapped[0]["text"] and LONG_INDENTED + "\n" in wrapped[0]["text"]
        scroll, client = found["page"]
        assert scroll <= client
        # The long indented line goes on under its indentation (8) plus 4 columns.
        line = page.evaluate(WRAPPED)
        first, *rest = line["lefts"]
        assert abs(first - line["left"]) <= 1
        assert rest and all(abs(x - (line["left"] + 12 * line["column"])) <= 1.5 for x in rest), line


# Per <pre> of a notebook: its scrollWidth and clientWidth; the page's; for the long
# indented line of the code cell, where its drawn lines start (as WRAPPED does); and
# how many text boxes of the code cell its copy button covers.
NOTEBOOK_MEASURE = "() => {" + MEASURING + """
  const pres = [...document.querySelectorAll('.jupyter-wrapper pre')].map(p => [p.scrollWidth, p.clientWidth]);
  const line = [...document.querySelectorAll('.highlight-ipynb pre > .pn-line')].find(s => s.textContent.includes('tensor_7'));
  // Text boxes of the code cell under mkdocs-jupyter's copy button.
  const pre = line.parentElement;
  const button = pre.parentElement.parentElement.querySelector('clipboard-copy').getBoundingClientRect();
  const root = document.documentElement;
  return {pres, lefts: lineStarts(line), covered: covered(pre, [button]), page: [root.scrollWidth, root.clientWidth]};
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_notebook_cells_fit(browser, url, width):
    with window(browser, url.replace("notes/code/", "notebooks/long/"), width) as page:
        found = page.evaluate(NOTEBOOK_MEASURE)
        assert len(found["pres"]) == 2  # the code cell and its output
        assert all(scroll <= client for scroll, client in found["pres"]), found
        scroll, client = found["page"]
        assert scroll <= client
        first, *rest = found["lefts"]
        assert rest and all(x > first for x in rest), found  # wrapped lines go on indented
        assert found["covered"] == 0
