"""test_notebooks.py's tests that name this log's own notes and pages (the rest of test_notebooks.py holds for any log)."""

from __future__ import annotations

import html
from tools.site.search_shards import read_sections
from tests.test_notebooks import (  # noqa: F401
    NOTEBOOK_PATHS,
)


def test_there_are_notebook_pages():
    assert len(NOTEBOOK_PATHS) >= 2


def test_search_indexes_notebook_pages(site):
    sections = read_sections(site.path)
    located = {doc["location"].split("#")[0] for doc in sections}
    for path in NOTEBOOK_PATHS:
        assert f"notebooks/{path.stem}/" in located
    texts = " ".join(html.unescape(d["text"]) for d in sections if d["location"].startswith("notebooks/"))
    assert "training_step" in texts and "复购" in texts
