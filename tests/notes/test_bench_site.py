"""The growth work: the site benchmark runs, long sections stay short in the
sidebar, formulas are converted once, the serve benchmark measures an edit."""

from __future__ import annotations

import json

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from tools.bench import build as bench_site, serve as bench_serve
from tools.site.hooks import mathml, nav


def test_bench_site_quick_builds_and_reports(tmp_path, capsys):
    out = tmp_path / "site.json"
    assert bench_site.main(["--quick", "--json", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    (result,) = record["results"]
    assert result["variant"] == "after" and result["notes"] == 10
    assert result["pages"] > 10 and result["build_s"] > 0 and result["peak_rss_mb"] > 0
    assert result["median_page_kb"] > 0 and result["search_index_mb"] > 0
    assert record["machine"]["cpu"]
    assert "median page KB" in capsys.readouterr().out


def test_synthetic_corpus_has_every_kind_of_note(tmp_path):
    (tmp_path / "docs/papers").mkdir(parents=True)
    (tmp_path / "docs/courses").mkdir()
    (tmp_path / "docs/weekly/posts").mkdir(parents=True)
    (tmp_path / "docs/references.bib").write_text("", encoding="utf-8")
    corpus = bench_site.write_corpus(tmp_path, 8)
    assert (corpus.weekly, corpus.papers, corpus.courses) == (2, 4, 2)
    paper = (tmp_path / "docs/papers/synth/paper-00001.md").read_text(encoding="utf-8")
    assert paper.startswith("---\nbib: synth00001bench\n") and "$$" in paper and "```python" in paper
    assert "| setting |" in paper and "[@synth00000bench]" in paper
    assert "@inproceedings{synth00003bench," in (tmp_path / "docs/references.bib").read_text(encoding="utf-8")
    posts = sorted((tmp_path / "docs/weekly/posts").glob("*.md"))
    assert len(posts) == 2 and "<!-- more -->" in posts[0].read_text(encoding="utf-8")


# -- tools/site/hooks/nav.py ---------------------------------------------------------

class _Inclusion:
    def is_in_nav(self):
        return True


class _File:
    def __init__(self, src_uri, content=""):
        self.src_uri, self.content_string, self.inclusion = src_uri, content, _Inclusion()
        self.page = None
        self.name = src_uri.rsplit("/", 1)[-1].removesuffix(".md")
        self.url = src_uri.removesuffix(".md") + "/"


class _Files:
    def __init__(self, files):
        self.files = files

    def documentation_pages(self):
        return self.files


def _page(file):
    page = Page.__new__(Page)
    page.file, page.parent, page.previous_page, page.next_page = file, None, None, None
    file.page = page
    return page


def _site(count):
    index = _File("papers/index.md", "# Papers\n")
    notes = [_File(f"papers/n{i}.md", f"---\nadded: 2024-01-{i + 1:02d}\n---\n\n# Note {i}\n") for i in range(count)]
    for file in [index, *notes]:
        _page(file)
    section = Section("Papers", [index.page])
    return Navigation([section], [index.page]), _Files([index, *notes]), section


def test_small_sections_list_every_page_in_path_order():
    navigation, files, section = _site(3)
    assert nav.fill_sections(navigation, files, limit=3) == {}
    assert [p.file.src_uri for p in section.children] == ["papers/index.md", "papers/n0.md", "papers/n1.md", "papers/n2.md"]
    assert navigation.pages[1].previous_page is navigation.pages[0]


def test_long_sections_show_the_newest_and_list_all_on_their_index():
    navigation, files, section = _site(5)
    overflow = nav.fill_sections(navigation, files, limit=2)
    assert [p.file.src_uri for p in section.children] == ["papers/index.md", "papers/n3.md", "papers/n4.md"]
    assert [p.file.src_uri for p in overflow["papers"]] == [f"papers/n{i}.md" for i in (4, 3, 2, 1, 0)]
    listing = nav.all_pages_list(overflow["papers"], "papers/index.md")
    assert listing.startswith("## All 5 notes")
    assert "- [Note 4](n4.md) · 2024-01-05" in listing and "- [Note 0](n0.md)" in listing


def test_recency_and_title_come_from_front_matter():
    assert nav.recency("---\nstarted: 2023-02-01\nfinished: '2023-03-04'\n---\n") == "2023-03-04"
    assert nav.recency("# no front matter\nadded: 2020-01-01\n") == ""
    assert nav.note_title("---\ntitle: 课程笔记\n---\n# Other\n") == "课程笔记"
    assert nav.note_title("text\n\n# Heading\n") == "Heading"


# -- tools/site/hooks/mathml.py -------------------------------------------------------

def test_each_formula_is_converted_once():
    mathml.to_mathml.cache_clear()
    page = '<span class="arithmatex">\\(x^2\\)</span> and <span class="arithmatex">\\(x^2\\)</span>'
    out, errors = mathml.render_math(page)
    assert errors == [] and out.count("<math") == 2
    info = mathml.to_mathml.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    # A cached failure is still reported every time it occurs.
    bad = '<span class="arithmatex">\\(\\nocommand\\)</span>'
    assert len(mathml.render_math(bad + bad)[1]) == 2


# -- tools/bench/serve.py ---------------------------------------------------------

def test_serve_shows_an_edit(tmp_path):
    out = tmp_path / "serve.json"
    assert bench_serve.main(["--notes", "4", "--edits", "1", "--startup-timeout", "120",
                             "--edit-timeout", "30", "--json", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["notes"] == 4 and record["latencies_s"][0] is not None
    assert "--dirty" in record["command"]
