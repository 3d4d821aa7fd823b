"""Markdown to HTML on the second core: part of the pages are converted ahead.

Converting Markdown to HTML is the largest part of a build, and MkDocs does
it page after page on one core. On ``mkdocs build`` this hook starts a worker
process once the navigation is known; the worker converts a share of the
pages (every page whose position modulo ``STRIDE`` is in ``SHARE``), in the
order the build will reach them, running the same events the build runs
first (``on_pre_page``, reading the source, ``on_page_markdown``) and then
MkDocs' own ``Page.render``. When the build reaches one of those pages it runs
the same events itself and, if the Markdown it got is byte for byte what the
worker converted, takes the worker's HTML, table of contents and anchors
instead of converting again; warnings the worker's conversion logged (a
broken link, say) are logged by the build then, so ``--strict`` counts them.
Anything else (a page the worker could not convert, Markdown that differs)
is converted by the build as usual, and so is every page the worker has not
sent when it fails, is killed or sends nothing for a minute (workers.py): the
build says so in one line and goes on.

Both processes convert with one Python-Markdown instance each, reset
between pages (``Markdown.reset``, which is how Python-Markdown is meant to
be reused), rather than a new instance per page: setting up the ~25
extensions took 3 to 5 ms a page.

``mkdocs serve`` and one-core machines convert every page in the build
process, and so do systems other than Linux unless ``PAPERNOTES_PRERENDER=1``
(on macOS a forked process can crash in system libraries). ``PAPERNOTES_PRERENDER=0`` leaves MkDocs'
own ``Page.render`` alone: one process, a new Markdown instance per page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import traceback
from pathlib import Path

import markdown
import mkdocs.structure.pages as pages_module
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

try:  # what Page.render registers on its Markdown instance
    from mkdocs.structure.pages import (
        _ExtractAnchorsTreeprocessor,
        _ExtractTitleTreeprocessor,
        _RawHTMLPreprocessor,
        _RelativePathTreeprocessor,
    )
except ImportError:  # another MkDocs: its own render, a new instance per page
    _RawHTMLPreprocessor = None

from material.plugins.blog.structure import View

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


def _anchors_collected() -> bool:
    """Page.render's own test of whether to keep the links to anchors, for
    the anchors' validation (MkDocs skips it under DEBUG, mkdocs#3991;
    guard.py makes the test pass at every level)."""
    return pages_module.log.getEffectiveLevel() > logging.DEBUG


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


_instance: list = [None, None]  # this process's (configuration, Markdown instance)


def convert(page: Page, config, files) -> None:
    """What Page.render does, with this process's Markdown instance reset
    instead of a new one."""
    if _RawHTMLPreprocessor is None:
        page.render_here(config, files)
        return
    if page.markdown is None:
        raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
    owner, md = _instance
    if owner is not config:  # a new build's configuration (mkdocs serve reloads it): a new instance
        md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {})
        _instance[:] = [config, md]
    else:
        md.reset()
    # Registered under fixed names: each page's replace the previous page's.
    raw_html = _RawHTMLPreprocessor()
    raw_html._register(md)
    anchors = _ExtractAnchorsTreeprocessor(page.file, files, config)
    anchors._register(md)
    links = _RelativePathTreeprocessor(page.file, files, config)
    links._register(md)
    title = _ExtractTitleTreeprocessor()
    title._register(md)
    page.content = md.convert(page.markdown)
    page.toc = get_toc(getattr(md, "toc_tokens", []))
    page._title_from_render = title.title
    page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
    if _anchors_collected():
        page.links_to_anchors = links.links_to_anchors


# What the worker sends back for a page: a dict of plain values (classes
# defined in a hook file cannot be pickled: the hook is not an importable module).
#   src_uri, digest, content, toc, title, anchors,
#   links: {src_uri of the linked file: {anchor: link}} or None,
#   records: the log records of the conversion.


class _Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


def _convert(page: Page, config, files) -> dict:
    config._current_page = page
    try:
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
        convert(page, config, files)
    finally:
        config._current_page = None
    links = None
    if page.links_to_anchors is not None:
        links = {file.src_uri: anchors for file, anchors in page.links_to_anchors.items()}
    return {"src_uri": page.file.src_uri, "digest": digest(page.markdown), "content": page.content, "toc": page.toc,
            "title": page._title_from_render, "anchors": set(page.present_anchor_ids or ()), "links": links}


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
    if os.environ.get(ENV, "1") == "0":
        self.render_here(config, files)
        return
    rendered = _active.take(self.file.src_uri) if _active is not None else None
    if rendered is None or self.markdown is None or rendered["digest"] != digest(self.markdown):
        convert(self, config, files)
        return
    _active.used += 1
    self.content = rendered["content"]
    self.toc = rendered["toc"]
    self._title_from_render = rendered["title"]
    self.present_anchor_ids = rendered["anchors"]
    if _anchors_collected() and rendered["links"] is not None:
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
    """Plain Markdown pages whose conversion is MkDocs' own (not notebooks, not blog listings)."""
    return (page is not None and page.file.src_uri.endswith(".md") and "render" not in vars(page)
            and type(page).render is Page.render and not isinstance(page, View))


@event_priority(-100)  # the navigation as every other plugin left it
def on_nav(nav, config, files, **kwargs):
    global _active
    stop()
    if not enabled():
        return nav
    pages = [file.page for file in files.documentation_pages()]
    share = [page for i, page in enumerate(pages) if i % STRIDE in SHARE and _convertible(page)]
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
