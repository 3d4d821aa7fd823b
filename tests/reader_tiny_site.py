"""A log of a few pages, built in a temporary folder with this checkout's mkdocs.yml,
tools/ and docs/assets/: for the reader tests of the machinery (math, language, code
blocks), which need content of their own and none of this log's notes.

Every page that mkdocs.yml's navigation names gets one line of text, so the strict
build has what it links to; the test's pages are added to (or replace) those."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tools.site.build import ROOT, run_mkdocs


class _Lenient(yaml.SafeLoader):
    """Reads mkdocs.yml for its nav: !ENV and Python tags give None."""


_Lenient.add_multi_constructor("!", lambda loader, suffix, node: None)
_Lenient.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _nav_pages(nav) -> list[str]:
    """Every Markdown path that a nav (a list of strings and one-key dicts) names."""
    found = []
    for entry in nav:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            if isinstance(value, list):
                found += _nav_pages(value)
            elif isinstance(value, str) and value.endswith(".md"):
                found.append(value)
    return found


def make(project: Path, pages: dict[str, str]) -> Path:
    """The log at ``project``: the pages the nav names, an empty references.bib,
    the blog's authors, and ``pages`` (path under docs/ -> Markdown)."""
    project.mkdir(parents=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "tools", project / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs/assets", project / "docs/assets")
    (project / "docs/weekly/posts").mkdir(parents=True)
    authors = ROOT / "docs/weekly/.authors.yml"
    if authors.is_file():
        shutil.copy(authors, project / "docs/weekly/.authors.yml")
    (project / "docs/references.bib").write_text("", encoding="utf-8")
    skeleton = {path: f"# {Path(path).stem}\n\nA page.\n" for path in _nav_pages(yaml.load(config, Loader=_Lenient)["nav"])}
    skeleton["tags.md"] = "# Tags\n\n<!-- material/tags -->\n"
    for name, text in {**skeleton, **pages}.items():
        path = project / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


def build(workdir: Path, pages: dict[str, str], *, offline: bool = False) -> Path:
    """``make`` under ``workdir``, built with ``mkdocs build --strict`` (OFFLINE=true when
    ``offline``); the site's folder. A failed build is an AssertionError with mkdocs' words."""
    project = workdir / "log"
    if not project.exists():
        make(project, pages)
    site = workdir / ("site-offline" if offline else "site")
    result = run_mkdocs(site, cwd=project, offline=offline, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return site
