"""Front matter ``aliases``: every note has them in the other language, the build shows them under
the title and keeps them out of the search index's page text, and a bad one fails at its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.log.frontmatter import aliases_of, parse_front_matter
from tools.site.build import ROOT
from tools.site.hooks.aliases import aliases_line, insert_under_title, on_page_content, page_problems
from tools.site.hooks.papers import read_note

NOTE_FOLDERS = ("papers", "courses", "tools", "competitions")
NOT_NOTES = {"index.md", "bibliography.md", "reading-list.md"}  # section pages and generated lists
CJK = re.compile(r"[\u3400-\u9fff]")
FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.MULTILINE | re.DOTALL)


def notes() -> list[Path]:
    return [path for folder in NOTE_FOLDERS for path in sorted((ROOT / "docs" / folder).glob("*.md"))
            if path.name not in NOT_NOTES]


def read(path: Path):
    return parse_front_matter(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())


def title_of(front) -> str:
    """The title the site gives the page: front matter's, else the first level-1 heading."""
    if front.data.get("title"):
        return str(front.data["title"])
    heading = re.search(r"^# (.+)$", front.body, re.MULTILINE)
    return heading[1] if heading else ""


def english_text(body: str) -> bool:
    """Mostly ASCII letters, code left out."""
    prose = FENCE.sub("", body)
    return len(re.findall(r"[A-Za-z]", prose)) > len(CJK.findall(prose))


# -- the notes' aliases ------------------------------------------------------------------


@pytest.mark.parametrize("path", notes(), ids=lambda path: path.relative_to(ROOT / "docs").as_posix())
def test_every_note_has_aliases_in_the_other_language(path: Path):
    """1 to 5 clean names. A note titled in English has a Chinese one; a note titled in Chinese an
    English (ASCII) one. A note whose text is English always has a Chinese one. (A note written in
    Chinese under an English title, such as the MAE note, gets Chinese ones: its English names are
    its title.)"""
    front = read(path)
    where = path.relative_to(ROOT).as_posix()
    assert page_problems(path.relative_to(ROOT / "docs").as_posix(), path.read_text(encoding="utf-8")) == []
    names = aliases_of(front.data)
    assert names == front.data.get("aliases"), f"{where}: aliases should be written clean"
    assert 1 <= len(names) <= 5, f"{where}: {names}"
    chinese = [name for name in names if CJK.search(name)]
    ascii_names = [name for name in names if name.isascii()]
    if english_text(front.body):
        assert chinese, f"{where}: an English note needs a Chinese alias: {names}"
    if CJK.search(title_of(front)):
        assert ascii_names, f"{where}: a note titled in Chinese needs an English alias: {names}"
    else:
        assert chinese, f"{where}: a note titled in English needs a Chinese alias: {names}"


# -- aliases_of --------------------------------------------------------------------------


@pytest.mark.parametrize("meta, names", [
    ({"aliases": ["动量对比", "动量对比学习"]}, ["动量对比", "动量对比学习"]),
    ({"aliases": ["  丢弃法 ", "暂退法\t"]}, ["丢弃法", "暂退法"]),  # stripped
    ({"aliases": ["", "微调", "   "]}, ["微调"]),  # blank ones dropped
    ({"aliases": ["b", "a", "b", " a"]}, ["b", "a"]),  # order kept, repeats dropped
    ({"aliases": [1984, "x"]}, ["1984", "x"]),  # YAML reads a number; it is a name all the same
    ({"aliases": [{"a": 1}, ["b"], None, True, "c"]}, ["c"]),  # what the build refuses gives nothing
    ({"aliases": "动量对比"}, []),
    ({"aliases": None}, []),
    ({"aliases": []}, []),
    ({}, []),
])
def test_aliases_of_cleans_the_list(meta, names):
    assert aliases_of(meta) == names


# -- refused aliases ---------------------------------------------------------------------


