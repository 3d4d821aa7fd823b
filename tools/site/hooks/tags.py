"""One topic, one tag, in both languages.

A reading log written in two languages tags one topic twice (``自监督学习`` on
one page, ``Self-supervised`` on another), and Material's tags plugin lists
them as two topics. ``extra.tag_names`` in mkdocs.yml names each topic once,
with the names it is written under:

    tag_names:
      "Self-supervised · 自监督学习": [Self-supervised, 自监督学习]

Before the tags plugin reads a page's ``tags`` (its ``on_page_markdown`` runs
at priority -50), this hook replaces every name of such a topic by the topic's
name, case and spaces ignored, and drops a tag given twice that way; the
notes keep their front matter as written, so an imported post that tags
``目标检测`` lands under the same tag as a note that says ``Detection``. A name
given to two topics is a warning, which ``--strict`` makes an error.
"""

from __future__ import annotations

import logging

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.tags")
OPTION = "tag_names"


def _key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def tag_map(topics: dict | None) -> tuple[dict[str, str], list[str]]:
    """{written name (folded): topic name} from extra.tag_names, and the problems in it."""
    names, problems = {}, []
    if topics is None:
        return names, problems
    if not isinstance(topics, dict):
        return names, [f"mkdocs.yml: extra.{OPTION} must map a tag to the names it is written under"]
    for topic, aliases in topics.items():
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            problems.append(f"mkdocs.yml: extra.{OPTION}: {topic!r} must list the names it is written under")
            continue
        for alias in [topic, *aliases]:
            key = _key(alias)
            if names.get(key, topic) != topic:
                problems.append(f"mkdocs.yml: extra.{OPTION}: {alias!r} is a name of both {names[key]!r} and {topic!r}")
                continue
            names[key] = str(topic)
    return names, problems


def one_name(tags: list, names: dict[str, str]) -> list:
    """The page's tags, each under its topic's name, in order, each once."""
    shown = []
    for tag in tags:
        tag = names.get(_key(tag), tag) if isinstance(tag, str) else tag
        if tag not in shown:
            shown.append(tag)
    return shown


_names: dict[str, str] = {}


def on_config(config, **kwargs):
    names, problems = tag_map(config.extra.get(OPTION))
    for problem in problems:
        log.warning(problem)
    _names.clear()
    _names.update(names)
    return config


@event_priority(50)  # before the tags plugin (-50) reads page.meta["tags"]
def on_page_markdown(markdown: str, page, **kwargs) -> str:
    tags = page.meta.get("tags")
    if _names and isinstance(tags, list):
        page.meta["tags"] = one_name(tags, _names)
    return markdown
