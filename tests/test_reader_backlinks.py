"""Backlinks (tools/site/hooks/backlinks.py): a note lists the pages that link to it
or cite its paper, on a tiny site."""

from __future__ import annotations

import re

from tests.small_log import build, make_bare_log
from tools.site.hooks.backlinks import collect, mentions

PAGES = {
    "index.md": "# Home\n\n[A note](papers/a.md)\n",
    "papers/index.md": "# Papers\n\n[A note](a.md)\n",
    "papers/a.md": "---\nbib: alpha2020\n---\n\n# Paper A\n\nText.\n",
    "papers/b.md": "---\ntitle: Paper B\n---\n\n# B\n\nSee [A](a.md#text) and [myself](b.md).\n",
    "notes/c.md": "# Note C\n\nWe cite it [@alpha2020; @other] and link [A](../papers/a.md) twice.\n",
    "notes/d.md": "# Note D\n\n```python\n# [A](../papers/a.md) [@alpha2020]\n```\n\nAnd `[@alpha2020]` in code.\n",
    "notes/e.md": ("# Note E\n\n!!! note\n\n    Inside an admonition [@alpha2020].\n\n"
                   "    ```python\n    x = '[A](../papers/a.md)'\n    ```\n"),
    "weekly/posts/2022-05-02.md": "---\ndate: 2022-05-02\n---\n\n# Week of May 2\n\n[A](../../papers/a.md)\n",
    "weekly/posts/2022-05-09.md": "---\ndate: 2022-05-09\n---\n\n# Week of May 9\n\n[@alpha2020]\n",
}


def test_links_and_citations_outside_code_count_once_each():
    assert mentions("notes/c.md", PAGES["notes/c.md"]) == ({"papers/a.md"}, {"alpha2020", "other"}, "Note C")
    assert mentions("notes/d.md", PAGES["notes/d.md"])[:2] == (set(), set())
    assert mentions("notes/e.md", PAGES["notes/e.md"])[:2] == (set(), {"alpha2020"})
    listed = collect(PAGES)
    assert [s.src_uri for s in listed["papers/a.md"]] == ["weekly/posts/2022-05-09.md", "weekly/posts/2022-05-02.md", "notes/c.md", "notes/e.md", "papers/b.md"]
    assert set(listed) == {"papers/a.md"}  # no page lists itself, no index page is listed or lists


def test_a_note_shows_what_mentions_it_with_links_that_resolve(tmp_path):
    project = make_bare_log(tmp_path, PAGES, plugins=[], hooks=("backlinks.py",),
                            extensions=["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.superfences"])
    site = build(project, tmp_path / "site")
    page = (site / "papers" / "a" / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="papernotes-backlinks">(.*?)</div>', page, re.DOTALL)
    assert box, "no Mentioned in list on the note"
    assert "Mentioned in" in box[1]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', box[1])
    assert links == [("../../weekly/posts/2022-05-09/", "Week of May 9"), ("../../weekly/posts/2022-05-02/", "Week of May 2"), ("../../notes/c/", "Note C"), ("../../notes/e/", "Note E"), ("../b/", "Paper B")]
    for href, _ in links:
        assert (site / "papers" / "a" / href / "index.html").resolve().is_file()
    assert "papernotes-backlinks" not in (site / "papers" / "b" / "index.html").read_text(encoding="utf-8")
