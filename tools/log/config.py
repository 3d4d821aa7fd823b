"""Where the log keeps what, and the settings it reads: authors, categories.

Paths are relative to a log's root (a checkout), so that every function can be
pointed at another log (the tests' logs, a new one).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.log.cli import Refusal
from tools.log.files import read_text
from tools.log.frontmatter import is_scalar, yaml_line

ROOT = Path(__file__).resolve().parents[2]  # the checkout these tools belong to
POSTS = Path("docs/weekly/posts")
AUTHORS = Path("docs/weekly/.authors.yml")
PAPERS = Path("docs/papers")
MKDOCS = Path("mkdocs.yml")
BIB = Path("docs/references.bib")
STATUSES = ("queued", "reading", "read")


def author_ids(root: Path) -> list[str]:
    """The author ids of docs/weekly/.authors.yml, in file order."""
    path = root / AUTHORS
    matter = read_text(path, root)
    try:
        data = yaml.safe_load(matter)
    except yaml.YAMLError as exc:
        raise Refusal(f"{AUTHORS}:{yaml_line(exc)}: not valid YAML") from None
    except (ValueError, RecursionError):  # a date that does not exist, nesting without end
        raise Refusal(f"{AUTHORS}:1: not valid YAML") from None
    authors = data.get("authors") if isinstance(data, dict) else None
    if not isinstance(authors, dict) or not authors:
        raise Refusal(f"{AUTHORS}:1: no authors (expected 'authors:' with one id per author)")
    return [str(name) for name in authors]


def choose_author(root: Path, author: str | None) -> str:
    ids = author_ids(root)
    if author is None:
        return ids[0]
    if author not in ids:
        raise Refusal(f"{AUTHORS}: unknown author '{author}' (known: {', '.join(ids)})")
    return author


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml with its !ENV and !!python tags read as nothing: we only want plain settings."""


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def allowed_categories(root: Path) -> list[str] | None:
    """The blog plugin's categories_allowed in mkdocs.yml; None when any category is allowed."""
    path = root / MKDOCS
    if not path.exists():
        return None
    try:
        config = yaml.load(read_text(path, root), Loader=_ConfigLoader) or {}
    except yaml.YAMLError as exc:
        raise Refusal(f"{MKDOCS}:{yaml_line(exc)}: not valid YAML") from None
    except (ValueError, RecursionError):
        raise Refusal(f"{MKDOCS}:1: not valid YAML") from None
    if not isinstance(config, dict):
        raise Refusal(f"{MKDOCS}:1: not a mapping of settings")
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("blog"), dict):
            allowed = plugin["blog"].get("categories_allowed")
            if allowed and (not isinstance(allowed, list) or not all(is_scalar(c) for c in allowed)):
                raise Refusal(f"{MKDOCS}: the blog's categories_allowed must be a list of names")
            return [str(c) for c in allowed] if allowed else None
    return None


def check_categories(root: Path, categories: list[str]) -> None:
    allowed = allowed_categories(root)
    for category in categories:
        if allowed is not None and category not in allowed:
            raise Refusal(f"{MKDOCS}: category '{category}' is not in the blog's categories_allowed ({', '.join(allowed)})")
