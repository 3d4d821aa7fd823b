"""test_papers.py's tests that name this log's own notes and pages (the rest of test_papers.py holds for any log)."""

from __future__ import annotations

import re
from tools.log.bib import load
from tools.site.build import ROOT


def test_site_has_paper_boxes_bibliography_and_reading_list(site):
    moco = (site.path / "papers/moco/index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", moco)  # the entry is split into highlighted spans
    assert "Kaiming He, Haoqi Fan" in text and "@inproceedings{he2020moco," in text
    bib = (site.path / "papers/bibliography/index.html").read_text(encoding="utf-8")
    for key in load(ROOT / "docs/references.bib"):
        assert f'id="{key}"' in bib
    reading = (site.path / "papers/reading-list/index.html").read_text(encoding="utf-8")
    assert re.search(r"Read \(\d+\)", reading)
