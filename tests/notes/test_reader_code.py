"""The Swin V2 note's code blocks, the log's widest, as a reader sees them at 1280 and
390 px: every line visible without scrolling sideways, no text under a copy button,
the page no wider than the window. (Before code.css, 10 of its 10 blocks ran out of
their column at 1280 px as at 390 px, and the copy button covered text in 6 of them at
1280 px, 8 at 390 px.)"""

from __future__ import annotations

import pytest

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve

from tests.test_reader_code import MEASURE

pytestmark = pytest.mark.browser

if not find_chromium():
    pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}", allow_module_level=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_swin_v2_notes_code_blocks_fit(site, width):
    with serve(site.path) as url, chromium("tests/notes/test_reader_code.py") as browser:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(url + "papers/swin-transformer-v2/")
        page.wait_for_selector(".md-code__button", state="attached")
        found = page.evaluate(MEASURE)
        context.close()
    blocks = found["blocks"]
    assert len(blocks) >= 10
    assert [b for b in blocks if b["scroll"] > b["client"]] == []
    assert [b["text"][:60] for b in blocks if b["covered"]] == []
    assert all(b["buttons"] == 1 for b in blocks)
    scroll, client = found["page"]
    assert scroll <= client
