"""Tiny sites for the reader tests: a few pages in a temporary folder, built with
``mkdocs build --strict`` under Material and the parts of this project's
mkdocs.yml that a test names (plugins, hooks, extra), so that the tests check
the configuration the log uses, not a copy of it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tools.site.build import ROOT


class _Lenient(yaml.SafeLoader):
    """Reads mkdocs.yml: !ENV [NAME, default] gives the default; Python tags give None."""


def _env(loader, node):
    value = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [None]
    return value[-1] if len(value) > 1 else None


_Lenient.add_constructor("!ENV", _env)
_Lenient.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def project_config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Lenient)


def project_plugins(name: str) -> list:
    """Every entry of the project's plugin list named ``name`` (with its options)."""
    found = []
    for entry in project_config()["plugins"]:
        if entry == name or (isinstance(entry, dict) and name in entry):
            found.append(entry)
    return found


def build(tmp: Path, pages: dict[str, str], *, plugins: list, hooks: tuple[str, ...] = (),
          extra: dict | None = None, nav: list | None = None, site_url: str | None = "https://example.org/log/",
          extensions: list | None = None) -> tuple[Path, subprocess.CompletedProcess]:
    """Write ``pages`` (path under docs/ -> text) and a mkdocs.yml, build strictly into tmp/site."""
    docs = tmp / "docs"
    for path, text in pages.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
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
    (tmp / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp / "site")],
        cwd=tmp, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin",
                                                     "HOME": str(tmp)},
    )
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{result.stderr[-3000:]}")
    return tmp / "site", result