@pytest.mark.parametrize("front, message", [
    ("aliases: 动量对比\n", "docs/courses/x.md:3: aliases must be a list (aliases: [a, b]), not '动量对比'"),
    ("aliases:\n  - 动量对比\n  - {a: b}\n", "docs/courses/x.md:3: aliases must be a list of names, not one holding a mapping"),
    ("aliases: [[a, b]]\n", "docs/courses/x.md:3: aliases must be a list of names, not one holding a list"),
    ('aliases: [动量对比, ""]\n', "docs/courses/x.md:3: aliases must be a list of names, not one holding a blank name ('')"),
    ("aliases: ['  ']\n", "docs/courses/x.md:3: aliases must be a list of names, not one holding a blank name ('')"),
    ("aliases: {a: b}\n", "docs/courses/x.md:3: aliases must be a list (aliases: [a, b]), not a mapping"),
])
def test_a_bad_alias_list_is_located(front, message):
    source = f"---\ntitle: X\n{front}tags: [CV]\n---\n\n# X\n"
    assert page_problems("courses/x.md", source) == [message]


@pytest.mark.parametrize("front", ["", "aliases:\n", "aliases: []\n", "aliases: [动量对比, MoCo]\n"])
def test_good_or_empty_aliases_pass(front):
    assert page_problems("courses/x.md", f"---\ntitle: X\n{front}---\n\n# X\n") == []


def test_a_paper_notes_aliases_are_checked_with_its_fields():
    """The papers hook (tools.log.papers.paper_note) reports them; the aliases hook leaves paper notes to it."""
    papers = {}
    for front, message in [
        ("aliases: MoCo\n", "aliases must be a list (aliases: [a, b]), not 'MoCo'"),
        ("aliases: [a, {b: c}]\n", "aliases must be a list of names, not one holding a mapping"),
        ("aliases: ['']\n", "aliases must be a list of names, not one holding a blank name ('')"),
    ]:
        source = f"---\nbib: he2020moco\nstatus: read\n{front}---\n\n# MoCo\n"
        _, problems = read_note("papers/x.md", source, papers)
        assert f"docs/papers/x.md:4: {message}" in problems
        assert page_problems("papers/x.md", source) == []
    _, problems = read_note("papers/x.md", "---\nbib: he2020moco\nstatus: read\naliases: []\n---\n", papers)
    assert not [problem for problem in problems if "aliases" in problem]


# -- shown under the title ---------------------------------------------------------------


def test_the_line_is_escaped_and_goes_after_the_first_title():
    line = aliases_line(["a<b>", "R&D"])
    assert line == '<p class="pn-aliases" data-search-exclude>Also called: a&lt;b&gt; · R&amp;D</p>'
    assert aliases_line([]) == ""
    html = '<h1 id="x">X<a class="headerlink" href="#x">&para;</a></h1>\n<p>text</p>\n<h1>Y</h1>'
    assert insert_under_title(html, line) == html.replace("</h1>\n<p>", f"</h1>\n{line}\n<p>", 1)
    assert insert_under_title("<p>no title</p>", line) == f"{line}\n<p>no title</p>"
    assert insert_under_title(html, "") == html


def test_the_hook_reads_the_page_meta():
    class Page:
        meta = {"aliases": [" 丢弃法", "暂退法", "丢弃法"]}

    shown = on_page_content("<h1>Dropout</h1>\n<p>x</p>", Page(), None, None)
    assert shown == ('<h1>Dropout</h1>\n<p class="pn-aliases" data-search-exclude>Also called: 丢弃法 · 暂退法</p>'
                     "\n<p>x</p>")
    Page.meta = {"title": "No aliases"}
    assert on_page_content("<h1>X</h1>", Page(), None, None) == "<h1>X</h1>"


def test_the_aliases_line_is_not_in_the_search_index(site):
    for path in (site.path / "search").rglob("*"):
        if path.is_file() and path.suffix in {".json", ".js", ".txt", ""}:
            assert "Also called" not in path.read_text(encoding="utf-8", errors="replace"), path
