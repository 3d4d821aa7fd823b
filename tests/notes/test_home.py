"""test_home.py's tests that name this log's own notes and pages (the rest of test_home.py holds for any log)."""

from __future__ import annotations



def test_home_page_on_the_site_lists_reports_and_verification(site):
    home = (site.path / "index.html").read_text(encoding="utf-8")
    assert "Latest weekly reports" in home and 'href="weekly/2022/05/09/"' in home
    assert "snippets/moco.py" in home
