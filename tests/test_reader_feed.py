"""The RSS feeds (mkdocs-rss-plugin, tools/site/hooks/feed.py) on a tiny site
built from a folder that is no git checkout: the dates come from front matter."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.small_log import build, make_bare_log, project_plugins

SITE_URL = "https://example.org/log/"


def post(day: str) -> str:
    return f"---\ndate: {day}\nauthors: [lin]\n---\n\n# Weekly report of {day}\n\nWhat was read that week.\n"


PAGES = {
    "index.md": "# Home\n",
    "weekly/index.md": "# Weekly\n",
    "weekly/.authors.yml": "authors:\n  lin:\n    name: Lin Wei\n    description: writes the reports\n    avatar: https://example.org/a.png\n",
    # Written in an order that is neither old-to-new nor by file name.
    "weekly/posts/b.md": post("2022-05-09"),
    "weekly/posts/a.md": post("2022-05-23"),
    "weekly/posts/c.md": post("2022-04-18"),
    "papers/index.md": "# Papers\n",
    "papers/old.md": "---\nstatus: read\nstarted: 2022-04-01\nfinished: 2023-01-02\n---\n\n# An old note\n",
    "papers/new.md": "---\nstatus: queued\nadded: 2023-06-18\n---\n\n# A new note\n",
}


def _site(tmp_path):
    plugins = [{"blog": {"blog_dir": "weekly", "post_url_format": "{date}"}}, *project_plugins("rss")]
    assert len(plugins) == 3, "mkdocs.yml has the two rss feeds"
    project = make_bare_log(tmp_path, PAGES, plugins=plugins, hooks=("feed.py",), site_url=SITE_URL)
    site = build(project, tmp_path / "site")
    assert not (tmp_path / ".cache").exists(), "the rss plugin's cache went into the project folder"
    return site


def _channel(path):
    root = ET.parse(path).getroot()  # well-formed XML, or this raises
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):  # RSS 2.0's required channel elements
        assert (channel.findtext(required) or "").strip(), f"{path.name}: no <{required}>"
    return channel


def test_the_weekly_feed_lists_the_newest_report_first_with_absolute_links(tmp_path):
    site = _site(tmp_path)
    channel = _channel(site / "feed_rss_created.xml")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "Weekly report of 2022-05-23", "Weekly report of 2022-05-09", "Weekly report of 2022-04-18"]
    assert [item.findtext("link") for item in items] == [
        SITE_URL + "weekly/2022/05/23/", SITE_URL + "weekly/2022/05/09/", SITE_URL + "weekly/2022/04/18/"]
    assert all(item.findtext("pubDate") for item in items)
    assert items[0].findtext("pubDate").startswith("Mon, 23 May 2022")
    # <author> is for e-mail addresses in RSS 2.0: a name goes into Dublin Core's creator.
    assert items[0].find("author") is None
    assert items[0].findtext("{http://purl.org/dc/elements/1.1/}creator") == "Lin Wei"


def test_the_notes_feed_dates_a_note_by_the_day_it_entered_the_log(tmp_path):
    site = _site(tmp_path)
    items = _channel(site / "feed_rss_notes.xml").findall("item")
    assert [(item.findtext("title"), item.findtext("pubDate")[:16]) for item in items] == [
        ("A new note", "Sun, 18 Jun 2023"), ("An old note", "Fri, 01 Apr 2022")]
    assert all(item.findtext("link").startswith(SITE_URL + "papers/") for item in items)


def test_every_page_links_the_feed_in_its_head(tmp_path):
    site = _site(tmp_path)
    head = (site / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert '<link rel="alternate" type="application/rss+xml"' in head
    assert 'href="feed_rss_created.xml"' in head
    assert 'title="papernotes: paper notes" href="feed_rss_notes.xml"' in head
    deep = (site / "papers" / "new" / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert 'href="../../feed_rss_notes.xml"' in deep and 'href="../../feed_rss_created.xml"' in deep


def test_a_description_is_the_first_paragraph_as_text_with_no_dead_links(tmp_path):
    pages = {**PAGES, "weekly/posts/a.md": post("2022-05-23").replace(
        "What was read that week.", "Read [the new note](../../papers/new.md) and $x^2$ [@key] &amp; more.")}
    plugins = [{"blog": {"blog_dir": "weekly", "post_url_format": "{date}"}}, *project_plugins("rss")]
    project = make_bare_log(tmp_path, pages, plugins=plugins, hooks=("feed.py",), site_url=SITE_URL)
    site = build(project, tmp_path / "site")
    first = _channel(site / "feed_rss_created.xml").find("item")
    assert first.findtext("description") == "Read the new note and $x^2$ [@key] & more."


def test_without_a_site_url_there_is_no_feed_and_no_link_to_one(tmp_path):
    plugins = [{"blog": {"blog_dir": "weekly", "post_url_format": "{date}"}}, *project_plugins("rss")]
    project = make_bare_log(tmp_path, PAGES, plugins=plugins, hooks=("feed.py",), site_url=None)
    site = build(project, tmp_path / "site")
    assert not list(site.glob("feed_rss_*.xml"))
    assert "application/rss+xml" not in (site / "index.html").read_text(encoding="utf-8")


BLOCK_NETWORK = """
import socket, sys
_connect = socket.socket.connect
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        raise OSError(f"the build tried to connect to {address}")
    return _connect(self, address)
socket.socket.connect = connect
from mkdocs.__main__ import cli
sys.argv = ["mkdocs", *sys.argv[1:]]
cli()
"""


def test_the_project_builds_its_feeds_without_git_history_or_network(tmp_path):
    """The project's own configuration, copied without .git (as a shallow or
    archived copy has no history to read), built with every connection
    off the machine refused."""
    import os
    import subprocess
    import sys

    from tools.site.build import ROOT, copy_project

    project = copy_project(tmp_path / "project")
    assert not (project / ".git").exists()
    env = {**os.environ, "SITE_URL": SITE_URL, "OFFLINE": "false", "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-c", BLOCK_NETWORK, "build", "--strict", "--site-dir", str(tmp_path / "out")],
                          cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    items = _channel(tmp_path / "out" / "feed_rss_created.xml").findall("item")
    newest = max(p.stem for p in (ROOT / "docs" / "weekly" / "posts").glob("*.md"))
    assert items and items[0].findtext("link") == SITE_URL + "weekly/" + newest.replace("-", "/") + "/"
    assert not (project / ".cache").exists()
