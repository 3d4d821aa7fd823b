"""The RSS feeds (mkdocs-rss-plugin): dates from front matter, never from git.

mkdocs.yml has two ``rss`` instances: the weekly reports, dated by their
``date``, and the paper notes, dated by ``FEED_DATE``, which this hook puts
in each page's meta: the earliest of the dates its front matter gives
(``added``, ``started``, ``finished``, ``date``), the day the note entered the
log. Neither calls git (``use_git: false``), so a copy without history or a
shallow clone builds the same feeds.

The plugin makes a folder for its HTTP cache (it asks a server for the size
of a remote image named in ``image:`` front matter, which no note here has)
in the current directory; this hook points it at the system's temporary
folder, so a build leaves nothing in the checkout.

An item's description is the page's first paragraph as plain text (formulas
left out), cut at ``SUMMARY_CHARS``: the plugin would otherwise convert the
page's first lines of Markdown again with plain Markdown, which leaves
relative ``.md`` links and ``[@key]`` citations that point nowhere in a feed
reader. A page's own ``description`` front matter wins, as in the plugin.

RSS 2.0's ``<author>`` holds an e-mail address; the plugin writes the
authors' names there, so after it has written the feeds this hook turns each
into ``<dc:creator>`` (Dublin Core, which the feed declares), as feed
validators ask.

A feed names its items by absolute address, so a build without ``site_url``
(no ``SITE_URL`` in the environment, tools/site/hooks/site_url.py) writes no
feed: the rss plugins are switched off and taken out of the plugin list, so
Material's pages link none. With one, every page's head links each
feed (Material links only the first instance's files).
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

FEED_DATE = "papernotes_feed_date"
_AUTHOR = re.compile(r"<author>(.*?)</author>", re.DOTALL)
SUMMARY_CHARS = 280
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)
_MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
DATE_FIELDS = ("added", "started", "finished", "date")


def entry_date(meta: dict) -> dt.date | None:
    """The earliest date the front matter gives, or None."""
    days = []
    for field in DATE_FIELDS:
        value = meta.get(field)
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                continue
        if isinstance(value, dt.date):
            days.append(value)
    return min(days) if days else None


_feeds = {"on": True}


def _rss_names(config) -> list[str]:
    """The names of the rss plugin's instances in the configuration ("rss", "rss #2", ...)."""
    return [name for name in config.plugins if name == "rss" or name.startswith("rss ")]


def _rss_plugins(config) -> list:
    return [config.plugins[name] for name in _rss_names(config)]


@event_priority(100)  # before the rss plugin's on_config, which makes its cache folder
def on_config(config, **kwargs):
    cache = Path(tempfile.gettempdir()) / "papernotes-rss-cache"
    for name in _rss_names(config):
        plugin = config.plugins[name]
        plugin.config.cache_dir = str(cache)
        if not config.site_url or not plugin.config.enabled:
            # Off, and out of the plugin list, so that Material's pages link no feed that is
            # not written ("rss" in config.plugins is what its template asks).
            plugin.config.enabled = False
            del config.plugins[name]
    _feeds["on"] = bool(_rss_names(config))
    return config


def on_post_page(output: str, page, config, **kwargs) -> str:
    if not _feeds["on"]:
        return output
    # Material links the first feed's two files; the others' are linked here, after them.
    links = []
    for plugin in _rss_plugins(config)[1:]:
        if plugin.config.enabled and plugin.config.rss_feed_enabled:
            href = get_relative_url(plugin.config.feeds_filenames.rss_created, page.url)
            title = htmllib.escape(plugin.config.feed_title or config.site_name)
            links.append(f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{href}">')
    if links and "</head>" in output:
        output = output.replace("</head>", "\n".join(links) + "\n</head>", 1)
    return output


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    day = entry_date(page.meta)
    if day is not None:
        page.meta[FEED_DATE] = day
    return markdown


def summary(page_html: str, limit: int = SUMMARY_CHARS) -> str:
    """The first paragraph that has text, as plain text of at most ``limit`` characters."""
    for paragraph in _PARAGRAPH.findall(page_html):
        text = " ".join(htmllib.unescape(_TAG.sub("", _MATH.sub(" ", paragraph))).split())
        if text:
            return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return ""


def on_page_content(page_html: str, page, **kwargs) -> str:
    if not page.meta.get("description"):
        text = summary(page_html)
        if text:
            rss = page.meta.get("rss") if isinstance(page.meta.get("rss"), dict) else {}
            page.meta["rss"] = {**rss, "feed_description": rss.get("feed_description") or text}
    return page_html


@event_priority(-100)  # after the rss plugin has written its files
def on_post_build(config, **kwargs) -> None:
    if not _feeds["on"]:
        return
    for plugin in _rss_plugins(config):
        names = plugin.config.feeds_filenames
        for name in (names.rss_created, names.rss_updated):
            path = Path(config.site_dir) / name
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                path.write_text(_AUTHOR.sub(r"<dc:creator>\1</dc:creator>", text), encoding="utf-8")
