"""test_notebooks.py's tests that name this log's own notes and pages (the rest of test_notebooks.py holds for any log)."""

from __future__ import annotations

import html
import re
from tools.site.hooks.notebooks import strip_remote
from tools.site.search_shards import read_sections
from tests.test_notebooks import (  # noqa: F401
    NOTEBOOK_PATHS,
)


def test_there_are_notebook_pages():
    assert len(NOTEBOOK_PATHS) >= 2


def test_notebook_pages_are_in_the_site_without_remote_loads(site):
    for path in NOTEBOOK_PATHS:
        page = site.path / "notebooks" / path.stem / "index.html"
        text = page.read_text(encoding="utf-8")
        assert strip_remote(text)[1] == [], f"{page}: still loads from elsewhere"
        assert "cdnjs" not in text and "mathjax" not in text.lower()
        assert '<img alt="No description has been provided for this image" class="" src="data:image/png;base64,' in text
        assert (site.path / "notebooks" / path.stem / path.name).exists(), "the .ipynb is offered for download"
        # Headings keep usable anchors (a Chinese-only heading would get id="").
        ids = re.findall(r'<h[1-6] id="([^"]*)"', text)
        assert ids and "" not in ids and len(ids) == len(set(ids)), ids
    nav = (site.path / "notebooks" / "index.html").read_text(encoding="utf-8")
    for path in NOTEBOOK_PATHS:
        assert f'href="{path.stem}/"' in nav, f"{path.name} missing from the Notebooks section"


def test_search_indexes_notebook_pages(site):
    sections = read_sections(site.path)
    located = {doc["location"].split("#")[0] for doc in sections}
    for path in NOTEBOOK_PATHS:
        assert f"notebooks/{path.stem}/" in located
    texts = " ".join(html.unescape(d["text"]) for d in sections if d["location"].startswith("notebooks/"))
    assert "training_step" in texts and "复购" in texts
