"""Search that answers at once however large the log grows.

On ``mkdocs build`` this hook replaces what Material's search sends to the
browser: instead of ``search/search_index.json`` with every section of every
page, which the browser turns into a Lunr index before the first result
(about 10 s at 2,000 notes), it writes the index already computed and cut into
small files (``tools/site/search_shards.py``), and points every page at a worker
that fetches only the files a query needs
(``docs/assets/javascripts/workers/papernotes-search.js``). Results and their
order stay Material's: the worker scores with Lunr, on the same weights.

``mkdocs serve``, the offline build and ``PAPERNOTES_SEARCH_SHARDS=0`` keep
Material's index and worker (``search_shards.enabled``).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import time
from pathlib import Path

from jinja2 import pass_context
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.site import search_shards  # noqa: E402

log = logging.getLogger("mkdocs.hooks.sharded_search")

# The worker Material's pages load: assets/javascripts/workers/search.<hash>.min.js
MATERIAL_WORKER = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")

_command: str | None = None
_active = False
_replaced = 0  # pages whose worker was switched


def on_startup(command: str, dirty: bool, **kwargs) -> None:
    global _command
    _command = command


def on_config(config, **kwargs):
    global _active, _replaced
    plugin = search_shards.search_plugin(config)
    _active = plugin is not None and search_shards.enabled(config, _command)
    _replaced = 0
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
    boosts = {name: float(spec.get("boost", 1)) for name, spec in plugin.config.fields.items()}
    shards = search_shards.build(entries, counts, boosts, plugin.config.separator)
    site = Path(config.site_dir)
    written = shards.write(site / "search" / "shards")
    shutil.copyfile(search_shards.lunr_js(), site / Path(search_shards.WORKER).parent / "lunr.js")
    # Material's page script still fetches this file and hands its config to the worker.
    config_only = {key: plugin.config[key] for key in ("lang", "separator", "pipeline", "fields")}
    (site / "search" / "search_index.json").write_text(
        json.dumps({"config": config_only, "docs": []}, separators=(",", ":")), encoding="utf-8")
    log.info(f"sharded search: {len(entries)} sections, {len(shards.index['vocabulary'])} terms, "
             f"{len(shards.terms)} + {len(shards.docs)} files, {written / 2**20:.1f} MB, "
             f"{time.perf_counter() - start:.2f} s ({len(missing)} sections tokenized here)")
