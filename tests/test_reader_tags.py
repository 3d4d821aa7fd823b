"""One topic, one tag in both languages (tools/site/hooks/tags.py, extra.tag_names),
on a tiny site with Material's tags plugin."""

from __future__ import annotations

import re

from tests.small_log import build, make_bare_log, project_config
from tools.site.hooks.tags import one_name, tag_map

TOPICS = {"Self-supervised · 自监督学习": ["Self-supervised", "自监督学习"]}


def note(title: str, *tags: str) -> str:
    listed = "".join(f"  - {tag}\n" for tag in tags)
    return f"---\ntags:\n{listed}---\n\n# {title}\n\nText.\n"


PAGES = {
    "index.md": "# Home\n",
    "tags.md": "# Tags\n\n<!-- material/tags -->\n",
    "zh.md": note("A Chinese note", "自监督学习", "CV"),
    "en.md": note("An English note", "Self-supervised"),
    "both.md": note("Both names", "self-supervised", "自监督学习"),
}


def tags_page(site) -> dict[str, list[str]]:
    """Tag name -> the titles of the pages listed under it, from the built tags page."""
    page = (site / "tags" / "index.html").read_text(encoding="utf-8")
    page = page[page.index("<article"):page.index("</article>")]
    listed = {}
    for section in page.split('<h2 id="tag:')[1:]:
        name = re.search(r'class="md-tag[^"]*"[^>]*>([^<]+)<', section)[1].strip()
        listed[name] = sorted(title.strip() for title in re.findall(r"<li>\s*<a [^>]*>([^<]+)</a>", section))
    return listed


def test_notes_tagged_in_either_language_are_listed_under_one_tag(tmp_path):
    project = make_bare_log(tmp_path, PAGES, plugins=["tags"], hooks=("tags.py",), extra={"tag_names": TOPICS})
    site = build(project, tmp_path / "site")
    assert tags_page(site) == {
        "CV": ["A Chinese note"],
        "Self-supervised · 自监督学习": ["A Chinese note", "An English note", "Both names"],
    }
    # The tag above the page's title too: once, under the topic's name.
    both = (site / "both" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'class="md-tag(?: [^"]*)?"[^>]*>([^<]+)<', both) == ["Self-supervised · 自监督学习"]


def test_a_name_of_two_topics_fails_the_strict_build(tmp_path):
    names, problems = tag_map({"A": ["x"], "B": ["X "]})
    assert problems == ["mkdocs.yml: extra.tag_names: 'X ' is a name of both 'A' and 'B'"]
    assert one_name(["x", "A", "other"], names) == ["A", "other"]
    assert tag_map({"A": 3})[1] == ["mkdocs.yml: extra.tag_names: 'A' must list the names it is written under"]


def test_the_logs_tag_names_name_each_tag_once():
    assert tag_map(project_config().get("extra", {}).get("tag_names"))[1] == []
