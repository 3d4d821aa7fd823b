"""A tiny reading log, made in a temporary folder and built with --strict: this checkout's
mkdocs.yml, tools/ and docs/assets/, every page the navigation names (one line each), and
the references.bib and notes a test gives. For tests of the machinery that need content
of their own: it holds none of this log's notes."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tools.site.build import ROOT, run_mkdocs

# The pages mkdocs.yml's nav names, each with one line of text.
SKELETON = {
    "index.md": "# A log\n\nA tiny log.\n",
    "weekly/index.md": "# Weekly reports\n\nOne report a week.\n",
    "papers/index.md": "# Papers\n\nOne note per paper.\n",
    "papers/reading-list.md": "# Reading list\n\n<!-- papernotes:reading-list -->\n",
    "papers/bibliography.md": "# Bibliography\n\n<!-- papernotes:bibliography -->\n",
    "courses/index.md": "# Courses\n\nCourse notes.\n",
    "competitions/index.md": "# Competitions\n\nCompetitions.\n",
    "tools/index.md": "# Tools\n\nTools.\n",
    "notes/index.md": "# Notes\n\nNotes.\n",
    "notebooks/index.md": "# Notebooks\n\nNotebooks.\n",
    "performance.md": "# Performance\n\nNo measurements.\n",
    "tags.md": "# Tags\n\n<!-- material/tags -->\n",
}


def nav_pages(config: Path) -> list[str]:
    """Every page that a mkdocs.yml's nav names, paths under docs/."""
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)  # !ENV, !!python/...: not needed here
    found: list[str] = []

    def walk(item) -> None:
        if isinstance(item, str) and item.endswith(".md"):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(yaml.load(config.read_text(encoding="utf-8"), Loader).get("nav", []))
    return found


def make_log(project: Path, bib: str, pages: dict[str, str]) -> Path:
    """A log at ``project``: the skeleton, docs/references.bib = ``bib``, and ``pages``
    (path under docs/ -> text), which may replace skeleton pages."""
    project.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "tools", project / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs/assets", project / "docs/assets")
    (project / "docs/weekly/posts").mkdir(parents=True)
    shutil.copy(ROOT / "docs/weekly/.authors.yml", project / "docs/weekly/.authors.yml")
    others = {name: f"# {Path(name).stem}\n\nA page.\n" for name in nav_pages(ROOT / "mkdocs.yml")}
    for name, text in {**others, **SKELETON, **pages}.items():
        path = project / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project / "docs/references.bib").write_text(bib, encoding="utf-8")
    return project


def build_log(workdir: Path, bib: str, pages: dict[str, str]) -> Path:
    """make_log under ``workdir``, built with ``mkdocs build --strict``; the site's folder.
    A failed build is an AssertionError with mkdocs' own words."""
    project = make_log(workdir / "log", bib, pages)
    site = workdir / "site"
    result = run_mkdocs(site, cwd=project, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return site
