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
"""

from __future__ import annotations

import re

from material.plugins.blog.structure import Excerpt
from mkdocs.plugins import event_priority

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


@event_priority(-100)  # after the blog plugin has listed its posts (in on_files)
def on_files(files, config, **kwargs):
    for plugin in config.plugins.values():
        blog = getattr(plugin, "blog", None)
        if blog is not None and isinstance(getattr(blog, "posts", None), list) and not isinstance(blog.posts, Posts):
            blog.posts = Posts(blog.posts)
    return files
