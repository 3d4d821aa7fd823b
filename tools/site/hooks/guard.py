"""A build that fails says where in one line, ends at once, and ``--strict``
stays strict under ``-q`` and ``-v``.

- **Strict at every log level.** ``mkdocs build -q`` sets the ``mkdocs``
  logger to ERROR, so a warning is dropped before any handler sees it and
  MkDocs' strict-mode counter counts nothing (mkdocs#4126): a broken link, an
  unknown ``[@key]`` or bad TeX built with exit status 0. Here the logger is
  put back to WARNING and ``-q``'s level moves to the terminal's handler, so
  every warning is counted; in strict mode the terminal shows warnings too,
  since they are what fails the build. ``-v`` (DEBUG) made MkDocs skip the
  validation of links to anchors (``Page.render`` keeps them only above
  DEBUG, mkdocs#3991); here that test sees at least INFO. As a second line
  of defence this hook counts warnings itself and fails a strict build that
  MkDocs' counter would have let through, naming the first.
- **Non-UTF-8 notes** fail the build before any hook reads them:
  ``docs/papers/x.md:3: not UTF-8 at byte 14 (0xe9); save it as UTF-8``.
- **Errors say where.** An error in any plugin's or hook's event gets the
  page it was working on (and the line, when the message names something in
  quotes that the page's source contains). An exception that is not a
  ``BuildError`` (a bug, a missing ``--8<--`` snippet) ends ``mkdocs build``
  with that one line instead of a traceback, which ``-v`` still shows.
- **Nothing waits on a worker**: on a build error and at shutdown every
  worker process is stopped (``tools/site/hooks/workers.py``).

First in the ``hooks:`` list, and its events run first or last (priorities
+-1000) whatever the other plugins ask for.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from collections import Counter
from pathlib import Path

import mkdocs.commands.build as mkdocs_build
import mkdocs.structure.pages as pages_module
from mkdocs.exceptions import Abort, BuildError, PluginError
from mkdocs.plugins import CombinedEvent, PluginCollection, event_priority
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.site.hooks import workers  # noqa: E402

log = logging.getLogger("mkdocs.hooks.guard")
STREAM = "MkDocsStreamHandler"  # the name MkDocs gives the handler that prints to the terminal
QUOTED = re.compile(r"(?<![A-Za-z])'([^'\n]+)'(?![A-Za-z])|\"([^\"\n]+)\"")


# -- strict at every log level -------------------------------------------------


class WarningCount(logging.Handler):
    """Counts the records at WARNING and above; keeps the first one's text."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reset()

    def reset(self) -> None:
        self.counts: Counter[int] = Counter()
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelno] += 1
        if self.first is None:
            self.first = record.getMessage().strip().splitlines()[0] if record.getMessage().strip() else ""

    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """As MkDocs says it: "1 errors, 3 warnings"."""
        return ", ".join(f"{n} {logging.getLevelName(level).lower()}s" for level, n in sorted(self.counts.items(), reverse=True))


class _AnchorsAtAnyLevel(logging.LoggerAdapter):
    """mkdocs.structure.pages' logger, except that the level it reports is at
    least INFO: Page.render keeps a page's links to anchors (for their
    validation) only when that level is above DEBUG."""

    def getEffectiveLevel(self) -> int:
        return max(self.logger.getEffectiveLevel(), logging.INFO)

    def process(self, msg, kwargs):
        return msg, kwargs


_counter = WarningCount()
_command: str | None = None
_quiet_level: int | None = None  # the level -q asked for, now the terminal handler's
_config = None


def _stream_handlers(logger: logging.Logger) -> list[logging.Handler]:
    return [h for h in logger.handlers if h.name == STREAM]


def keep_counting() -> None:
    """Let every warning reach the ``mkdocs`` logger's handlers: a level above
    WARNING (``-q``) moves from the logger to the terminal's handler."""
    global _quiet_level
    logger = logging.getLogger("mkdocs")
    if logger.getEffectiveLevel() > logging.WARNING:
        _quiet_level = logger.getEffectiveLevel()
        for handler in _stream_handlers(logger):
            handler.setLevel(max(handler.level, _quiet_level))
        logger.setLevel(logging.WARNING)
    if _counter not in logger.handlers:
        logger.addHandler(_counter)
    if not isinstance(pages_module.log, logging.LoggerAdapter):
        pages_module.log = _AnchorsAtAnyLevel(pages_module.log, None)


@event_priority(1000)
def on_startup(command: str, dirty: bool, **kwargs) -> None:
    global _command
    _command = command
    keep_counting()


@event_priority(1000)
def on_config(config, **kwargs):
    global _config
    _config = config
    keep_counting()
    _counter.reset()  # one build's warnings (mkdocs serve builds again)
    if config.strict and _quiet_level is not None:
        # Under -q a strict build still shows its warnings: they fail it.
        for handler in _stream_handlers(logging.getLogger("mkdocs")):
            handler.setLevel(logging.WARNING)
    return config


@event_priority(1000)
def on_pre_build(config, **kwargs) -> None:
    keep_counting()


