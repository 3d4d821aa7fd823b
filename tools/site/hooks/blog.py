"""Material's blog plugin at the scale of years of weekly reports.

1. Is this page a post? The plugin asks ``page not in self.blog.posts`` twice
   for every page, and a list compares its items one by one with
   ``Page.__eq__``, which computes both titles from their Markdown: pages
   times posts title computations, 17 s of a 2,000-note build (profiled).
   This hook gives the list a membership test that first looks the page's
   file up by its path, then compares with ``==`` as before: the same answer,
   with one comparison or none per page.

2. A listing converts only the part of a post it shows. The plugin shows each
   weekly report's excerpt (the text before ``<!-- more -->``) on every
   listing that includes the post: the blog index, the archive and the
   category pages, each paginated. To make an excerpt it converted the whole
   post to HTML and cut the result at the separator, once per listing: three
   full conversions of every report per build, a third of the build time on
   a log of a few hundred reports. Here the excerpt converts the Markdown
   before the separator and nothing else. The listing is the same HTML (the
   excerpt and its "Continue reading" link), except when the text after the
   separator defines footnotes or link references that the excerpt might
   use: then the whole post is converted, as before.

3. One report a week. Two posts dated in the same ISO week (Monday to
   Sunday) stop the build, whatever its options (``--strict`` or not, ``-q``):
   ``docs/weekly/posts/2026-11-24.md:2: a second report for the week of
   2026-11-23 (docs/weekly/posts/2026-11-23.md:2)``. tools/new_week and
   tools/import_post refuse to make such a second report; this catches one
   written or renamed by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
from pathlib import Path

# MkDocs puts only this folder on sys.path while loading a hook; the
# checkout's root holds the shared tools.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from material.plugins.blog.structure import Excerpt
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from tools.log.files import shown
from tools.log.frontmatter import field_line
from tools.log.reports import week_of

log = logging.getLogger("mkdocs.hooks.blog")

# A footnote or link reference definition: "[^1]: text", "[label]: url".
DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)

# Material's own method, kept on the class so that loading this hook again
# (mkdocs serve reloads the configuration) wraps the original, not the wrapper.
if not hasattr(Excerpt, "render_whole_post"):
    Excerpt.render_whole_post = Excerpt.render


def head_of(markdown: str, separator: str) -> tuple[str, bool] | None:
    """(the Markdown an excerpt needs, whether text follows the separator), or
    None when the excerpt needs the whole post."""
    head, found, rest = markdown.partition(separator)
    if not found or DEFINITION.search(rest):
        return None
    return head + found, bool(rest.strip())


def render(self: Excerpt, page, separator: str) -> None:
    post = self.post
    whole = post.markdown
    cut = head_of(whole, separator) if whole else None
    if cut is None:
        self.render_whole_post(page, separator)
        return
    post.markdown, more = cut
    try:
        self.render_whole_post(page, separator)
    finally:
        post.markdown = whole
    # The listing links "Continue reading" when text follows the separator;
    # Material keeps that text's HTML in ``more``, which it only tests.
    self.more = "…" if more else None


Excerpt.render = render


class Posts(list):
    """A list of posts whose ``in`` finds a page by its file's path."""

    def _by_path(self) -> dict:
        if getattr(self, "_count", None) != len(self):  # rebuilt when posts are added or removed
            self._paths: dict[str, list] = {}
            for post in self:
                self._paths.setdefault(post.file.src_uri, []).append(post)
            self._count = len(self)
        return self._paths

    def __contains__(self, page) -> bool:
        file = getattr(page, "file", None)
        if file is None:
            return super().__contains__(page)
        return any(post == page for post in self._by_path().get(file.src_uri, ()))


def second_reports(reports: list[tuple[str, dt.date, int]]) -> list[str]:
    """(where, date, line of date) per report -> one problem per report dated in
    the ISO week of an earlier one (by date, then by name)."""
    first: dict[tuple[int, int], tuple[str, int]] = {}
    problems = []
    for where, day, line in sorted(reports, key=lambda report: (report[1], report[0])):
        week = day.isocalendar()[:2]
        if week in first:
            other, other_line = first[week]
            problems.append(f"{where}:{line}: a second report for the week of {week_of(day)[0].isoformat()} "
                            f"({other}:{other_line})")
        else:
            first[week] = (where, line)
    return problems


def _shown(file, config) -> str:
    """A post's path as messages show it: docs/weekly/posts/x.md, from the configuration's folder."""
    path = Path(file.abs_src_path or os.path.join(config.docs_dir, file.src_path))
    return shown(path, Path(config.config_file_path or ".").resolve().parent)


def check_one_report_a_week(posts, config) -> None:
    """PluginError (the build stops, strict or not, quiet or not) for a second report in a week."""
    reports = []
    for post in posts:
        created = getattr(getattr(post.config, "date", None), "created", None)
        if not isinstance(created, dt.date):
            continue
        day = created.date() if isinstance(created, dt.datetime) else created
        reports.append((_shown(post.file, config), day, field_line(post.file.content_string, "date")))
    problems = second_reports(reports)
    for problem in problems[1:]:
        log.error(problem)
    if problems:
        raise PluginError(problems[0])


@event_priority(-100)  # after the blog plugin has listed its posts (in on_files)
def on_files(files, config, **kwargs):
    for plugin in config.plugins.values():
        blog = getattr(plugin, "blog", None)
        if blog is not None and isinstance(getattr(blog, "posts", None), list):
            if not isinstance(blog.posts, Posts):
                blog.posts = Posts(blog.posts)
            check_one_report_a_week(blog.posts, config)
    return files
