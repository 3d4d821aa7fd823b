"""Markdown to HTML on the second core: part of the pages are converted ahead.

Converting Markdown to HTML is the largest part of a build, and MkDocs does
it page after page on one core. On ``mkdocs build`` this hook starts a worker
process once the navigation is known; the worker converts a share of the
pages (of the pages it may convert, every one whose position modulo
``STRIDE`` is in ``SHARE``), in the order the build will reach them, running
the same events the build runs first (``on_pre_page``, reading the source,
``on_page_markdown``) and then MkDocs' own ``Page.render``, a new Markdown
instance per page as MkDocs makes. When the build reaches one of those pages
it runs the same events itself and, if the Markdown it got is byte for byte
what the worker converted, takes what the worker's ``Page.render`` left on
the page (``content``, ``toc``, ``title``, ``present_anchor_ids``,
``links_to_anchors``: public attributes) instead of converting again;
warnings the worker's conversion logged (a broken link, say) are logged by
the build then, so ``--strict`` counts them. Anything else (a page the worker
could not convert, Markdown that differs) is converted by the build with
MkDocs' ``Page.render``, and so is every page the worker has not sent when it
fails, is killed or sends nothing for a minute (workers.py): the build says
so in one line and goes on.

The worker may convert plain Markdown pages that MkDocs' own ``Page.render``
converts, except the blog's posts and listings: a listing is converted by
Material, and a post's excerpt asks whether ``Page.render`` found the post's
title in its Markdown, which only ``Page.render`` itself records. MkDocs also
tells a ``!relative`` option of a Markdown extension which page is converted
by a private attribute of the configuration; the worker does not set it, so
such an option fails in the worker and the build converts the page itself.

``mkdocs serve`` and one-core machines convert every page in the build
process, and so do systems other than Linux unless ``PAPERNOTES_PRERENDER=1``
(on macOS a forked process can crash in system libraries).
``PAPERNOTES_PRERENDER=0`` leaves MkDocs' own ``Page.render`` alone.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import sys
import traceback
from pathlib import Path

from material.plugins.blog.structure import Post, View
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

# MkDocs puts only this folder on sys.path while loading a hook; the
# checkout's root holds the shared tools.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.site.hooks.workers import Worker, WorkerGone, forking_enabled  # noqa: E402

ENV = "PAPERNOTES_PRERENDER"
STRIDE, SHARE = 5, (1, 2, 3)  # the worker converts 3 pages in 5; the build has the rest of the work

# MkDocs' own method, kept on the class so that loading this hook again
# (mkdocs serve reloads the configuration) wraps the original.
if not hasattr(Page, "render_here"):
    Page.render_here = Page.render


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# What the worker sends back for a page: a dict of plain values (classes
# defined in a hook file cannot be pickled: the hook is not an importable module).
#   src_uri, digest, content, toc, title, anchors,
#   links: {src_uri of the linked file: {anchor: link}} or None (Page.render
#     collects them only above DEBUG, mkdocs#3991),
#   records: the log records of the conversion.


class _Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


def _convert(page: Page, config, files) -> dict:
    page = config.plugins.on_pre_page(page, config=config, files=files)
    page.read_source(config)
    page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
    page.render_here(config, files)
    links = None
    if page.links_to_anchors is not None:
        links = {file.src_uri: anchors for file, anchors in page.links_to_anchors.items()}
    return {"src_uri": page.file.src_uri, "digest": digest(page.markdown), "content": page.content, "toc": page.toc,
            "title": page.title, "anchors": set(page.present_anchor_ids or ()), "links": links}


def _work(pages: list[Page], config, files, outbox) -> None:
    """Worker: convert each page, send it (pickled) in order; None ends."""
    logger = logging.getLogger("mkdocs")
    keep = _Keep()
    logger.handlers = [keep]  # this process only: records go back to the build, which logs them
    logger.propagate = False
    try:
        for page in pages:
            keep.records = []
            try:
                rendered = _convert(page, config, files)
                rendered["records"] = keep.records
                outbox.put(pickle.dumps(rendered, protocol=pickle.HIGHEST_PROTOCOL))
            except Exception:  # the build converts this page itself, and reports what goes wrong
                outbox.put(pickle.dumps(page.file.src_uri))
        outbox.put(None)
    except BaseException:
        outbox.put(pickle.dumps(("error", traceback.format_exc())))


class Prerender:
    """The worker, and the pages it has sent back. Whatever becomes of the
    worker (an error, killed, stuck), the build converts the pages it has not
    sent itself: the worker only saves time."""

    def __init__(self, pages: list[Page], config, files):
        self.files = files
        self.expected = {page.file.src_uri for page in pages}
        self.ready: dict[str, dict | None] = {}
        self.used = 0
        self.worker = Worker("papernotes-prerender", _work, (pages, config, files))
        self.finished = False

    def _give_up(self, why: str) -> None:
        log.info(f"prerender: the worker {why}; the build converts the remaining pages itself")
        self.finished = True
        self.worker.stop()

    def take(self, src_uri: str) -> dict | None:
        """The worker's conversion of a page (waiting for it), or None."""
        if src_uri not in self.expected:
            return None
        while src_uri not in self.ready and not self.finished:
            try:
                item = self.worker.receive()
            except WorkerGone as gone:
                self._give_up(str(gone))
                break
            if item is None:
                self.finished = True
                self.worker.stop()
                break
            value = pickle.loads(item)
            if isinstance(value, tuple):
                last = value[1].strip().splitlines()[-1] if value[1].strip() else "an error"
                log.debug("prerender worker failed:\n" + value[1])
                self._give_up(f"failed ({last})")
                break
            if isinstance(value, str):  # the worker could not convert it
                self.ready[value] = None
            else:
                self.ready[value["src_uri"]] = value
        self.expected.discard(src_uri)
        return self.ready.pop(src_uri, None)

    def stop(self) -> None:
        self.worker.stop()


