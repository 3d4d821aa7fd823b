"""The reading log: references.bib, paper boxes, citations, bibliography, reading list."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tools.log.bib import BibError, load, parse
from tools.log.papers import PaperNote
from tools.site.hooks.papers import (
    bibliography, cite, index_notes, insert_after_title, paper_box, read_note, reading_list,
)
from tools.site.build import ROOT, failed_strict_build

ENTRY = """@inproceedings{he2020moco,
  author    = {He, Kaiming and Fan, Haoqi and Wu, Yuxin and Xie, Saining and Girshick, Ross},
  title     = {Momentum Contrast for Unsupervised Visual Representation Learning},
  booktitle = {CVPR},
  year      = {2020},
  eprint    = {1911.05722},
  archiveprefix = {arXiv},
  doi       = {10.1109/CVPR42600.2020.00975}
}
"""
KINGMA = "@inproceedings{kingma2015adam, author={Kingma, Diederik P. and Ba, Jimmy}, title={{Adam}: A Method for Stochastic Optimization}, booktitle={ICLR}, year={2015}}\n"


@pytest.fixture
def papers():
    return parse(ENTRY + "\n" + KINGMA)


# -- references.bib ------------------------------------------------------------


def test_parse_reads_fields_authors_and_links(papers):
    moco = papers["he2020moco"]
    assert moco.authors == ("Kaiming He", "Haoqi Fan", "Yuxin Wu", "Saining Xie", "Ross Girshick")
    assert (moco.title, moco.venue, moco.year, moco.line) == (
        "Momentum Contrast for Unsupervised Visual Representation Learning", "CVPR", "2020", 1)
    assert moco.links() == {
        "DOI": "https://doi.org/10.1109/CVPR42600.2020.00975",
        "arXiv": "https://arxiv.org/abs/1911.05722",
    }
    assert moco.bibtex == ENTRY.strip()
    assert moco.short_authors() == "He et al."
    adam = papers["kingma2015adam"]
    assert adam.title == "Adam: A Method for Stochastic Optimization"  # protecting braces removed
    assert adam.short_authors() == "Kingma and Ba"
    assert adam.line == 11


@pytest.mark.parametrize("text, message", [
    (ENTRY + ENTRY, "refs.bib:10: duplicate key 'he2020moco'"),
    ("@article{a, title={x}, year=2020}\n\n@article{b, title={unclosed\n\n@misc{c, title={y}, year=1}\n",
     "refs.bib:3: cannot parse entry"),
    ("\n@article{a, year={2020}}\n", "refs.bib:2: entry 'a' has no title"),
    ("@article{a, title={T}}\n", "refs.bib:1: entry 'a' has no year"),
])
def test_bad_bibtex_is_one_located_line(text, message):
    with pytest.raises(BibError) as error:
        parse(text, "refs.bib")
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_the_shipped_bibliography_parses_and_every_note_key_exists():
    papers = load(ROOT / "docs/references.bib")
    assert papers
    for note in (ROOT / "docs/papers").glob("*.md"):
        found, problems = read_note(f"papers/{note.name}", note.read_text(encoding="utf-8"), papers)
        assert problems == [], problems


# -- front matter of paper notes -------------------------------------------


def test_read_note_takes_key_status_dates_and_tags(papers):
    source = "---\ntitle: MoCo\ntags: [CV]\nbib: he2020moco\nstatus: reading\nadded: 2022-05-01\nstarted: 2022-05-09\n---\n# MoCo\n"
    note, problems = read_note("papers/moco.md", source, papers)
    assert problems == []
    assert note == PaperNote("docs/papers/moco.md", "he2020moco", "reading",
                        {"added": dt.date(2022, 5, 1), "started": dt.date(2022, 5, 9)}, "MoCo", ("CV",))


def test_pages_without_bib_are_not_notes(papers):
    assert read_note("courses/x.md", "# Course\n", papers) == (None, [])


def test_read_note_locates_each_problem(papers):
    source = "---\ntitle: X\nbib: he2020mocov\nstatus: done\nfinished: 2022-02-30\n---\n"
    _, problems = read_note("papers/x.md", source, papers)
    assert problems == [
        "docs/papers/x.md:3: unknown BibTeX key 'he2020mocov' (not in docs/references.bib)",
        "docs/papers/x.md:4: status must be one of queued, reading, read, not 'done'",
        "docs/papers/x.md:5: finished must be a date YYYY-MM-DD, not '2022-02-30'",
    ]


def test_two_notes_for_one_paper_is_a_problem():
    a = PaperNote("docs/papers/a.md", "k", "read", {}, "A", ())
    b = PaperNote("docs/papers/b.md", "k", "read", {}, "B", ())
    by_key, problems = index_notes([a, b])
    assert by_key == {"k": a}
    assert problems == ["docs/papers/b.md:1: a second note for 'k' (the first is docs/papers/a.md)"]


# -- what the hook writes -----------------------------------------------------


def test_paper_box_sits_under_the_title_with_the_entry_to_copy(papers):
    note = PaperNote("docs/papers/moco.md", "he2020moco", "read", {"finished": dt.date(2022, 5, 15)}, "MoCo", ())
    page = insert_after_title("---\n---\n# MoCo\n\nText.\n", paper_box(papers["he2020moco"], note))
    assert page.index("# MoCo") < page.index('!!! abstract "Momentum Contrast') < page.index("Text.")
    assert "Kaiming He, Haoqi Fan, Yuxin Wu, Saining Xie, Ross Girshick." in page
    assert "**Status:** read (finished 2022-05-15)" in page
    assert "[arXiv](https://arxiv.org/abs/1911.05722)" in page
    assert "        @inproceedings{he2020moco," in page  # the entry, in a fence inside the admonition


def test_citations_link_outside_code_only():
    html = '<p>As in [@moco] and [@a; @b].</p><pre><code>x = "[@moco]"</code></pre><p><code>[@moco]</code> [@nope]</p>'
    targets = {"moco": ("../moco/", "He et al., 2020"), "a": ("#a", "A, 1"), "b": ("#b", "B, 2")}
    out, unknown = cite(html, targets.get)
    assert '[<a class="citation" href="../moco/">He et al., 2020</a>]' in out
    assert '[<a class="citation" href="#a">A, 1</a>; <a class="citation" href="#b">B, 2</a>]' in out
    assert out.count("[@moco]") == 2  # both inside code, untouched
    assert unknown == ["nope"]


def test_bibliography_has_an_anchor_per_entry_and_links_notes(papers):
    notes = {"he2020moco": PaperNote("docs/papers/moco.md", "he2020moco", "read", {}, "MoCo", ())}
    text = bibliography(papers, notes, "papers/bibliography.md")
    assert text.startswith("2 papers.")
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    # Sorted by first author's surname: He before Kingma.
    assert lines[0].startswith('- <span id="he2020moco"></span>**Momentum Contrast')
    assert "[note](moco.md)" in lines[0]
    assert lines[1].startswith('- <span id="kingma2015adam"></span>')


def test_reading_list_groups_by_status_with_counts(papers):
    notes = {
        "he2020moco": PaperNote("docs/papers/moco.md", "he2020moco", "reading", {"started": dt.date(2022, 5, 9)}, "MoCo", ("CV",)),
        "kingma2015adam": PaperNote("docs/papers/adam.md", "kingma2015adam", "read", {"finished": dt.date(2022, 4, 1)}, "Adam", ()),
    }
    text = reading_list(notes, papers, "papers/reading-list.md")
    headings = re.findall(r"^## (.*)$", text, re.MULTILINE)
    assert headings == ["Reading (1)", "Queued (0)", "Read (1)", "Reading pace"]
    assert "| [MoCo](moco.md) | 2020 | started 2022-05-09 | CV |" in text
    assert "| [Adam](adam.md) | 2015 | finished 2022-04-01 |\n" in text  # no tags in the group: no Tags column


# -- the strict build ------------------------------------------------------------


@pytest.mark.parametrize("change, message", [
    (lambda p: (p / "docs/papers/bad.md").write_text("---\ntitle: Bad\nbib: nosuchkey2020\nstatus: read\n---\n# Bad\n"),
     "docs/papers/bad.md:3: unknown BibTeX key 'nosuchkey2020'"),
    (lambda p: (p / "docs/papers/cites.md").write_text("# Cites\n\nSee\n[@nosuchkey2020].\n"),
     "docs/papers/cites.md:4: unknown BibTeX key 'nosuchkey2020' in citation"),
    # Every entry a second time: a duplicate key, whatever the log's entries are.
    (lambda p: (p / "docs/references.bib").write_text((p / "docs/references.bib").read_text() * 2),
     "ERROR   -  docs/references.bib:"),
])
def test_reading_log_mistakes_fail_the_strict_build(tmp_path, change, message):
    assert message in failed_strict_build(tmp_path, change).stderr


def test_unreadable_front_matter_is_located(papers):
    _, problems = read_note("papers/x.md", "---\ntitle: X\nbib: [unclosed\n---\n# X\n", papers)
    assert len(problems) == 1 and problems[0].startswith("docs/papers/x.md:3: front matter is not valid YAML")
