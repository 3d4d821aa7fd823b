"""test_aliases.py's tests that name this log's own notes and pages (the rest of test_aliases.py holds for any log)."""

from __future__ import annotations

import re
from pathlib import Path
from tools.log.frontmatter import aliases_of
from tools.site.build import ROOT, failed_strict_build
from tools.site.hooks.aliases import aliases_line
from tests.test_aliases import (  # noqa: F401
    english_text,
    notes,
    read,
)


def test_the_notes_are_found():
    names = {path.relative_to(ROOT / "docs").as_posix() for path in notes()}
    assert {"papers/moco.md", "courses/dropout.md", "tools/vim.md", "competitions/classify-leaves.md"} <= names
    assert not names & {"papers/index.md", "papers/bibliography.md", "papers/reading-list.md", "courses/index.md"}


def test_english_notes_are_told_from_chinese_ones():
    assert english_text(read(ROOT / "docs/courses/dropout.md").body)
    assert not english_text(read(ROOT / "docs/courses/weight-decay.md").body)
    assert english_text("Words, and then\n```python\n# 中文注释，很长很长很长很长很长很长很长很长\n```\n")


def test_a_bad_alias_fails_the_strict_build(tmp_path):
    def change(project: Path):
        for name, old, new in [("courses/dropout.md", "aliases: [丢弃法, 暂退法]", "aliases: 丢弃法"),
                               ("papers/moco.md", "aliases: [动量对比, 动量对比学习]", "aliases: [动量对比, '']")]:
            page = project / "docs" / name
            text = page.read_text(encoding="utf-8")
            assert old in text
            page.write_text(text.replace(old, new), encoding="utf-8")

    stderr = failed_strict_build(tmp_path, change).stderr
    line = {name: 1 + (ROOT / "docs" / name).read_text(encoding="utf-8").split("\n").index(aliases)
            for name, aliases in [("courses/dropout.md", "aliases: [丢弃法, 暂退法]"),
                                  ("papers/moco.md", "aliases: [动量对比, 动量对比学习]")]}
    assert f"docs/courses/dropout.md:{line['courses/dropout.md']}: aliases must be a list (aliases: [a, b]), not '丢弃法'" in stderr
    assert (f"docs/papers/moco.md:{line['papers/moco.md']}: aliases must be a list of names, "
            f"not one holding a blank name ('')") in stderr


def test_the_built_pages_show_their_aliases_under_the_title(site):
    moco = (site.path / "papers/moco/index.html").read_text(encoding="utf-8")
    assert re.search(r'<h1 id="moco[^"]*">MoCo: .*?</h1>\n<p class="pn-aliases" data-search-exclude>'
                     r"Also called: 动量对比 · 动量对比学习</p>", moco)
    decay = (site.path / "courses/weight-decay/index.html").read_text(encoding="utf-8")
    assert re.search(r"权重衰减.*?</h1>\n<p class=\"pn-aliases\" data-search-exclude>"
                     r"Also called: weight decay · L2 regularization</p>", decay)
    for path in notes():
        page = site.path / path.relative_to(ROOT / "docs").with_suffix("") / "index.html"
        html = page.read_text(encoding="utf-8")
        expected = aliases_line(aliases_of(read(path).data))
        assert html.count('class="pn-aliases"') == 1 and f"</h1>\n{expected}" in html, path
