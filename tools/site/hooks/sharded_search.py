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

try:  # TEMPORARY until tools/log/frontmatter.aliases_of lands
    from tools.log.frontmatter import aliases_of  # noqa: E402
except ImportError:
    def aliases_of(meta):
        value = meta.get("aliases") or []
        return [str(v).strip() for v in value if str(v).strip()] if isinstance(value, list) else []
from tools.site import search_shards  # noqa: E402

log = logging.getLogger("mkdocs.hooks.sharded_search")

# The worker Material's pages load: assets/javascripts/workers/search.<hash>.min.js
MATERIAL_WORKER = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")

_command: str | None = None
_active = False
_replaced = 0  # pages whose worker was switched
_aliases: dict[str, list[str]] = {}  # page URL -> the page's aliases


def on_startup(command: str, dirty: bool, **kwargs) -> None:
    global _command
    _command = command


def on_config(config, **kwargs):
    global _active, _replaced
    plugin = search_shards.search_plugin(config)
    _active = plugin is not None and search_shards.enabled(config, _command)
    _replaced = 0
    _aliases.clear()
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
    if _active:
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
    if _replaced == 0:
        raise PluginError("sharded search: no page asked for Material's search worker "
                          f"({MATERIAL_WORKER.pattern}); has the theme changed how it loads it? "
                          f"Build with {search_shards.ENV}=0 to use Material's search as it is.")
    start = time.perf_counter()
    plugin = search_shards.search_plugin(config)
    entries = plugin.search_index.entries
    counts = getattr(plugin.search_index, "counts", None)  # from search_worker.py's worker
    if not counts or len(counts) != len(entries):
        counts = [None] * len(entries)
    missing = [i for i, c in enumerate(counts) if c is None]
    if missing:
        tokenizer = search_shards.tokenizer(plugin.config)
        for i in missing:
            counts[i] = tokenizer.counts(entries[i])
    # A page's aliases weigh as its title: they go with the page's first section.
    aliases = {}
    first = {}
    for i, entry in enumerate(entries):
        first.setdefault(entry["location"].split("#")[0], i)
    tokenizer = search_shards.tokenizer(plugin.config)
    for url, names in _aliases.items():
        i = first.get(url)
        if i is not None:
            aliases[i] = names
            counts[i][0] = counts[i][0] + Counter(tokenizer.tokens([search_shards.segmented(n) for n in names]))
    shards = search_shards.build(entries, counts, plugin.config.separator, aliases,
                                 search_shards.jieba_log_frequency())
    site = Path(config.site_dir)
    offline = search_shards.offline(config)
    written = shards.write(site / "search" / "shards", scripts=offline)
    # Material's page script still fetches this file and hands its config to the worker.
    config_only = {key: plugin.config[key] for key in ("lang", "separator", "pipeline", "fields")}
    stub = json.dumps({"config": config_only, "docs": []}, separators=(",", ":"))
    (site / "search" / "search_index.json").write_text(stub, encoding="utf-8")
    if offline:  # what the offline plugin inlines for file://
        (site / "search" / "search_index.js").write_text(f"var __index = {stub}", encoding="utf-8")
    log.info(f"sharded search: {len(entries)} sections, {len(shards.index['vocabulary'])} terms, "
             f"{len(shards.terms)} + {len(shards.docs)} files{' (scripts, offline)' if offline else ''}, "
             f"{written / 2**20:.1f} MB, {time.perf_counter() - start:.2f} s ({len(missing)} sections tokenized here)")
