"""Search that finds the right page and answers at once however large the log grows.

This hook replaces what Material's search sends to the browser: instead of
``search/search_index.json`` with every section of every page, which the
browser turns into a Lunr index before the first result (about 10 s at 2,000
notes), it writes the index already computed and cut into small files
(``tools/site/search_shards.py``), with each page's ``aliases:`` weighed as its
title, and points every page at the worker that fetches only the files a
query needs and ranks them
(``docs/assets/javascripts/workers/papernotes-search.js``).

``mkdocs build``, ``mkdocs serve`` and the offline build (its files written
as scripts, for file://) all search this way; ``PAPERNOTES_SEARCH_SHARDS=0``
keeps Material's own index and worker (``search_shards.enabled``).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path

from jinja2 import pass_context
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.log.frontmatter import aliases_of  # noqa: E402
from tools.site import search_shards  # noqa: E402

log = logging.getLogger("mkdocs.hooks.sharded_search")

# The worker Material's pages load: assets/javascripts/workers/search.<hash>.min.js
MATERIAL_WORKER = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")

_command: str | None = None
_active = False
_replaced = 0  # pages whose worker was switched
_rendered = 0  # pages rendered in this build (a --dirty rebuild may render none)
# Page URL -> the page's aliases, and the term counts of sections already
# tokenized: kept in search_shards, which `mkdocs serve` does not reload with
# the hooks, so that a --dirty rebuild, which renders only the edited page,
# still knows every page's aliases and tokenizes only what changed.
_aliases = search_shards.ALIASES


def on_startup(command: str, dirty: bool, **kwargs) -> None:
    global _command
    _command = command


def on_config(config, **kwargs):
    global _active, _replaced, _rendered
    plugin = search_shards.search_plugin(config)
    _active = plugin is not None and search_shards.enabled(config, _command)
    _replaced = _rendered = 0
    if plugin is not None and (why := search_shards.unsupported(plugin.config)):
        log.info(f"sharded search: off for {why}; the site uses Material's search index and worker")
    return config


def on_env(env, config, files, **kwargs):
    if not _active:
        return env
    material_url = env.filters["url"]

    @pass_context
    def url(context, value):
        global _replaced
        if isinstance(value, str) and MATERIAL_WORKER.fullmatch(value):
            value = search_shards.WORKER
            _replaced += 1
        return material_url(context, value)

    env.filters["url"] = url
    return env


def on_page_context(context, page, config, nav, **kwargs):
    global _rendered
    if _active:
        _rendered += 1
        names = aliases_of(page.meta)
        if names:
            _aliases[page.url] = names
        else:
            _aliases.pop(page.url, None)
    return context


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config, **kwargs) -> None:
    if not _active:
        return
    if _rendered and not _replaced:
        raise PluginError("sharded search: no page asked for Material's search worker "
                          f"({MATERIAL_WORKER.pattern}); has the theme changed how it loads it? "
                          f"Build with {search_shards.ENV}=0 to use Material's search as it is.")
    start = time.perf_counter()
    plugin = search_shards.search_plugin(config)
    entries = plugin.search_index.entries
    counts = getattr(plugin.search_index, "counts", None)  # from search_worker.py's worker
    if not counts or len(counts) != len(entries):
        counts = [None] * len(entries)
    tokenizer = search_shards.tokenizer(plugin.config)
    missing = [i for i, c in enumerate(counts) if c is None]
    if missing:
        counts = search_shards.counted(entries, counts, tokenizer)
    # A page's aliases weigh as its title: they go with the page's first section.
    aliases = {}
    first = {}
    for i, entry in enumerate(entries):
        first.setdefault(entry["location"].split("#")[0], i)
    for url, names in _aliases.items():
        i = first.get(url)
        if i is not None:
            aliases[i] = names
            title = counts[i][0] + Counter(tokenizer.tokens([search_shards.segmented(n) for n in names]))
            counts[i] = [title, *counts[i][1:]]  # a new list: the one in counts may be kept for the next build
    site = Path(config.site_dir)
    offline = search_shards.offline(config)
    # Material's page script still fetches this file and hands its config to the worker.
    config_only = {key: plugin.config[key] for key in ("lang", "separator", "pipeline", "fields")}
    stub = json.dumps({"config": config_only, "docs": []}, separators=(",", ":"))
    (site / "search" / "search_index.json").write_text(stub, encoding="utf-8")
    if offline:  # what the offline plugin inlines for file://
        (site / "search" / "search_index.js").write_text(f"var __index = {stub}", encoding="utf-8")

    def write() -> None:
        shards = search_shards.build(entries, counts, plugin.config.separator, aliases,
                                     search_shards.jieba_log_frequency(), tokenizer.stop)
        written = shards.write(site / "search" / "shards", scripts=offline)
        log.info(f"sharded search: {len(entries)} sections, {len(shards.index['vocabulary'])} terms, "
                 f"{len(shards.terms)} + {len(shards.docs)} files{' (scripts, offline)' if offline else ''}, "
                 f"{written / 2**20:.1f} MB, {time.perf_counter() - start:.2f} s "
                 f"({len(missing)} sections tokenized here)")

    if _command != "serve":
        write()
        return
    # Under mkdocs serve the edited page is served while the index is
    # written (a second at a thousand notes): the page reads the last
    # build's index until the new one replaces it (Shards.write); a rebuild
    # before that replaces the write not yet begun.
    def write_logged() -> None:
        try:
            write()
        except Exception as error:  # the build has ended: all that can be done is say so
            log.error(f"sharded search: the index was not written: {type(error).__name__}: {error}")

    search_shards.WRITER.submit(write_logged)