@event_priority(-1000)  # after every other plugin's on_post_build, whose warnings count too
def on_post_build(config, **kwargs) -> None:
    if not config.strict or not _counter.total():
        return
    theirs = [h for h in logging.getLogger("mkdocs").handlers if isinstance(h, CountHandler)]
    if theirs and sum(n for _, n in theirs[0].get_counts()) >= _counter.total():
        return  # MkDocs aborts the build itself, with the same count
    raise Abort(f"Aborted with {_counter.summary()} in strict mode! The first: {_counter.first}")


# -- notes that are not UTF-8 ------------------------------------------------


def project_path(file: File, config=None) -> str:
    """The file's path from the project's root (docs/papers/x.md), else from docs/."""
    config = config or _config
    if file.abs_src_path and config is not None and config.config_file_path:
        root = Path(config.config_file_path).resolve().parent
        source = Path(file.abs_src_path).resolve()
        if source.is_relative_to(root):
            return source.relative_to(root).as_posix()
    return f"docs/{file.src_uri}"


def not_utf8(data: bytes) -> tuple[int, int, int] | None:
    """(byte offset, the byte, line) of the first byte that is not UTF-8, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start, data[exc.start], data.count(b"\n", 0, exc.start) + 1
    return None


@event_priority(1000)  # before any plugin or hook reads a page (papers.py, the blog plugin)
def on_files(files, config, **kwargs):
    for file in files.documentation_pages():
        if not file.abs_src_path or not os.path.isfile(file.abs_src_path):
            continue
        found = not_utf8(Path(file.abs_src_path).read_bytes())
        if found:
            offset, byte, line = found
            raise PluginError(f"{project_path(file, config)}:{line}: not UTF-8 at byte {offset} (0x{byte:02x}); "
                              "save it as UTF-8")
    return files


# -- errors that say where -----------------------------------------------------


def line_in(source: str, message: str) -> int | None:
    """The first line of ``source`` holding a name the message quotes."""
    for match in QUOTED.finditer(message):
        name = (match[1] or match[2]).strip()
        if not name:
            continue
        for number, text in enumerate(source.splitlines(), 1):
            if name in text:
                return number
    return None


_BUILD_CODE = mkdocs_build.build.__code__


def owner_of(plugins: PluginCollection, method) -> str | None:
    """The name of the plugin or hook whose event ``method`` is, found as
    MkDocs registers events: each ``on_*`` attribute of each item of the
    collection (a CombinedEvent's methods one by one)."""
    for name, plugin in plugins.items():
        for attribute in dir(plugin):
            if not attribute.startswith("on_"):
                continue
            event = getattr(plugin, attribute, None)
            if callable(event) and any(one == method for one in (event.methods if isinstance(event, CombinedEvent) else (event,))):
                return name
    return None


def locate(error: BaseException) -> tuple[str | None, str | None]:
    """(where: the page, with its line when found; which plugin's event) for
    an exception, from the frames it went through, innermost first."""
    file = origin = None
    for frame, _ in reversed(list(traceback.walk_tb(error.__traceback__))):
        names = frame.f_locals
        # MkDocs' build() keeps the last page of its loops in ``file``: an error after
        # them (on_env, on_post_build) is not that page's.
        if file is None and frame.f_code is not _BUILD_CODE:
            page, candidate = names.get("page"), names.get("file")
            if isinstance(page, Page) and isinstance(page.file, File):
                file = page.file
            elif isinstance(candidate, File) and candidate.is_documentation_page():
                file = candidate
        if origin is None and frame.f_code.co_name == "run_event" and isinstance(names.get("self"), PluginCollection):
            plugin = owner_of(names["self"], names.get("method"))
            origin = f"on_{names.get('name')} of {plugin}" if plugin else None
    if file is None:
        return None, origin
    where = project_path(file)
    try:
        line = line_in(file.content_string, str(error)) if file.abs_src_path else None
    except (OSError, UnicodeDecodeError):
        line = None
    return where + (f":{line}" if line else ""), origin


def one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).strip().splitlines() if part.strip())


@event_priority(-1000)  # after every other plugin's on_build_error
def on_build_error(error, **kwargs) -> None:
    workers.stop_all()
    if isinstance(error, Abort):
        return
    where, origin = locate(error)
    if isinstance(error, BuildError):
        # MkDocs logs the message next, then "Aborted with a BuildError!".
        if where and where.split(":")[0] not in error.message:
            error.message = f"{where}: {error.message}"
        return
    if _command != "build":
        return  # mkdocs serve shows the traceback and keeps serving
    log.debug("".join(traceback.format_exception(error)))
    log.error((f"{where}: " if where else "") + f"{type(error).__name__}: {one_line(error)}"
              + (f" (in {origin})" if origin else ""))
    raise Abort("Aborted with an error! (mkdocs build -v shows its traceback)") from None


def on_shutdown(**kwargs) -> None:
    workers.stop_all()
    logging.getLogger("mkdocs").removeHandler(_counter)
