"""A small log of a test's own, built with this checkout's mkdocs.yml, tools/ and
docs/assets/: every page the navigation names (a heading and a line each), the
authors of docs/weekly/.authors.yml, and the notes a test gives. For the tests of
what a reader meets (tests/test_reader_*.py) that need content none of this log's
notes may be relied on to have."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tools.site.build import ROOT, run_mkdocs

BIB = """\
@article{alpha2020,
  title = {Alpha Paper},
  author = {Ann Author},
  journal = {Journal of Tests},
  year = {2020},
}
"""


NAV = """nav:
  - Home: index.md
  - Weekly:
      - weekly/index.md
  - Papers:
      - papers/index.md
      - Reading list: papers/reading-list.md
      - Bibliography: papers/bibliography.md
  - Courses:
      - courses/index.md
  - Competitions:
      - competitions/index.md
  - Tools:
      - tools/index.md
  - Notes:
      - notes/index.md
  - Notebooks:
      - notebooks/index.md
  - Tags: tags.md
"""


def nav_pages(config: Path | None = None) -> list[tuple[str, str]]:
    """(title, path under docs/) of every page a config's nav names (the small log's NAV
    when none is given), in nav order."""
    text = NAV if config is None else config.read_text(encoding="utf-8")
    nav = yaml.load(text, Loader=yaml.BaseLoader)["nav"]
    found: list[tuple[str, str]] = []

    def walk(items, section: str) -> None:
        for item in items:
            if isinstance(item, str):
                found.append((section, item))
            else:
                for title, value in item.items():
                    if isinstance(value, list):
                        walk(value, title)
                    else:
                        found.append((title, value))

    walk(nav, "")
    return [(title, path) for title, path in found if path.endswith(".md")]


def make_log(project: Path, pages: dict[str, str], bib: str = BIB) -> Path:
    """The log at ``project``: a page for each nav entry, docs/references.bib = ``bib``,
    and ``pages`` (path under docs/ -> text), which may replace the nav's pages."""
    project.mkdir(parents=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # The sections these tests use, whichever a log's own nav has (a new log has fewer).
    (project / "mkdocs.yml").write_text(config[:re.search(r"^nav:\s*$", config, re.M).start()] + NAV,
                                        encoding="utf-8")
    shutil.copytree(ROOT / "tools", project / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs/assets", project / "docs/assets")
    (project / "docs/weekly/posts").mkdir(parents=True)
    shutil.copy(ROOT / "docs/weekly/.authors.yml", project / "docs/weekly/.authors.yml")
    skeleton = {path: f"# {title or 'A log'}\n\nA page of a small log.\n"
                for title, path in nav_pages()}
    for name, text in {**skeleton, **pages}.items():
        path = project / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project / "docs/references.bib").write_text(bib, encoding="utf-8")
    return project


def build(project: Path, site: Path, *, offline: bool = False,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``project`` into ``site``; AssertionError with mkdocs'
    words when it fails."""
    result = run_mkdocs(site, cwd=project, offline=offline, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def first_author() -> str:
    """A key of docs/weekly/.authors.yml."""
    authors = yaml.safe_load((ROOT / "docs/weekly/.authors.yml").read_text(encoding="utf-8"))["authors"]
    return next(iter(authors))


def post(day: str, category: str = "CV", author: str | None = None) -> str:
    """A weekly report dated ``day`` (YYYY-MM-DD)."""
    return (f"---\ndate: {day}\nauthors:\n  - {author or first_author()}\ncategories:\n  - {category}\n---\n\n"
            f"# Weekly report of {day}\n\nWhat was read.\n\n<!-- more -->\n\nThe rest.\n")
