"""A small log of a test's own, in a temporary folder, for the tests of the machinery that
need content none of our notes may be relied on to have.

make_log writes one with this checkout's mkdocs.yml (its nav replaced by NAV), tools/,
docs/assets/ and the blog's authors, a page for each entry of NAV, a references.bib,
and the pages a test gives. The nav is the log's own, not the project's, so the tests
hold in a new log made by tools/new_log, whose nav has fewer sections.

make_bare_log writes one with only Material and the parts of mkdocs.yml a test names
(plugins, hooks, extra), so that a test checks one piece of the configuration alone.

build builds either with ``mkdocs build --strict`` (tools.site.build.run_mkdocs); a
failed build is an AssertionError with mkdocs' own words."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from tools.site.build import ROOT, run_mkdocs

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

# The pages of NAV that the log's hooks fill in; every other one gets a heading and a line
# (tags.md too: a test that wants Material's list of tags gives its own).
MARKERS = {
    "papers/reading-list.md": "<!-- papernotes:reading-list -->",
    "papers/bibliography.md": "<!-- papernotes:bibliography -->",
}


def nav_pages() -> list[tuple[str, str]]:
    """(title, path under docs/) of every page NAV names, in nav order; the title is its
    section's for a page listed without one."""
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

    walk(yaml.safe_load(NAV)["nav"], "")
    return [(title, path) for title, path in found if path.endswith(".md")]


def _write(docs: Path, pages: dict[str, str]) -> None:
    for name, text in pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_log(project: Path, pages: dict[str, str], *, bib: str = "") -> Path:
    """The log at ``project`` (a folder not there yet): a page for each entry of NAV,
    docs/references.bib = ``bib``, and ``pages`` (path under docs/ -> text), which may
    replace NAV's pages."""
    project.mkdir(parents=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # The checkout's nav block (up to the next top-level key), whatever sections it has, gives way to NAV.
    config, found = re.subn(r"^nav:[ \t]*\n(?:(?:[ \t#].*)?\n)*", lambda _: NAV, config, count=1, flags=re.M)
    if not found:
        config = config.rstrip("\n") + "\n" + NAV
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "tools", project / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs/assets", project / "docs/assets")
    (project / "docs/weekly/posts").mkdir(parents=True)
    authors = ROOT / "docs/weekly/.authors.yml"
    if authors.is_file():
        shutil.copy(authors, project / "docs/weekly/.authors.yml")
    skeleton = {path: f"# {title or 'A log'}\n\n{MARKERS.get(path, 'A page of a small log.')}\n"
                for title, path in nav_pages()}
    _write(project / "docs", {**skeleton, **pages})
    (project / "docs/references.bib").write_text(bib, encoding="utf-8")
    return project


class _Lenient(yaml.SafeLoader):
    """Reads mkdocs.yml: !ENV [NAME, default] gives the default; Python tags give None."""


def _env(loader, node):
    value = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [None]
    return value[-1] if len(value) > 1 else None


_Lenient.add_constructor("!ENV", _env)
_Lenient.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def project_config() -> dict:
    """This checkout's mkdocs.yml."""
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Lenient)


def project_plugins(name: str) -> list:
    """Every entry of the project's plugin list named ``name`` (with its options)."""
    return [entry for entry in project_config()["plugins"]
            if entry == name or (isinstance(entry, dict) and name in entry)]


def make_bare_log(project: Path, pages: dict[str, str], *, plugins: list, hooks: tuple[str, ...] = (),
                  extra: dict | None = None, nav: list | None = None,
                  site_url: str | None = "https://example.org/log/", extensions: list | None = None) -> Path:
    """The log at ``project``: ``pages`` (path under docs/ -> text) and a mkdocs.yml of
    Material, ``plugins``, this checkout's ``hooks`` (file names in tools/site/hooks/),
    ``extra``, ``nav`` and ``site_url``, and nothing else."""
    project.mkdir(parents=True, exist_ok=True)
    _write(project / "docs", pages)
    config = {
        "site_name": "tiny",
        "docs_dir": "docs",
        "theme": {"name": "material", "font": False},
        "plugins": plugins,
        "hooks": [str(ROOT / "tools" / "site" / "hooks" / hook) for hook in hooks],
        "markdown_extensions": extensions or ["attr_list", "md_in_html", "tables", "toc"],
    }
    if site_url:
        config["site_url"] = site_url
    if extra:
        config["extra"] = extra
    if nav is not None:
        config["nav"] = nav
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return project


def build(project: Path, site: Path, *, offline: bool = False, env: dict[str, str] | None = None) -> Path:
    """``mkdocs build --strict`` of ``project`` into ``site`` (OFFLINE=true when
    ``offline``; ``env`` adds to the environment); ``site``. AssertionError with mkdocs'
    words when it fails."""
    result = run_mkdocs(site, cwd=project, offline=offline, env=env, timeout=600)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
    return site


def first_author() -> str:
    """A key of docs/weekly/.authors.yml."""
    authors = yaml.safe_load((ROOT / "docs/weekly/.authors.yml").read_text(encoding="utf-8"))["authors"]
    return next(iter(authors))


def post(day: str, category: str = "CV", author: str | None = None) -> str:
    """A weekly report dated ``day`` (YYYY-MM-DD)."""
    return (f"---\ndate: {day}\nauthors:\n  - {author or first_author()}\ncategories:\n  - {category}\n---\n\n"
            f"# Weekly report of {day}\n\nWhat was read.\n\n<!-- more -->\n\nThe rest.\n")
