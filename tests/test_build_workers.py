"""The build's second core: pages converted ahead, search indexed alongside,
blog excerpts converted alone. None of it may change what the site is."""

from __future__ import annotations

import importlib
import os
import sys
import re

import pytest

from tools.site.hooks.blog import Posts, head_of
from tools.site.build import ROOT, failed_strict_build

SEPARATOR = "<!-- more -->"


def test_a_broken_link_on_a_page_the_worker_converted_fails_the_strict_build(tmp_path):
    def five_broken_pages(project):
        # Five pages in a row: whatever the share, the worker converts some of them.
        for i in range(5):
            (project / "docs" / "papers" / f"zz-broken-{i}.md").write_text(
                f"# Broken {i}\n\nSee [the missing note](missing-{i}.md).\n", encoding="utf-8")

    result = failed_strict_build(tmp_path, five_broken_pages)
    assert "converted by the worker" in result.stderr
    for i in range(5):
        # Logged once: by the process that converted it, replayed by the build when it was the worker.
        assert result.stderr.count(f"'missing-{i}.md'") == 1, result.stderr[-3000:]
    assert "Aborted with 5 warnings in strict mode!" in result.stdout + result.stderr


# -- tools/site/hooks/blog.py ----------------------------------------------------

def test_an_excerpt_is_the_text_before_the_separator():
    post = f"First paragraph.\n\n{SEPARATOR}\n\n## Later\n\nMore text.\n"
    assert head_of(post, SEPARATOR) == (f"First paragraph.\n\n{SEPARATOR}", True)
    assert head_of(f"Only an excerpt.\n\n{SEPARATOR}\n\n", SEPARATOR) == (f"Only an excerpt.\n\n{SEPARATOR}", False)


@pytest.mark.parametrize("rest", ["[^1]: A footnote the excerpt cites.", "[paper]: https://example.org/paper"])
def test_definitions_after_the_separator_keep_the_whole_post(rest):
    post = f"Cites[^1] a [paper].\n\n{SEPARATOR}\n\nText.\n\n{rest}\n"
    assert head_of(post, SEPARATOR) is None


def test_a_post_without_separator_is_converted_whole():
    assert head_of("No separator here.\n", SEPARATOR) is None


def test_the_blog_index_shows_each_report_up_to_its_separator(site):
    index = (site.path / "weekly" / "index.html").read_text(encoding="utf-8")
    posts = sorted((ROOT / "docs" / "weekly" / "posts").glob("*.md"))
    assert index.count('class="md-post md-post--excerpt"') == len(posts)
    assert index.count("Continue reading") == sum(SEPARATOR in p.read_text(encoding="utf-8") for p in posts)
    for post in posts:
        text = post.read_text(encoding="utf-8")
        after = text.split(SEPARATOR, 1)[1]
        later = re.search(r"^## (.+)$", after, re.MULTILINE)
        assert later and later[1].strip() not in index, f"{post.name}: text after the separator is on the index"


class _File:
    def __init__(self, src_uri):
        self.src_uri = src_uri


class _Page:
    """Compares like mkdocs' Page: equal title and file path."""

    def __init__(self, title, src_uri):
        self.title, self.file = title, _File(src_uri)

    def __eq__(self, other):
        return isinstance(other, _Page) and (self.title, self.file.src_uri) == (other.title, other.file.src_uri)


def test_posts_answer_in_as_a_list_does():
    posts = [_Page(f"Week {i}", f"weekly/posts/{i}.md") for i in range(50)]
    fast = Posts(posts)
    asked = [
        posts[7],                              # the post itself
        _Page("Week 7", "weekly/posts/7.md"),  # another object equal to it
        _Page("Renamed", "weekly/posts/7.md"), # same file, not equal
        _Page("Week 7", "papers/moco.md"),     # same title, another file
        "weekly/posts/7.md",                   # not a page at all
    ]
    assert [page in fast for page in asked] == [page in posts for page in asked] == [True, True, False, False, False]
    fast.append(_Page("Week 50", "weekly/posts/50.md"))
    assert _Page("Week 50", "weekly/posts/50.md") in fast
    assert list(fast) == posts + [fast[-1]]


@pytest.mark.parametrize("module", ["prerender", "search_worker"])
@pytest.mark.parametrize("platform, value, command, expected", [
    ("linux", None, "build", True),
    ("linux", "0", "build", False),
    ("linux", None, "serve", False),  # serve rebuilds in one process
    ("darwin", None, "build", False),  # forking is opt-in off Linux
    ("darwin", "1", "build", True),
])
def test_when_the_workers_run(module, platform, value, command, expected, monkeypatch):
    hook = importlib.import_module(f"tools.site.hooks.{module}")
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(hook, "_command", command)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    if value is None:
        monkeypatch.delenv(hook.ENV, raising=False)
    else:
        monkeypatch.setenv(hook.ENV, value)
    assert hook.enabled() is expected


# -- tools/site/hooks/guard.py ------------------------------------------------

def test_guard_finds_the_plugin_or_hook_an_event_method_belongs_to():
    from types import ModuleType

    from mkdocs.plugins import BasePlugin, CombinedEvent, PluginCollection

    from tools.site.hooks.guard import owner_of

    class Plugin(BasePlugin):
        def on_page_markdown(self, markdown, **kwargs):
            return markdown

        def first(self, **kwargs):
            pass

        def second(self, **kwargs):
            pass

        on_post_build = CombinedEvent(first, second)

    hook = ModuleType("tools/site/hooks/zz_test.py")
    hook.on_page_content = lambda html, **kwargs: html
    plugins = PluginCollection()
    plugins["zz-plugin"], plugins["tools/site/hooks/zz_test.py"] = Plugin(), hook
    for event in ("page_markdown", "post_build", "page_content"):
        for method in plugins.events[event]:
            assert owner_of(plugins, method) == ("tools/site/hooks/zz_test.py" if event == "page_content" else "zz-plugin")
    assert owner_of(plugins, Plugin().on_page_markdown) is None  # another instance's method
    assert owner_of(plugins, None) is None