_command: str | None = None
_active: Prerender | None = None
log = logging.getLogger("mkdocs.hooks.prerender")


def render(self: Page, config, files) -> None:
    """Page.render, taking the worker's conversion when it matches."""
    rendered = _active.take(self.file.src_uri) if _active is not None else None
    if rendered is None or self.markdown is None or rendered["digest"] != digest(self.markdown):
        self.render_here(config, files)
        return
    _active.used += 1
    self.content = rendered["content"]
    self.toc = rendered["toc"]
    if "title" not in self.meta:  # a title in the metadata stays the property's to read
        self.title = rendered["title"]
    self.present_anchor_ids = rendered["anchors"]
    if rendered["links"] is not None:
        self.links_to_anchors = {files.get_file_from_path(uri): anchors for uri, anchors in rendered["links"].items()}
    for record in rendered["records"]:
        logging.getLogger(record.name).handle(record)


Page.render = render


def on_startup(command: str, dirty: bool, **kwargs) -> None:
    global _command
    _command = command


def enabled() -> bool:
    """Whether this build forks the worker (workers.forking_enabled, switch ENV)."""
    return forking_enabled(ENV, _command)


def _convertible(page) -> bool:
    """Plain Markdown pages whose conversion is MkDocs' own (not notebooks, not
    the blog's posts or listings)."""
    return (page is not None and page.file.src_uri.endswith(".md") and "render" not in vars(page)
            and type(page).render is Page.render and not isinstance(page, (Post, View)))


@event_priority(-100)  # the navigation as every other plugin left it
def on_nav(nav, config, files, **kwargs):
    global _active
    stop()
    if not enabled():
        return nav
    pages = [page for page in (file.page for file in files.documentation_pages()) if _convertible(page)]
    share = [page for i, page in enumerate(pages) if i % STRIDE in SHARE]
    if share:
        _active = Prerender(share, config, files)
    return nav


def stop(*args, **kwargs) -> None:
    global _active
    if _active is not None:
        _active.stop()
        _active = None


def on_env(env, config, files, **kwargs):
    if _active is not None:
        log.info(f"prerender: {_active.used} of {len(files.documentation_pages())} pages converted by the worker")
    stop()  # every page is converted by now
    return env


on_build_error = stop
