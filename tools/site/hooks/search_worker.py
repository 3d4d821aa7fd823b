"""Search indexing on the second core, while the build goes on.

Material's search plugin indexes a page when the page reaches its template:
it parses the page's HTML into sections and segments the Chinese text with
jieba, about 40% of a build's time, on the build's one core. On
``mkdocs build`` this hook hands that work to a worker process instead: each
page is sent to the worker as soon as its HTML is final (the last
``on_page_content``), so the worker indexes it while the build converts the
next pages, and the index is put together in page order before the search
plugin writes it.

The worker runs the search plugin's own code (``SearchIndex``) with the
plugin's configuration, so the index is the same one a serial build writes.
A page whose HTML, table of contents, title or front matter changed after it
was sent is indexed again in the build process. ``mkdocs serve`` (which
rebuilds one page at a time) and machines with one core index in the build
process, as does ``PAPERNOTES_SEARCH_WORKER=0``; systems other than Linux do
too unless ``PAPERNOTES_SEARCH_WORKER=1``. A worker that is killed or stuck
leaves the pages it has not indexed to the build process; an error in it
fails the build, naming the page.
"""

from __future__ import annotations

import logging
import pickle
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from material.plugins.search.plugin import SearchIndex

# MkDocs puts only this folder on sys.path while loading a hook; the
# checkout's root holds the shared tools.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.site import search_shards  # noqa: E402
from tools.site.hooks.workers import Worker, WorkerGone, forking_enabled  # noqa: E402

ENV = "PAPERNOTES_SEARCH_WORKER"
log = logging.getLogger("mkdocs.hooks.search_worker")


def _fields(page) -> SimpleNamespace:
    """What SearchIndex reads from a page."""
    return SimpleNamespace(url=page.url, title=page.title, content=page.content, toc=page.toc, meta=page.meta)


def _work(config: dict, tokenizer, inbox, outbox) -> None:
    """Worker: index each page received, send back its entries (and their
    term counts, for the sharded index); None ends."""
    seq = None
    try:
        while (item := inbox.get()) is not None:
            seq, payload = item
            fields = pickle.loads(payload)
            index = SearchIndex(**config)
            index.add_entry_from_context(fields)
            counts = [tokenizer.counts(entry) for entry in index.entries] if tokenizer else None
            outbox.put((seq, index.entries, counts))
        outbox.put(None)
    except BaseException:  # reported by the build process, which stops the build
        outbox.put(("error", seq, traceback.format_exc()))


@dataclass
class Sent:
    """A page handed to the worker, and what it looked like then."""

    seq: int
    src_uri: str
    url: str
    content: str
    toc: object
    title: str
    meta: dict = field(default_factory=dict)

    def unchanged(self, page) -> bool:
        return (page.content is self.content and page.toc is self.toc and page.title == self.title
                and page.meta == self.meta)


class WorkerIndex(SearchIndex):
    """Material's SearchIndex whose pages are indexed in a worker process.

    A worker that stops (killed) or gets stuck before it has sent every page
    leaves the rest to the build process, which indexes them from what it
    sent (the same index); an error in the worker fails the build, naming
    the page."""

    def __init__(self, tokenizer=None, **config):
        super().__init__(**config)
        self._worker = Worker("papernotes-search", _work, (config, tokenizer), inbox=True)
        self._count = 0
        self._sent: dict[str, Sent] = {}  # by page URL
        self._order: list = []  # per indexed page: a worker seq, or the entries made here
        self.counts: list | None = None  # per entry: its term counts per field, or None (after collect)

    def send(self, page) -> None:
        seq = self._count
        try:
            payload = pickle.dumps(_fields(page), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something in the front matter that does not pickle: index it here
            return
        self._count += 1
        self._sent[page.url] = Sent(seq, page.file.src_uri, page.url, page.content, page.toc, page.title,
                                    dict(page.meta))
        self._worker.inbox.put((seq, payload))

    def add_entry_from_context(self, page) -> None:
        sent = self._sent.get(page.url)
        if sent is not None and sent.unchanged(page):
            self._order.append(sent.seq)
            return
        local = SearchIndex(**self.config)
        local.add_entry_from_context(page)
        self._order.append(local.entries)

    def collect(self) -> None:
        """Wait for the worker's entries and lay every page's out in order."""
        self._worker.inbox.put(None)
        done: dict[int, list] = {}
        while True:
            try:
                item = self._worker.receive()
            except WorkerGone as gone:
                log.info(f"search worker {gone} after indexing {len(done)} of {len(self._sent)} pages; "
                         "the build indexes the rest itself")
                break
            if item is None:
                break
            if item[0] == "error":
                _, seq, text = item
                page = next((sent.src_uri for sent in self._sent.values() if sent.seq == seq), None)
                last = text.strip().splitlines()[-1] if text.strip() else "an error"
                log.debug("search worker failed:\n" + text)
                self.stop()
                raise PluginError((f"docs/{page}: " if page else "") + f"search worker failed: {last}")
            done[item[0]] = item[1:]
        self.stop()
        by_seq = {sent.seq: sent for sent in self._sent.values()}
        self.entries, self.counts = [], []
        for part in self._order:
            if isinstance(part, int) and part not in done:  # the worker stopped before this page
                local = SearchIndex(**self.config)
                local.add_entry_from_context(_fields(by_seq[part]))
                part = local.entries
            entries, counts = done[part] if isinstance(part, int) else (part, None)
            self.entries += entries
            self.counts += counts or [None] * len(entries)

    def generate_search_index(self, prev):
        self.collect()
        return super().generate_search_index(prev)

    def stop(self) -> None:
        self._worker.stop()


_command: str | None = None
_active: WorkerIndex | None = None  # the index of the build under way


def on_startup(command: str, dirty: bool, **kwargs) -> None:
    global _command
    _command = command


def enabled() -> bool:
    """Whether this build forks the worker (workers.forking_enabled, switch ENV)."""
    return forking_enabled(ENV, _command)


def on_pre_build(config, **kwargs) -> None:
    global _active
    plugin = search_shards.search_plugin(config)
    if plugin is None or not enabled():
        return
    # Forked after the search plugin's on_config: the worker has jieba and
    # its user dictionary loaded already. It also counts the terms of each
    # section when the build writes the sharded index (sharded_search.py).
    tokenizer = search_shards.tokenizer(plugin.config) if search_shards.enabled(config, _command) else None
    _active = plugin.search_index = WorkerIndex(tokenizer=tokenizer, **plugin.config)


@event_priority(-100)  # after every other on_page_content: the HTML the template will get
def on_page_content(html: str, page, config, files, **kwargs) -> str:
    plugin = search_shards.search_plugin(config)
    if plugin is not None and isinstance(plugin.search_index, WorkerIndex):
        page.content = html
        plugin.search_index.send(page)
    return html


def on_build_error(error, **kwargs) -> None:
    if _active is not None:
        _active.stop()
