"""The home page's summary: latest reports, counts, verification."""

from __future__ import annotations

import hashlib
import json

from tools.site.hooks.home import section_counts, summary, verification, weekly_reports

PAGES = {
    "weekly/posts/2022-04-18.md": "---\ndate: 2022-04-18\n---\n# Weekly report from 2022.04.18 to 2022.04.24\n",
    "weekly/posts/2022-05-09.md": "---\ndate: 2022-05-09\n---\n# Weekly report from 2022.05.09 to 2022.05.15\n",
    "weekly/index.md": "# Weekly\n",
    "papers/index.md": "# Papers\n",
    "papers/reading-list.md": "# Reading list\n",
    "papers/moco.md": "---\nbib: he2020moco\n---\n# MoCo\n",
    "papers/clip.md": "# CLIP\n",
    "courses/adam.md": "# Adam\n",
}


def _snippets(tmp_path, records):
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "moco.py").write_text("x = 1\n")
    (tmp_path / "adam.py").write_text("y = 2\n")
    (tmp_path / "verified.json").write_text(json.dumps(records))
    return tmp_path


def test_reports_newest_first_with_their_titles():
    reports = weekly_reports(PAGES)
    assert [(r.date, r.title) for r in reports] == [
        ("2022-05-09", "Weekly report from 2022.05.09 to 2022.05.15"),
        ("2022-04-18", "Weekly report from 2022.04.18 to 2022.04.24"),
    ]


def test_counts_leave_out_index_and_generated_pages():
    assert section_counts(PAGES) == {"paper notes": 2, "course notes": 1, "competition notes": 0,
                                     "tool notes": 0, "notebooks": 0}


def test_verification_checks_each_module_against_its_current_hash(tmp_path):
    digest = hashlib.sha256(b"x = 1\n").hexdigest()
    record = {"date": "2026-11-23", "device_name": "AMD EPYC", "tests_passed": 9, "torch": "2.15.0"}
    snippets = _snippets(tmp_path, {
        "moco": {"sha256": digest, "devices": {"cpu": record}},
        "adam": {"sha256": "0" * 64, "devices": {"cpu": record}},  # an older version was verified
    })
    assert verification(snippets) == [
        ("adam", "not verified for this version", False),
        ("moco", "verified on CPU (9 tests, AMD EPYC, torch 2.15.0, 2026-11-23)", True),
    ]
    text = summary(PAGES, snippets)
    assert "- [Weekly report from 2022.05.09 to 2022.05.15](weekly/posts/2022-05-09.md)" in text
    assert "| weekly reports | 2 |" in text and "| paper notes | 2 |" in text
    assert "| verified for their current version | 1 of 2 |" in text
    assert "competition notes" not in text  # empty sections are not listed
