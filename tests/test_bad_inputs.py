"""Every bad input is located and harmless: one table, one row per bad input.

Each row runs a command (tools/new_week, tools/new_paper, tools/import_post,
tools/extract, or a site hook that reads the log) on a small log written into a temporary
folder (tests/test_new_week.py's make_tree: mkdocs.yml, .authors.yml,
references.bib, three paper notes, last week's report), after the row's own
set-up, and checks that

- stderr is exactly one line, and it matches the row's message (a regular
  expression; "{in}" stands for the folder of the row's input files),
- stdout is empty and the exit status is the row's (non-zero),
- nothing changed: every file and folder under the temporary folder, the
  log and the input files alike, is as it was (same bytes, nothing added:
  no temporary file, no new folder).

Most rows call the command's main() in this process; rows with
``subprocess=True`` run the tools/<name> wrapper on a copy of the tools.

To add rows for another command: write a runner
``def run_<name>(case, root, inputs, capsys) -> Outcome`` next to the
others (``_main`` turns a main() into an Outcome), register it in RUNNERS
under the command's name, list the command in PROGRAMS if its messages start
with "<name>: ", and add its list of rows to CASES.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.test_new_week import LAST_WEEK, MKDOCS_YML, REFERENCES_BIB, copy_tools, make_tree, script_env
from tools import import_post, new_paper, new_week
from tools.log import bib, papers
from tools.log.cli import Terminated

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 25)  # a Wednesday: new_week writes docs/weekly/posts/2026-11-23.md
REPORT = "docs/weekly/posts/2026-11-23.md"

VIT = """\
@inproceedings{dosovitskiy2021vit,
  author    = {Dosovitskiy, Alexey and Beyer, Lucas and Kolesnikov, Alexander},
  title     = {An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale},
  booktitle = {ICLR},
  year      = {2021}
}
"""
WEEKLY_POST = "---\ntitle: 周报\ndate: 2022-05-10\nauthor: lin\n---\n\n本周读了 ViT。\n\n## 下周计划\n\n- [ ] 读 MAE\n"
RESNET_POST = "---\ntitle: ResNet\ndate: 2021-11-03\n---\n\nResNet learns residuals.\n"


# -- the table ---------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    command: str  # a key of RUNNERS
    argv: tuple[str, ...]  # "{in}" is the folder of the row's input files
    message: str  # regular expression for stderr's one line, after "<command>: "
    setup: tuple[Callable[[Path, Path], object], ...] = ()  # each called with (root, inputs)
    code: int = 1
    stdin: str | bytes | None = None
    patches: tuple[tuple[str, object], ...] = ()  # monkeypatch.setattr(target, value), during the run only
    subprocess: bool = False


def put(path: str, content: str | bytes):
    """Set-up: write a file of the log (relative to its root)."""
    def step(root: Path, inputs: Path):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return step


def given(name: str, content: str | bytes):
    """Set-up: write an input file (a post, a .bib) outside the log, in {in}."""
    def step(root: Path, inputs: Path):
        target = inputs / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return step


def folder(path: str):
    """Set-up: a folder where a file is expected (path relative to {in} when it starts with '{in}/')."""
    def step(root: Path, inputs: Path):
        (inputs / path[5:] if path.startswith("{in}/") else root / path).mkdir(parents=True, exist_ok=True)
    return step


def remove(path: str):
    """Set-up: remove a file or folder of the log."""
    def step(root: Path, inputs: Path):
        target = root / path
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return step


def append(path: str, text: str):
    def step(root: Path, inputs: Path):
        target = root / path
        target.write_bytes(target.read_bytes() + text.encode("utf-8"))
    return step


def fails(exception: BaseException):
    """A replacement function that raises exception (an OSError, KeyboardInterrupt)."""
    def replacement(*args, **kwargs):
        raise exception
    return replacement


def fails_for(original: Callable, name: str, exception: BaseException):
    """A replacement for a Path method that raises exception for files called name only."""
    def replacement(self, *args, **kwargs):
        if self.name == name:
            raise exception
        return original(self, *args, **kwargs)
    return replacement


def refuses_temporary_for(name: str, exception: BaseException):
    """tempfile.mkstemp, except for the temporary file of name: the folder refuses that one."""
    original = tempfile.mkstemp

    def replacement(*args, **kwargs):
        if kwargs.get("prefix", "").startswith(f".{name}."):
            raise exception
        return original(*args, **kwargs)
    return replacement


def interrupt_after(original: Callable, calls: int = 1):
    """original, except that Ctrl-C comes once it has been called calls times (mid-work)."""
    count = [0]

    def replacement(*args, **kwargs):
        result = original(*args, **kwargs)
        count[0] += 1
        if count[0] >= calls:
            raise KeyboardInterrupt
        return result
    return replacement


def denied(name: str = "x"):
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)


def disk_full():
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def entry(key: str = "x2026", **fields: str) -> str:
    """One BibTeX entry; a field given as '=value' is written bare (a macro), others in braces."""
    fields = {"title": "A Title", "year": "2026", **fields}
    body = ",\n".join(f"  {name} = {value[1:] if value.startswith('=') else '{' + value + '}'}"
                      for name, value in fields.items())
    return f"@article{{{key},\n{body}\n}}\n"


def report(date: str = "2026-11-09", extra: str = "", body: str = "\nx\n") -> str:
    return f"---\ndate: {date}\n{extra}---\n{body}"


def note(extra: str, bib_key: str = "dosovitskiy2021vit") -> str:
    return f"---\nbib: {bib_key}\n{extra}---\n\n# ViT\n"


CTRL_C = "interrupted; nothing written"
WRITE = re.escape(REPORT) + ": cannot write: "

NEW_WEEK_CASES = [
    # the command line
    Case("week-date-feb-30", "new_week", ("--date", "2026-02-30"),
         r"error: invalid date '2026-02-30': day is out of range for month", code=2),
    Case("week-date-month-13", "new_week", ("--date", "2026-13-01"),
         r"error: invalid date '2026-13-01': month must be in 1\.\.12", code=2),
    Case("week-date-year-0", "new_week", ("--date", "0000-01-01"),
         r"error: invalid date '0000-01-01': year 0 is out of range", code=2),
    Case("week-date-9999-12-31", "new_week", ("--date", "9999-12-31"),
         r"error: invalid date '9999-12-31': its week ends after 9999-12-31, the last day there is", code=2),
    Case("week-date-9999-12-27", "new_week", ("--date", "9999-12-27"),
         r"error: invalid date '9999-12-27': its week ends after 9999-12-31.*", code=2),
    Case("week-date-tomorrow", "new_week", ("--date", "tomorrow"),
         r"error: invalid date 'tomorrow': write it as YYYY-MM-DD", code=2),
    Case("week-date-one-digit", "new_week", ("--date", "2026-1-5"),
         r"error: invalid date '2026-1-5': write it as YYYY-MM-DD", code=2),
    Case("week-date-empty", "new_week", ("--date", ""), r"error: invalid date '': write it as YYYY-MM-DD", code=2),
    Case("week-date-fullwidth-digits", "new_week", ("--date", "２０２６-11-23"),
         r"error: invalid date '２０２６-11-23': write it as YYYY-MM-DD", code=2),
    Case("week-date-with-time", "new_week", ("--date", "2026-11-23T10:00"),
         r"error: invalid date '2026-11-23T10:00': write it as YYYY-MM-DD", code=2),
    Case("week-unknown-option", "new_week", ("--force",),
         r"error: unrecognized arguments: --force \(see new_week --help\)", code=2),
    Case("week-date-without-value", "new_week", ("--date",),
         r"error: argument --date: expected one argument \(see new_week --help\)", code=2),
    Case("week-unknown-author", "new_week", ("--author", "zhang"),
         r"docs/weekly/\.authors\.yml: unknown author 'zhang' \(known: lin, wang\)"),
    Case("week-empty-author", "new_week", ("--author", ""),
         r"docs/weekly/\.authors\.yml: unknown author '' \(known: lin, wang\)"),
    Case("week-author-with-escapes", "new_week", ("--author", "\x1b[2J\nlin"),
         r"docs/weekly/\.authors\.yml: unknown author '\\x1b\[2J\\nlin' \(known: lin, wang\)"),
    Case("week-unknown-category", "new_week", ("--category", "Cooking"),
         r"mkdocs\.yml: category 'Cooking' is not in the blog's categories_allowed \(CV, NLP, Tools\)"),
    Case("week-category-wrong-case", "new_week", ("--category", "cv"),
         r"mkdocs\.yml: category 'cv' is not in the blog's categories_allowed \(CV, NLP, Tools\)"),
    # the week already has its report
    Case("week-second-report", "new_week", (), r"docs/weekly/posts/2026-11-23\.md:2: the report for the week of "
         r"2026-11-23 already exists \(date: 2026-11-23\); not writing another", setup=(put(REPORT, report("2026-11-23")),)),
    Case("week-second-report-other-name", "new_week", (),
         r"docs/weekly/posts/2026/mine\.md:3: the report for the week of 2026-11-23 already exists "
         r"\(date: 2026-11-29\); not writing another",
         setup=(put("docs/weekly/posts/2026/mine.md", "---\ntitle: x\ndate: 2026-11-29 23:00:00\n---\n\nx\n"),)),
    Case("week-mondays-name-taken", "new_week", (), re.escape(REPORT) + r": already exists; not overwriting it",
         setup=(put(REPORT, report("2026-11-09")),)),
    # the reports it reads
    Case("week-report-bad-yaml", "new_week", (),
         r"docs/weekly/posts/x\.md:3: front matter is not valid YAML: while parsing a flow sequence, .*",
         setup=(put("docs/weekly/posts/x.md", report(extra="tags: [a, b\n")),)),
    Case("week-report-not-closed", "new_week", (),
         r"docs/weekly/posts/x\.md:1: front matter is not closed \(no second '---' line\)",
         setup=(put("docs/weekly/posts/x.md", "---\ndate: 2026-11-09\n\nx\n"),)),
    Case("week-report-no-date", "new_week", (),
         r"docs/weekly/posts/x\.md:1: a weekly report needs 'date' in its front matter",
         setup=(put("docs/weekly/posts/x.md", "---\ntitle: x\n---\n\nx\n"),)),
    Case("week-report-no-front-matter", "new_week", (),
         r"docs/weekly/posts/x\.md:1: a weekly report needs 'date' in its front matter",
         setup=(put("docs/weekly/posts/x.md", "# just text\n"),)),
    Case("week-report-empty-file", "new_week", (),
         r"docs/weekly/posts/x\.md:1: a weekly report needs 'date' in its front matter",
         setup=(put("docs/weekly/posts/x.md", ""),)),
    Case("week-report-date-feb-30", "new_week", (),
         r"docs/weekly/posts/x\.md:2: date: '2026-02-30' is not valid: day is out of range for month",
         setup=(put("docs/weekly/posts/x.md", report("2026-02-30")),)),
    Case("week-report-date-list", "new_week", (),
         r"docs/weekly/posts/x\.md:2: date must be a date YYYY-MM-DD, not a list",
         setup=(put("docs/weekly/posts/x.md", report("[2026-11-09]")),)),
    Case("week-report-date-text", "new_week", (),
         r"docs/weekly/posts/x\.md:2: date must be a date YYYY-MM-DD, not 'last monday'",
         setup=(put("docs/weekly/posts/x.md", report("last monday")),)),
    Case("week-report-date-twice", "new_week", (),
         r"docs/weekly/posts/x\.md:3: 'date' appears twice in the front matter",
         setup=(put("docs/weekly/posts/x.md", report(extra="date: 2026-11-10\n")),)),
    Case("week-report-tags-mapping", "new_week", (),
         r"docs/weekly/posts/x\.md:3: tags must be a list \(tags: \[a, b\]\), not a mapping",
         setup=(put("docs/weekly/posts/x.md", report(extra="tags:\n  cv: 1\n")),)),
    Case("week-report-tags-number", "new_week", (),
         r"docs/weekly/posts/x\.md:3: tags must be a list \(tags: \[a, b\]\), not a number \(5\)",
         setup=(put("docs/weekly/posts/x.md", report(extra="tags: 5\n")),)),
    Case("week-report-categories-string", "new_week", (),
         r"docs/weekly/posts/x\.md:3: categories must be a list \(categories: \[a, b\]\), not 'CV'",
         setup=(put("docs/weekly/posts/x.md", report(extra="categories: CV\n")),)),
    Case("week-report-authors-mapping", "new_week", (),
         r"docs/weekly/posts/x\.md:3: authors must be a list \(authors: \[a, b\]\), not a mapping",
         setup=(put("docs/weekly/posts/x.md", report(extra="authors: {lin: 1}\n")),)),
    Case("week-report-tags-holding-a-mapping", "new_week", (),
         r"docs/weekly/posts/x\.md:3: tags must be a list of names, not one holding a mapping",
         setup=(put("docs/weekly/posts/x.md", report(extra="tags: [a, {b: c}]\n")),)),
    Case("week-report-title-list", "new_week", (),
         r"docs/weekly/posts/x\.md:3: title must be text, not a list",
         setup=(put("docs/weekly/posts/x.md", report(extra="title: [a, b]\n")),)),
    Case("week-report-yaml-alias", "new_week", (),
         r"docs/weekly/posts/x\.md:4: front matter uses a YAML alias \(&name \.\.\. \*name\); write the value out",
         setup=(put("docs/weekly/posts/x.md", report(extra="tags: &t [a]\ncategories: *t\n")),)),
    Case("week-report-nested-too-deeply", "new_week", (),
         r"docs/weekly/posts/x\.md:2: front matter is nested too deeply",
         setup=(put("docs/weekly/posts/x.md", report(extra="tags: " + "[" * 5000 + "]" * 5000 + "\n")),)),
    Case("week-report-nul", "new_week", (), r"docs/weekly/posts/2026-11-16\.md:12:3: control character U\+0000; .*",
         setup=(put("docs/weekly/posts/2026-11-16.md", LAST_WEEK.replace("读完了 MoCo", "读完\x00了 MoCo")),)),
    Case("week-report-escape", "new_week", (), r"docs/weekly/posts/x\.md:3:8: control character U\+001B; .*",
         setup=(put("docs/weekly/posts/x.md", report(extra="title: \x1b[31mred\n")),)),
    Case("week-report-bell-in-item", "new_week", (), r"docs/weekly/posts/2026-11-16\.md:25:12: control character U\+0007; .*",
         setup=(put("docs/weekly/posts/2026-11-16.md", LAST_WEEK.replace("- [ ] 写 MAE 的笔记", "- [ ] 写 MAE\x07 的笔记")),)),
    Case("week-report-not-utf8", "new_week", (), r"docs/weekly/posts/x\.md: not UTF-8 \(byte 11\)",
         setup=(put("docs/weekly/posts/x.md", "---\ntitle: 周报\ndate: 2026-11-09\n---\n".encode("gbk")),)),
    Case("week-report-is-a-folder", "new_week", (), r"docs/weekly/posts/folder\.md: is a folder, not a file",
         setup=(folder("docs/weekly/posts/folder.md"),)),
    Case("week-report-unreadable", "new_week", (), r"docs/weekly/posts/2026-11-16\.md: cannot read: Permission denied",
         patches=(("pathlib.Path.open", fails_for(Path.open, "2026-11-16.md", denied())),)),
    # the paper notes it reads
    Case("week-note-unknown-status", "new_week", (),
         r"docs/papers/vit\.md:3: status must be one of queued, reading, read, not 'reeding'",
         setup=(put("docs/papers/vit.md", note("status: reeding\n")),)),
    Case("week-note-status-list", "new_week", (),
         r"docs/papers/vit\.md:3: status must be one of queued, reading, read, not a list",
         setup=(put("docs/papers/vit.md", note("status: [reading]\n")),)),
    Case("week-note-status-number", "new_week", (),
         r"docs/papers/vit\.md:3: status must be one of queued, reading, read, not a number \(1\)",
         setup=(put("docs/papers/vit.md", note("status: 1\n")),)),
    Case("week-note-bib-list", "new_week", (),
         r"docs/papers/vit\.md:2: bib must be one BibTeX key \(bib: he2020moco\), not a list",
         setup=(put("docs/papers/vit.md", note("status: queued\n", bib_key="[a, b]")),)),
    # The build refuses these too (papers-notes rows): the commands and the site read notes alike.
    Case("week-note-bib-a-number", "new_week", (),
         r"docs/papers/vit\.md:2: bib must be one BibTeX key \(bib: he2020moco\), not a number \(2020\)",
         setup=(put("docs/papers/vit.md", note("status: queued\n", bib_key="2020")),)),
    Case("week-note-no-status", "new_week", (),
         r"docs/papers/vit\.md:2: a paper note needs a status: queued, reading, read",
         setup=(put("docs/papers/vit.md", note("")),)),
    Case("week-note-title-mapping", "new_week", (), r"docs/papers/vit\.md:3: title must be text, not a mapping",
         setup=(put("docs/papers/vit.md", note("title: {en: ViT}\nstatus: queued\n")),)),
    Case("week-note-tags-string", "new_week", (),
         r"docs/papers/vit\.md:3: tags must be a list \(tags: \[a, b\]\), not 'CV'",
         setup=(put("docs/papers/vit.md", note("tags: CV\nstatus: queued\n")),)),
    Case("week-note-started-not-a-date", "new_week", (),
         r"docs/papers/vit\.md:4: started must be a date YYYY-MM-DD, not 'soon'",
         setup=(put("docs/papers/vit.md", note("status: reading\nstarted: soon\n")),)),
    Case("week-note-escape-in-title", "new_week", (), r"docs/papers/vit\.md:2:12: control character U\+001B; .*",
         setup=(put("docs/papers/vit.md", "---\ntitle: ViT \x1b]0;pwned\x07\nbib: x\nstatus: queued\n---\n"),)),
    Case("week-note-not-utf8", "new_week", (), r"docs/papers/vit\.md: not UTF-8 \(byte 0\)",
         setup=(put("docs/papers/vit.md", b"\xff\xfe---\n"),)),
    # the blog's settings
    Case("week-no-authors-file", "new_week", (), r"docs/weekly/\.authors\.yml: no such file",
         setup=(remove("docs/weekly/.authors.yml"),)),
    Case("week-authors-bad-yaml", "new_week", (), r"docs/weekly/\.authors\.yml:2: not valid YAML",
         setup=(put("docs/weekly/.authors.yml", "authors:\n  lin: \"Lin\n  wang: x\n"),)),
    Case("week-authors-a-list", "new_week", (),
         r"docs/weekly/\.authors\.yml:1: no authors \(expected 'authors:' with one id per author\)",
         setup=(put("docs/weekly/.authors.yml", "authors: [lin, wang]\n"),)),
    Case("week-mkdocs-yml-bad-yaml", "new_week", ("--category", "CV"), r"mkdocs\.yml:\d+: not valid YAML",
         setup=(put("mkdocs.yml", MKDOCS_YML + "plugins: [\n"),)),
    Case("week-categories-allowed-string", "new_week", ("--category", "CV"),
         r"mkdocs\.yml: the blog's categories_allowed must be a list of names",
         setup=(put("mkdocs.yml", MKDOCS_YML.replace("      categories_allowed:\n        - CV\n        - NLP\n"
                                                     "        - Tools\n", "      categories_allowed: CV\n")),)),
    # the file system refuses
    Case("week-read-only-folder", "new_week", (), WRITE + "Permission denied",
         patches=(("tempfile.mkstemp", fails(denied("docs/weekly/posts/.2026-11-23.md.abc.tmp"))),)),
    Case("week-read-only-file-system", "new_week", (), WRITE + "Read-only file system",
         patches=(("tempfile.mkstemp", fails(OSError(errno.EROFS, os.strerror(errno.EROFS)))),)),
    Case("week-disk-full", "new_week", (), WRITE + "No space left on device",
         patches=(("os.fsync", fails(disk_full())),)),
    Case("week-posts-folder-cannot-be-made", "new_week", (), WRITE + "Permission denied",
         setup=(remove("docs/weekly/posts"),), patches=(("pathlib.Path.mkdir", fails(denied())),)),
    Case("week-posts-folder-is-a-file", "new_week", (), WRITE + "Not a directory",
         setup=(remove("docs/weekly/posts"), put("docs/weekly/posts", "not a folder\n"))),
    # Ctrl-C
    Case("week-ctrl-c-reading-notes", "new_week", (), CTRL_C, code=130,
         patches=(("tools.log.reports.reading_queue", fails(KeyboardInterrupt())),)),
    Case("week-ctrl-c-writing", "new_week", (), CTRL_C, code=130, patches=(("os.fsync", fails(KeyboardInterrupt())),)),
    Case("week-ctrl-c-after-making-the-folder", "new_week", (), CTRL_C, code=130,
         setup=(remove("docs/weekly/posts"),), patches=(("os.fsync", fails(KeyboardInterrupt())),)),
    Case("week-ctrl-c-giving-the-name", "new_week", (), CTRL_C, code=130,
         patches=(("os.link", interrupt_after(os.link)),)),
    Case("week-sigterm-writing", "new_week", (), r"terminated; nothing written", code=143,
         patches=(("os.fsync", fails(Terminated())),)),
    # through the wrapper
    Case("week-script-date-9999", "new_week", ("--date", "9999-12-31"),
         r"error: invalid date '9999-12-31': its week ends after 9999-12-31, the last day there is", code=2,
         subprocess=True),
    Case("week-script-second-report", "new_week", ("--date", "2026-11-16"),
         r"docs/weekly/posts/2026-11-16\.md:2: the report for the week of 2026-11-16 already exists .*", subprocess=True),
]

BIB = "docs/references.bib"
NEW_PAPER_CASES = [
    # keys
    Case("paper-key-nowhere", "new_paper", ("vaswani2017",),
         r"docs/references\.bib: no entry 'vaswani2017'; add it with --bib FILE or on standard input \('-'\)"),
    Case("paper-key-other-case", "new_paper", ("He2020MoCo",),
         r"docs/references\.bib:3: no entry 'He2020MoCo', but 'he2020moco' here; keys are written with their capitals"),
    Case("paper-new-entry-differs-in-case", "new_paper", ("-",),
         r"docs/references\.bib:3: 'He2020MoCo' differs only in case from 'he2020moco', already there: .*",
         stdin=entry("He2020MoCo")),
    Case("paper-known-key-other-fields", "new_paper", ("-",),
         r"docs/references\.bib:17: 'he2022mae' is already there with a different entry type, author, booktitle, "
         r"journal, title; edit it there or give the new entry another key",
         stdin="@misc{he2022mae,\n  title = {MAE},\n  booktitle = {CVPR},\n  year = {2022}\n}\n"),
    # the entry given
    Case("paper-malformed-entry", "new_paper", ("-",), r"<stdin>:2: cannot parse entry: Unexpectedly reached end of file\.",
         stdin="\n@article{broken,\n  title = {No end\n"),
    Case("paper-no-comma-after-key", "new_paper", ("-",), r"<stdin>:1: cannot parse entry: .*",
         stdin="@article{x title={a}, year=2020}\n"),
    Case("paper-entry-without-year", "new_paper", ("-",), r"<stdin>:1: entry 'x2026' has no year",
         stdin="@misc{x2026,\n  title = {Untitled}\n}\n"),
    Case("paper-entry-without-title", "new_paper", ("-",), r"<stdin>:1: entry 'x2026' has no title",
         stdin="@misc{x2026,\n  year = {2026}\n}\n"),
    Case("paper-entry-empty-title", "new_paper", ("-",), r"<stdin>:1: entry 'x2026' has no title",
         stdin=entry(title="  ")),
    Case("paper-entry-title-only-braces", "new_paper", ("-",), r"<stdin>:1: entry 'x2026' has no title",
         stdin=entry(title="{}")),
    Case("paper-entry-year-empty", "new_paper", ("-",), r"<stdin>:1: entry 'x2026' has no year",
         stdin=entry(year="")),
    Case("paper-entry-without-type", "new_paper", ("-",),
         r"<stdin>:1: entry 'x2026' has no type \(write @article\{\.\.\.\}, @misc\{\.\.\.\}, \.\.\.\)",
         stdin=entry().replace("@article", "@")),
    Case("paper-undefined-macro", "new_paper", ("-",),
         r"<stdin>:4: entry 'x2026': journal = jmlr names an @string macro that is not defined; .*",
         stdin=entry(journal="=jmlr")),
    Case("paper-concatenation", "new_paper", ("-",),
         r"<stdin>:4: entry 'x2026': note = a # \"b\" joins values with '#'; write the value out in braces",
         stdin=entry(note='=a # "b"')),
    Case("paper-macro-of-the-input-only", "new_paper", ("-",),
         r"<stdin>:3: 'x2021' would read differently in docs/references\.bib \(booktitle\): "
         r"write out the @string macros it uses",
         stdin='@string{iclr = "ICLR"}\n\n@inproceedings{x2021,\n  title = {T}, booktitle = iclr, year = 2021\n}\n'),
    Case("paper-entry-5-mb", "new_paper", ("-",),
         r"<stdin>:1: entry 'x2026' takes 5120 KiB; the limit is 64 KiB an entry \(an abstract or a PDF pasted in\?\)",
         stdin=entry(abstract="word " * (1024 * 1024))),
    Case("paper-entry-just-over-the-limit", "new_paper", ("-",),
         r"<stdin>:1: entry 'x2026' takes 64 KiB; the limit is 64 KiB an entry .*",
         stdin=entry(abstract="x" * (64 * 1024))),
    Case("paper-macro-expanding-past-the-limit", "new_paper", ("-",),
         r"<stdin>:2: entry 'x2026' takes 80 KiB; the limit is 64 KiB an entry .*",
         stdin='@string{big = "' + "y" * (80 * 1024) + '"}\n' + entry(note="=big")),
    Case("paper-bad-key", "new_paper", ("-",), r"<stdin>:1: bad key 'a/b'", stdin=entry("a/b")),
    Case("paper-empty-input", "new_paper", ("-",), r"<stdin>:1: no BibTeX entry found", stdin=""),
    Case("paper-comment-only", "new_paper", ("-",), r"<stdin>:1: no BibTeX entry found", stdin="% nothing here\n"),
    Case("paper-two-entries-no-key", "new_paper", ("--bib", "{in}/two.bib"),
         r"{in}/two\.bib:1: 2 entries \(a2026, b2026\); name the one to add after --bib FILE",
         setup=(given("two.bib", entry("a2026") + "\n" + entry("b2026")),)),
    Case("paper-named-key-not-in-file", "new_paper", ("--bib", "{in}/two.bib", "c2026"),
         r"{in}/two\.bib:1: no entry 'c2026' \(it has a2026, b2026\)",
         setup=(given("two.bib", entry("a2026") + "\n" + entry("b2026")),)),
    Case("paper-duplicate-key-in-input", "new_paper", ("-",), r"<stdin>:5: duplicate key 'x2026'",
         stdin=entry() + entry()),
    Case("paper-keys-differ-in-case-in-input", "new_paper", ("--bib", "{in}/two.bib", "a2026"),
         r"{in}/two\.bib:5: key 'A2026' differs only in case from 'a2026' \(line 1\); BibTeX takes them for one paper",
         setup=(given("two.bib", entry("a2026") + entry("A2026")),)),
    Case("paper-nul-in-stdin", "new_paper", ("-",), r"<stdin>:2:14: control character U\+0000; remove it.*",
         stdin=entry(title="A \x00Title")),
    Case("paper-escape-in-title", "new_paper", ("-",), r"<stdin>:2:14: control character U\+001B; remove it.*",
         stdin=entry(title="A \x1b[2JTitle")),
    Case("paper-stdin-not-utf8", "new_paper", ("-",), r"<stdin>: not UTF-8 \(byte 27\)",
         stdin=entry(title="Über").encode("latin-1")),
    Case("paper-file-not-utf8", "new_paper", ("--bib", "{in}/x.bib"), r"{in}/x\.bib: not UTF-8 \(byte 27\)",
         setup=(given("x.bib", entry(title="Über").encode("latin-1")),)),
    Case("paper-missing-file", "new_paper", ("--bib", "{in}/nope.bib"), r"{in}/nope\.bib: no such file"),
    Case("paper-file-is-a-folder", "new_paper", ("--bib", "{in}/dir.bib"), r"{in}/dir\.bib: is a folder, not a file",
         setup=(folder("{in}/dir.bib"),)),
    Case("paper-file-without-end", "new_paper", ("--bib", "/dev/zero"),
         r"/dev/zero: over 64 MiB; not a note, a post or a \.bib file"),
    Case("paper-empty-file", "new_paper", ("--bib", "{in}/empty.bib"), r"{in}/empty\.bib:1: no BibTeX entry found",
         setup=(given("empty.bib", ""),)),
    # the command line
    Case("paper-slug-dot-dot", "new_paper", ("he2022mae", "--slug", "../mae"),
         r"error: invalid slug '\.\./mae': use lowercase letters, digits and hyphens", code=2),
    Case("paper-slug-slash", "new_paper", ("he2022mae", "--slug", "a/b"),
         r"error: invalid slug 'a/b': use lowercase letters, digits and hyphens", code=2),
    Case("paper-slug-capitals", "new_paper", ("he2022mae", "--slug", "MAE"),
         r"error: invalid slug 'MAE': use lowercase letters, digits and hyphens", code=2),
    Case("paper-slug-empty", "new_paper", ("he2022mae", "--slug", ""),
         r"error: invalid slug '': use lowercase letters, digits and hyphens", code=2),
    Case("paper-no-slug-from-key", "new_paper", ("-",),
         r"error: cannot make a file name from the title or the key '___'; give one with --slug", code=2,
         stdin=entry("___", title="注意力")),
    Case("paper-unknown-status", "new_paper", ("he2022mae", "--status", "done"),
         r"error: invalid status 'done': use one of queued, reading, read", code=2),
    Case("paper-date-feb-30", "new_paper", ("he2022mae", "--date", "2026-02-30"),
         r"error: invalid date '2026-02-30': day is out of range for month", code=2),
    Case("paper-date-tomorrow", "new_paper", ("he2022mae", "--date", "tomorrow"),
         r"error: invalid date 'tomorrow': write it as YYYY-MM-DD", code=2),
    Case("paper-nothing-named", "new_paper", (),
         r"error: name a BibTeX key, or give the entry with --bib FILE or '-' for standard input", code=2),
    Case("paper-dash-and-bib", "new_paper", ("-", "--bib", "x.bib"),
         r"error: give the entry either with --bib or as '-', not both", code=2),
    Case("paper-unknown-option", "new_paper", ("he2022mae", "--overwrite"),
         r"error: unrecognized arguments: --overwrite \(see new_paper --help\)", code=2),
    # the log it reads and writes
    Case("paper-note-exists", "new_paper", ("he2022mae", "--slug", "mae"),
         r"docs/papers/mae\.md: already exists; not overwriting it"),
    Case("paper-second-note", "new_paper", ("he2020moco", "--slug", "moco-again"),
         r"docs/papers/moco\.md:2: already the note for 'he2020moco'; one note per paper"),
    Case("paper-note-bib-a-list", "new_paper", ("-",),
         r"docs/papers/z\.md:2: bib must be one BibTeX key \(bib: he2020moco\), not a list",
         stdin=VIT, setup=(put("docs/papers/z.md", note("", "[a]")),)),
    Case("paper-note-not-utf8", "new_paper", ("he2022mae", "--slug", "mae2"), r"docs/papers/z\.md: not UTF-8 \(byte 4\)",
         setup=(put("docs/papers/z.md", b"---\n\xc3(\n---\n"),)),
    Case("paper-references-duplicate-key", "new_paper", ("he2022mae",), r"docs/references\.bib:24: duplicate key 'he2020moco'",
         setup=(append(BIB, "\n@article{he2020moco,\n  title={x}, year={2020}\n}\n"),)),
    Case("paper-references-key-case", "new_paper", ("-",), stdin=VIT, message=
         r"docs/references\.bib:24: key 'He2020MoCo' differs only in case from 'he2020moco' \(line 3\); .*",
         setup=(append(BIB, "\n" + entry("He2020MoCo")),)),
    Case("paper-references-undefined-macro", "new_paper", ("-",), stdin=VIT, message=
         r"docs/references\.bib:27: entry 'x2026': journal = jmlr names an @string macro that is not defined; .*",
         setup=(append(BIB, "\n" + entry(journal="=jmlr")),)),
    Case("paper-references-nul", "new_paper", ("he2022mae",), r"docs/references\.bib:5:3: control character U\+0000; .*",
         setup=(put(BIB, REFERENCES_BIB.replace("  title     = {Momentum", "  \x00title     = {Momentum")),)),
    Case("paper-references-not-utf8", "new_paper", ("he2022mae",), r"docs/references\.bib: not UTF-8 \(byte \d+\)",
         setup=(put(BIB, REFERENCES_BIB.replace("Kaiming", "Käiming").encode("latin-1")),)),
    Case("paper-references-is-a-folder", "new_paper", ("he2022mae",), r"docs/references\.bib: is a folder, not a file",
         setup=(remove(BIB), folder(BIB))),
    # the file system refuses
    Case("paper-read-only-folder", "new_paper", ("-",),
         r"docs/papers/an-image-is-worth-16x16\.md: cannot write: Permission denied", stdin=VIT, patches=(("tempfile.mkstemp", fails(denied())),)),
    Case("paper-disk-full", "new_paper", ("-",), r"docs/papers/an-image-is-worth-16x16\.md: cannot write: No space left on device",
         stdin=VIT, patches=(("os.fsync", fails(disk_full())),)),
    Case("paper-references-cannot-be-replaced", "new_paper", ("-",),
         r"docs/references\.bib: cannot write: No space left on device",
         stdin=VIT, patches=(("os.replace", fails(disk_full())),)),
    Case("paper-references-read-only", "new_paper", ("-",), r"docs/references\.bib: cannot write: Permission denied",
         stdin=VIT, patches=(("tempfile.mkstemp", refuses_temporary_for("references.bib", denied())),)),
    Case("paper-references-disk-full-while-written", "new_paper", ("-",),
         r"docs/references\.bib: cannot write: No space left on device",
         stdin=VIT, patches=(("tempfile.mkstemp", refuses_temporary_for("references.bib", disk_full())),)),
    Case("paper-references-changed-meanwhile", "new_paper", ("-",),
         r"docs/references\.bib: changed while this command ran; run it again", stdin=VIT,
         patches=(("tools.log.papers.plan_paper", None),)),  # filled in below: a plan that edits references.bib
    # Ctrl-C
    Case("paper-ctrl-c-reading-stdin", "new_paper", ("-",), CTRL_C, code=130,
         patches=(("tools.new_paper.read_stdin", fails(KeyboardInterrupt())),)),
    Case("paper-ctrl-c-writing-references", "new_paper", ("-",), CTRL_C, code=130, stdin=VIT,
         patches=(("os.fsync", interrupt_after(os.fsync, 2)),)),
    Case("paper-ctrl-c-between-note-and-references", "new_paper", ("-",), CTRL_C, code=130, stdin=VIT,
         patches=(("os.replace", fails(KeyboardInterrupt())),)),
    Case("paper-sigterm-between-note-and-references", "new_paper", ("-",), r"terminated; nothing written", code=143,
         stdin=VIT, patches=(("os.replace", fails(Terminated())),)),
    # through the wrapper
    Case("paper-script-stdin-not-utf8", "new_paper", ("-",), r"<stdin>: not UTF-8 \(byte 27\)",
         stdin=entry(title="Über").encode("latin-1"), subprocess=True),
    Case("paper-script-key-other-case", "new_paper", ("HE2020MOCO",),
         r"docs/references\.bib:3: no entry 'HE2020MOCO', but 'he2020moco' here; .*", subprocess=True),
]

POST = "{in}/post.md"
IMPORT_CASES = [
    # the post's file
    Case("import-missing-post", "import_post", ("{in}/nope.md",), r"{in}/nope\.md: no such file"),
    Case("import-name-with-a-line-end", "import_post", ("{in}/a\nb.md",), r"{in}/a\\nb\.md: no such file"),
    Case("import-post-is-a-folder", "import_post", ("{in}/dir.md",), r"{in}/dir\.md: is a folder, not a file",
         setup=(folder("{in}/dir.md"),)),
    Case("import-empty-post", "import_post", (POST,), r"{in}/post\.md:1: no front matter \(a post starts with '---', .*",
         setup=(given("post.md", ""),)),
    Case("import-only-front-matter", "import_post", (POST,),
         r"{in}/post\.md:4: nothing after the front matter; there is no text to import",
         setup=(given("post.md", "---\ntitle: 周报\ndate: 2022-05-10\n---\n"),)),
    Case("import-only-front-matter-and-blank-lines", "import_post", (POST,),
         r"{in}/post\.md:4: nothing after the front matter; there is no text to import",
         setup=(given("post.md", "---\ntitle: 周报\ndate: 2022-05-10\n---\n\n  \n"),)),
    Case("import-no-front-matter", "import_post", (POST,), r"{in}/post\.md:1: no front matter .*",
         setup=(given("post.md", "# 周报\n\n本周\n"),)),
    Case("import-front-matter-not-closed", "import_post", (POST,),
         r"{in}/post\.md:1: front matter is not closed \(no second '---' line\)",
         setup=(given("post.md", "---\ntitle: 周报\ndate: 2022-05-10\n\n本周\n"),)),
    Case("import-bad-yaml", "import_post", (POST,), r"{in}/post\.md:2: front matter is not valid YAML: .*",
         setup=(given("post.md", "---\ntitle: \"周报\ndate: 2022-05-10\n---\n\nx\n"),)),
    Case("import-front-matter-a-list", "import_post", (POST,), r"{in}/post\.md:2: front matter must be a mapping of fields \('name: value' lines\)",
         setup=(given("post.md", "---\n- a\n- b\n---\n\nx\n"),)),
    Case("import-duplicate-field", "import_post", (POST,), r"{in}/post\.md:4: 'date' appears twice in the front matter",
         setup=(given("post.md", "---\ntitle: 周报\ndate: 2022-05-10\ndate: 2022-05-11\n---\n\nx\n"),)),
    Case("import-yaml-alias", "import_post", (POST,), r"{in}/post\.md:4: front matter uses a YAML alias .*",
         setup=(given("post.md", "---\ntitle: &t 周报\ndate: 2022-05-10\ndescription: *t\n---\n\nx\n"),)),
    Case("import-nested-too-deeply", "import_post", (POST,), r"{in}/post\.md:2: front matter is nested too deeply",
         setup=(given("post.md", "---\ntitle: 周报\ndate: 2022-05-10\ntags: " + "[" * 5000 + "]" * 5000 + "\n---\n\nx\n"),)),
    # dates
    Case("import-no-date", "import_post", (POST,),
         r"{in}/post\.md:1: no date \(no 'date:' in the front matter, no YYYY-MM-DD- in the file name\)",
         setup=(given("post.md", "---\ntitle: 周报\n---\n\nx\n"),)),
    Case("import-date-feb-30", "import_post", (POST,),
         r"{in}/post\.md:3: the date '2022-2-30 21:00:00' does not exist: day is out of range for month",
         setup=(given("post.md", WEEKLY_POST.replace("2022-05-10", "2022-2-30 21:00:00")),)),
    Case("import-date-year-0", "import_post", (POST,),
         r"{in}/post\.md:3: the date '0000-01-01' does not exist: year 0 is out of range",
         setup=(given("post.md", WEEKLY_POST.replace("2022-05-10", "0000-01-01")),)),
    Case("import-date-9999-12-31", "import_post", (POST,),
         r"{in}/post\.md:3: the date 9999-12-31 cannot head a weekly report: its week ends after 9999-12-31, .*",
         setup=(given("post.md", WEEKLY_POST.replace("2022-05-10", "9999-12-31")),)),
    Case("import-file-name-date-9999", "import_post", ("{in}/9999-12-30-weekly.md",),
         r"{in}/9999-12-30-weekly\.md:1: the date 9999-12-30 cannot head a weekly report: .*",
         setup=(given("9999-12-30-weekly.md", "---\ntitle: 周报\n---\n\n本周\n"),)),
    Case("import-file-name-date-feb-30", "import_post", ("{in}/2022-02-30-weekly.md",),
         r"{in}/2022-02-30-weekly\.md:1: the date in the file name does not exist: day is out of range for month",
         setup=(given("2022-02-30-weekly.md", "---\ntitle: 周报\n---\n\n本周\n"),)),
    Case("import-date-time-25", "import_post", (POST,),
         r"{in}/post\.md:3: the time in '2022-05-10 25:00:00' does not exist",
         setup=(given("post.md", WEEKLY_POST.replace("2022-05-10", "2022-05-10 25:00:00")),)),
    Case("import-date-unreadable", "import_post", (POST,),
         r"{in}/post\.md:3: cannot read the date 'last sunday' \(expected YYYY-MM-DD, with a time or not\)",
         setup=(given("post.md", WEEKLY_POST.replace("2022-05-10", "last sunday")),)),
    Case("import-date-a-list", "import_post", (POST,), r"{in}/post\.md:3: date must be a date \(YYYY-MM-DD, with a time or not\), not a list",
         setup=(given("post.md", WEEKLY_POST.replace("2022-05-10", "[2022-05-10]")),)),
    # fields of the wrong kind
    Case("import-tags-mapping", "import_post", (POST,), r"{in}/post\.md:5: tags must be a list or words, not a mapping",
         setup=(given("post.md", WEEKLY_POST.replace("author: lin\n", "author: lin\ntags: {a: 1}\n")),)),
    Case("import-tags-number", "import_post", (POST,),
         r"{in}/post\.md:5: tags must be a list or words, not a number \(2022\)",
         setup=(given("post.md", WEEKLY_POST.replace("author: lin\n", "author: lin\ntags: 2022\n")),)),
    Case("import-tags-true", "import_post", (POST,),
         r"{in}/post\.md:5: tags must be a list or words, not 'true' \(true/false\)",
         setup=(given("post.md", WEEKLY_POST.replace("author: lin\n", "author: lin\ntags: yes\n")),)),
    Case("import-categories-mapping", "import_post", (POST,),
         r"{in}/post\.md:5: categories must be a list or words, not a mapping",
         setup=(given("post.md", WEEKLY_POST.replace("author: lin\n", "author: lin\ncategories: {CV: 1}\n")),)),
    Case("import-categories-holding-a-mapping", "import_post", (POST,),
         r"{in}/post\.md:5: categories must be a list of names, not one holding a mapping",
         setup=(given("post.md", WEEKLY_POST.replace("author: lin\n", "author: lin\ncategories: [[CV, {a: b}]]\n")),)),
    Case("import-title-list", "import_post", (POST,), r"{in}/post\.md:2: title must be text, not a list",
         setup=(given("post.md", WEEKLY_POST.replace("title: 周报", "title: [周报, x]")),)),
    Case("import-author-mapping", "import_post", (POST,), r"{in}/post\.md:4: author must be text, not a mapping",
         setup=(given("post.md", WEEKLY_POST.replace("author: lin", "author: {name: lin}")),)),
    Case("import-subtitle-list", "import_post", (POST,), r"{in}/post\.md:5: subtitle must be text, not a list",
         setup=(given("post.md", WEEKLY_POST.replace("author: lin\n", "author: lin\nsubtitle: [a]\n")),)),
    # bytes
    Case("import-nul-in-body", "import_post", (POST,), r"{in}/post\.md:7:3: control character U\+0000; .*",
         setup=(given("post.md", WEEKLY_POST.replace("本周读了", "本周\x00读了")),)),
    Case("import-escape-in-body", "import_post", (POST,), r"{in}/post\.md:7:1: control character U\+001B; .*",
         setup=(given("post.md", WEEKLY_POST.replace("本周读了", "\x1b[31m本周读了")),)),
    Case("import-bell-in-title", "import_post", (POST,), r"{in}/post\.md:2:10: control character U\+0007; .*",
         setup=(given("post.md", WEEKLY_POST.replace("title: 周报", "title: 周报\x07")),)),
    Case("import-c1-control", "import_post", (POST,), r"{in}/post\.md:7:1: control character U\+009B; .*",
         setup=(given("post.md", WEEKLY_POST.replace("本周读了", "\x9b2J本周读了")),)),
    Case("import-delete-character", "import_post", (POST,), r"{in}/post\.md:7:2: control character U\+007F; .*",
         setup=(given("post.md", WEEKLY_POST.replace("本周读了", "本\x7f周读了")),)),
    Case("import-form-feed", "import_post", (POST,), r"{in}/post\.md:8:1: control character U\+000C; .*",
         setup=(given("post.md", WEEKLY_POST.replace("\n\n## 下周计划", "\n\x0c\n## 下周计划")),)),
    Case("import-not-utf8", "import_post", (POST,), r"{in}/post\.md: not UTF-8 \(byte 11\)",
         setup=(given("post.md", "---\ntitle: 周报\ndate: 2022-05-10\n---\n\nx\n".encode("gbk")),)),
    Case("import-utf16", "import_post", (POST,), r"{in}/post\.md: not UTF-8 \(byte 0\)",
         setup=(given("post.md", WEEKLY_POST.encode("utf-16")),)),
    # what it would write
    Case("import-not-weekly-without-as", "import_post", (POST,),
         r"{in}/post\.md:1: does not look like a weekly report; say what it is: --as paper, --as course or --as weekly",
         setup=(given("post.md", RESNET_POST),)),
    Case("import-second-report-for-the-week", "import_post", (POST,),
         r"docs/weekly/posts/mine\.md:2: the report for the week of 2022-05-09 already exists; "
         r"not importing {in}/post\.md over it",
         setup=(given("post.md", WEEKLY_POST), put("docs/weekly/posts/mine.md", report("2022-05-15")))),
    Case("import-note-exists", "import_post", (POST, "--as", "course", "--slug", "adam"),
         r"docs/courses/adam\.md: already exists; not overwriting it",
         setup=(given("post.md", RESNET_POST), put("docs/courses/adam.md", "my notes\n"))),
    Case("import-unknown-bib-key", "import_post", (POST, "--as", "paper", "--bib", "he2016resnet"),
         r"docs/references\.bib: no entry 'he2016resnet'; add it first \(tools/new_paper --bib FILE\)",
         setup=(given("post.md", RESNET_POST),)),
    Case("import-bib-key-other-case", "import_post", (POST, "--as", "paper", "--bib", "He2020MoCo"),
         r"docs/references\.bib:3: no entry 'He2020MoCo', but 'he2020moco' here; keys are written with their capitals",
         setup=(given("post.md", RESNET_POST),)),
    Case("import-second-note-for-a-key", "import_post", (POST, "--as", "paper", "--bib", "he2020moco"),
         r"docs/papers/moco\.md:2: already the note for 'he2020moco'; one note per paper",
         setup=(given("post.md", RESNET_POST),)),
    Case("import-references-broken", "import_post", (POST, "--as", "paper", "--bib", "HE2020MOCO"),
         r"docs/references\.bib:24: key 'HE2020MOCO' differs only in case from 'he2020moco' \(line 3\); .*",
         setup=(given("post.md", RESNET_POST), append(BIB, "\n" + entry("HE2020MOCO")))),
    Case("import-unknown-author", "import_post", (POST, "--author", "zhang"),
         r"docs/weekly/\.authors\.yml: unknown author 'zhang' \(known: lin, wang\)", setup=(given("post.md", WEEKLY_POST),)),
    Case("import-no-slug-from-name", "import_post", ("{in}/读书笔记.md", "--as", "course"),
         r"{in}/读书笔记\.md: cannot make a file name from '读书笔记\.md'; give one with --slug",
         setup=(given("读书笔记.md", RESNET_POST),)),
    # the command line
    Case("import-slug-slash", "import_post", (POST, "--as", "paper", "--slug", "a/b"),
         r"error: invalid slug 'a/b': use lowercase letters, digits and hyphens", code=2, setup=(given("post.md", RESNET_POST),)),
    Case("import-slug-dot-dot", "import_post", (POST, "--as", "course", "--slug", ".."),
         r"error: invalid slug '\.\.': use lowercase letters, digits and hyphens", code=2, setup=(given("post.md", RESNET_POST),)),
    Case("import-weekly-with-slug", "import_post", (POST, "--as", "weekly", "--slug", "x"),
         r"error: --slug, --bib and --status are for notes \(--as paper or --as course\)", code=2,
         setup=(given("post.md", RESNET_POST),)),
    Case("import-paper-with-author", "import_post", (POST, "--as", "paper", "--author", "lin"),
         r"error: --author is for weekly reports", code=2, setup=(given("post.md", RESNET_POST),)),
    Case("import-course-with-status", "import_post", (POST, "--as", "course", "--status", "read"),
         r"error: --bib and --status are for paper notes", code=2, setup=(given("post.md", RESNET_POST),)),
    Case("import-unknown-status", "import_post", (POST, "--as", "paper", "--status", "done"),
         r"error: invalid status 'done': use one of queued, reading, read", code=2, setup=(given("post.md", RESNET_POST),)),
    Case("import-unknown-kind", "import_post", (POST, "--as", "blog"),
         r"error: argument --as: invalid choice: '?blog'? \(choose from '?course'?, '?paper'?, '?weekly'?\) "
         r"\(see import_post --help\)", code=2),
    Case("import-no-post-named", "import_post", (),
         r"error: the following arguments are required: post \(see import_post --help\)", code=2),
    # the file system refuses
    Case("import-read-only-folder", "import_post", (POST,), r"docs/weekly/posts/2022-05-09\.md: cannot write: Permission denied",
         setup=(given("post.md", WEEKLY_POST),), patches=(("tempfile.mkstemp", fails(denied())),)),
    Case("import-disk-full", "import_post", (POST, "--as", "course", "--slug", "resnet"),
         r"docs/courses/resnet\.md: cannot write: No space left on device",
         setup=(given("post.md", RESNET_POST),), patches=(("os.fsync", fails(disk_full())),)),
    Case("import-courses-folder-cannot-be-made", "import_post", (POST, "--as", "course", "--slug", "resnet"),
         r"docs/courses/resnet\.md: cannot write: Permission denied",
         setup=(given("post.md", RESNET_POST),), patches=(("pathlib.Path.mkdir", fails(denied())),)),
    # Ctrl-C
    Case("import-ctrl-c-reading", "import_post", (POST,), CTRL_C, code=130, setup=(given("post.md", WEEKLY_POST),),
         patches=(("tools.log.posts.read_post", fails(KeyboardInterrupt())),)),
    Case("import-ctrl-c-writing", "import_post", (POST, "--as", "course", "--slug", "resnet"), CTRL_C, code=130,
         setup=(given("post.md", RESNET_POST),), patches=(("os.fsync", fails(KeyboardInterrupt())),)),
    # through the wrapper
    Case("import-script-nul", "import_post", (POST,), r"{in}/post\.md:7:3: control character U\+0000; .*",
         setup=(given("post.md", WEEKLY_POST.replace("本周读了", "本周\x00读了")),), subprocess=True),
    Case("import-script-date-9999", "import_post", (POST,), r"{in}/post\.md:3: the date 9999-12-31 cannot head .*",
         setup=(given("post.md", WEEKLY_POST.replace("2022-05-10", "9999-12-31")),), subprocess=True),
]

# The site build: references.bib as tools/site/hooks/papers.py loads it (a PluginError stops the
# build, strict or not), and the weekly reports as tools/site/hooks/blog.py sees them.
BUILD_CASES = [
    Case("build-bib-duplicate-key", "papers-hook", (), r"docs/references\.bib:24: duplicate key 'he2020moco'",
         setup=(append(BIB, "\n" + entry("he2020moco")),)),
    Case("build-bib-key-case", "papers-hook", (),
         r"docs/references\.bib:24: key 'He2020MoCo' differs only in case from 'he2020moco' \(line 3\); "
         r"BibTeX takes them for one paper", setup=(append(BIB, "\n" + entry("He2020MoCo")),)),
    Case("build-bib-undefined-macro", "papers-hook", (),
         r"docs/references\.bib:27: entry 'x2026': journal = jmlr names an @string macro that is not defined; .*",
         setup=(append(BIB, "\n" + entry(journal="=jmlr")),)),
    Case("build-bib-undefined-macro-in-booktitle", "papers-hook", (),
         r"docs/references\.bib:27: entry 'x2026': booktitle = NeurIPS names an @string macro .*",
         setup=(append(BIB, "\n" + entry(booktitle="=NeurIPS")),)),
    Case("build-bib-concatenation", "papers-hook", (),
         r"docs/references\.bib:27: entry 'x2026': month = jan # \"~15\" joins values with '#'; .*",
         setup=(append(BIB, "\n" + entry(month='=jan # "~15"')),)),
    Case("build-bib-5-mb-entry", "papers-hook", (),
         r"docs/references\.bib:24: entry 'x2026' takes 5120 KiB; the limit is 64 KiB an entry .*",
         setup=(append(BIB, "\n" + entry(abstract="word " * (1024 * 1024))),)),
    Case("build-bib-nul", "papers-hook", (), r"docs/references\.bib:5:3: control character U\+0000; remove it",
         setup=(put(BIB, REFERENCES_BIB.replace("  title     = {Momentum", "  \x00title     = {Momentum")),)),
    Case("build-bib-escape", "papers-hook", (), r"docs/references\.bib:5:16: control character U\+001B; remove it",
         setup=(put(BIB, REFERENCES_BIB.replace("{Momentum", "{\x1b[1mMomentum")),)),
    Case("build-bib-not-utf8", "papers-hook", (), r"docs/references\.bib: not UTF-8 \(byte \d+\)",
         setup=(put(BIB, REFERENCES_BIB.replace("Kaiming", "Käiming").encode("latin-1")),)),
    Case("build-bib-no-title", "papers-hook", (), r"docs/references\.bib:24: entry 'x2026' has no title",
         setup=(append(BIB, "\n@misc{x2026,\n  year = {2026}\n}\n"),)),
    Case("build-bib-no-year", "papers-hook", (), r"docs/references\.bib:24: entry 'x2026' has no year",
         setup=(append(BIB, "\n@misc{x2026,\n  title = {T}\n}\n"),)),
    Case("build-bib-malformed", "papers-hook", (), r"docs/references\.bib:24: cannot parse entry: .*",
         setup=(append(BIB, "\n@article{x2026,\n  title = {unclosed\n"),)),
    Case("build-bib-no-type", "papers-hook", (), r"docs/references\.bib:24: entry 'x2026' has no type .*",
         setup=(append(BIB, "\n" + entry().replace("@article", "@")),)),
    Case("build-bib-unreadable", "papers-hook", (), r"docs/references\.bib: cannot read: Permission denied",
         patches=(("pathlib.Path.open", fails_for(Path.open, "references.bib", denied())),)),
    Case("build-bib-missing", "papers-hook", (), r"docs/references\.bib: no such file", setup=(remove(BIB),)),
    Case("build-bib-is-a-folder", "papers-hook", (), r"docs/references\.bib: is a folder, not a file",
         setup=(remove(BIB), folder(BIB))),
    Case("build-two-reports-in-a-week", "blog-hook", (),
         r"docs/weekly/posts/2026-11-17\.md:2: a second report for the week of 2026-11-16 "
         r"\(docs/weekly/posts/2026-11-16\.md:2\)",
         setup=(put("docs/weekly/posts/2026-11-17.md", report("2026-11-17")),)),
    Case("build-two-reports-monday-and-sunday", "blog-hook", (),
         r"docs/weekly/posts/late\.md:3: a second report for the week of 2026-11-16 \(docs/weekly/posts/2026-11-16\.md:2\)",
         setup=(put("docs/weekly/posts/late.md", "---\ntitle: x\ndate: 2026-11-22 23:59:00\n---\n\nx\n"),)),
    Case("build-two-reports-same-day", "blog-hook", (),
         r"docs/weekly/posts/b\.md:2: a second report for the week of 2026-11-16 \(docs/weekly/posts/2026-11-16\.md:2\)",
         setup=(put("docs/weekly/posts/b.md", report("2026-11-16")),)),
]

# tools/extract's rows, once it has a runner in RUNNERS: Case("extract-...", "extract", (...), r"...").
def moco_note(fields: str) -> str:
    return f"---\n{fields}---\n\n# MoCo\n"


MOCO = "docs/papers/moco.md"
# A paper note's front matter as the build reads it (tools/site/hooks/papers.py): each
# problem is a warning naming the field's line, which fails a strict build.
NOTE_CASES = [
    Case("build-note-bib-a-list", "papers-notes", (), r"docs/papers/moco\.md:2: bib must be one BibTeX key .*not a list.*",
         setup=(put(MOCO, moco_note("bib: [he2020moco]\nstatus: read\n")),)),
    Case("build-note-bib-a-mapping", "papers-notes", (), r"docs/papers/moco\.md:2: bib must be one BibTeX key .*a mapping.*",
         setup=(put(MOCO, moco_note("bib: {key: he2020moco}\nstatus: read\n")),)),
    Case("build-note-bib-a-number", "papers-notes", (), r"docs/papers/moco\.md:2: bib must be one BibTeX key .*a number.*",
         setup=(put(MOCO, moco_note("bib: 2020\nstatus: read\n")),)),
    Case("build-note-bib-empty-text", "papers-notes", (), r"docs/papers/moco\.md:2: bib must be one BibTeX key.*",
         setup=(put(MOCO, moco_note("bib: ''\nstatus: read\n")),)),
    Case("build-note-bib-unknown", "papers-notes", (), r"docs/papers/moco\.md:2: unknown BibTeX key 'he2020mocov2'.*",
         setup=(put(MOCO, moco_note("bib: he2020mocov2\nstatus: read\n")),)),
    Case("build-note-tags-a-mapping", "papers-notes", (), r"docs/papers/moco\.md:4: tags must be a list \(tags: \[a, b\]\), not a mapping.*",
         setup=(put(MOCO, moco_note("bib: he2020moco\nstatus: read\ntags: {cv: 1}\n")),)),
    Case("build-note-tags-a-number", "papers-notes", (), r"docs/papers/moco\.md:4: tags must be a list \(tags: \[a, b\]\), not a number.*",
         setup=(put(MOCO, moco_note("bib: he2020moco\nstatus: read\ntags: 5\n")),)),
    Case("build-note-tags-holding-a-mapping", "papers-notes", (), r"docs/papers/moco\.md:4: tags must be a list of names.*",
         setup=(put(MOCO, moco_note("bib: he2020moco\nstatus: read\ntags: [cv, {a: b}]\n")),)),
    Case("build-note-title-a-list", "papers-notes", (), r"docs/papers/moco\.md:2: title must be text, not a list.*",
         setup=(put(MOCO, moco_note("title: [a, b]\nbib: he2020moco\nstatus: read\n")),)),
    Case("build-note-status-unknown", "papers-notes", (), r"docs/papers/moco\.md:3: status must be one of .*'done'.*",
         setup=(put(MOCO, moco_note("bib: he2020moco\nstatus: done\n")),)),
    Case("build-note-date-impossible", "papers-notes", (),
         r"docs/papers/moco\.md:4: finished must be a date YYYY-MM-DD, not '2026-02-30'",
         setup=(put(MOCO, moco_note("bib: he2020moco\nstatus: read\nfinished: 2026-02-30\n")),)),
    Case("build-note-front-matter-a-list", "papers-notes", (), r"docs/papers/moco\.md:2: front matter must be a mapping.*",
         setup=(put(MOCO, moco_note("- bib\n- he2020moco\n")),)),
    Case("build-note-front-matter-bad-yaml", "papers-notes", (), r"docs/papers/moco\.md:3: front matter is not valid YAML.*",
         setup=(put(MOCO, moco_note("bib: he2020moco\nstatus: [read\n")),)),
]

def exported(module: str, code: str = "def f(x):\n    return x + 1\n", title: str = "D") -> str:
    """A note with one fence exported to snippets/<module>."""
    return f"---\ntitle: {title}\n---\n\n# {title}\n\n```python title=\"snippets/{module}\"\n{code}```\n"


def extracted(root: Path, inputs: Path) -> None:
    """Set-up: snippets/ as tools/extract writes it for the notes so far (its loader copied from the checkout)."""
    from tools import extract

    (root / "snippets").mkdir(exist_ok=True)
    shutil.copyfile(ROOT / "snippets/__init__.py", root / "snippets/__init__.py")
    with contextlib.redirect_stdout(io.StringIO()):  # what it wrote is not the row's output
        assert extract.main(["--root", str(root)]) == 0


def edit_line(path: str, number: int, text: str):
    """Set-up: line ``number`` (1-based) of a file of the log replaced by ``text``."""
    def step(root: Path, inputs: Path):
        target = root / path
        lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[number - 1] = text + "\n"
        target.write_text("".join(lines), encoding="utf-8")
    return step


DEMO, DEMO_PY = "docs/papers/demo.md", "snippets/demo.py"
ONE_MODULE = (put(DEMO, exported("demo.py")), extracted)
TWO_MODULES = (put(DEMO, exported("demo.py")), put("docs/papers/zeta.md", exported("zeta.py", title="Z")), extracted)
EDITED = "edited by hand since tools/extract wrote it"
# tools/extract on a log whose snippets/ it wrote; each row then spoils one thing.
EXTRACT_CASES: list[Case] = [
    Case("extract-hand-edit-appended", "extract", (), rf"snippets/demo\.py:6: {EDITED} .*--force.*--show.*",
         setup=(*ONE_MODULE, append(DEMO_PY, "# my edit\n"))),
    Case("extract-hand-edit-in-a-line", "extract", (),
         rf"snippets/demo\.py:5: {EDITED} \(docs/papers/demo\.md:\d+ holds this code\).*",
         setup=(*ONE_MODULE, edit_line(DEMO_PY, 5, "    return x + 2"))),
    Case("extract-hand-edit-while-the-note-changed", "extract", (), rf"snippets/demo\.py:\d+: {EDITED} .*",
         setup=(*ONE_MODULE, edit_line(DEMO_PY, 5, "    return x + 2"),
                put(DEMO, exported("demo.py", "def f(x):\n    return x + 3\n")))),
    Case("extract-hand-edit-of-an-orphan", "extract", (), rf"snippets/demo\.py: {EDITED}, and no note exports it .*--force.*",
         setup=(*ONE_MODULE, append(DEMO_PY, "# my edit\n"), put(DEMO, "# D\n\nNo code any more.\n"))),
    Case("extract-not-generated", "extract", (), r"snippets/mine\.py: .*",
         setup=(*ONE_MODULE, put("snippets/mine.py", "x = 1\n"))),
    Case("extract-note-not-utf8", "extract", (), r"docs/papers/demo\.md:\d+: not UTF-8 .*",
         setup=(*ONE_MODULE, append(DEMO, "caf"), lambda root, inputs: (root / DEMO).open("ab").write(b"\xe9\n"))),
    Case("extract-note-nul", "extract", (), r"docs/papers/demo\.md:\d+(:\d+)?: .*U\+0000.*",
         setup=(*ONE_MODULE, put(DEMO, exported("demo.py", "x = '\x00'\n")))),
    Case("extract-code-escape-byte", "extract", (), r"docs/papers/demo\.md:\d+(:\d+)?: .*U\+001B.*",
         setup=(*ONE_MODULE, put(DEMO, exported("demo.py", "x = '\x1b[1m'\n")))),
    Case("extract-module-outside-snippets", "extract", (), r"docs/papers/demo\.md:7: .*",
         setup=(*ONE_MODULE, put(DEMO, exported("../x.py")))),
    Case("extract-module-not-a-name", "extract", (), r"docs/papers/demo\.md:7: .*",
         setup=(*ONE_MODULE, put(DEMO, exported("Moco-v2.py")))),
    Case("extract-module-a-keyword", "extract", (), r"docs/papers/demo\.md:7: .*class.*",
         setup=(*ONE_MODULE, put(DEMO, exported("class.py")))),
    Case("extract-module-two-notes", "extract", (), r"docs/papers/\w+\.md:7: .*demo\.py.*docs/papers/\w+\.md.*",
         setup=(*ONE_MODULE, put("docs/papers/zeta.md", exported("demo.py", title="Z")))),
    Case("extract-modules-differ-in-case", "extract", (), r"docs/papers/\w+\.md:7: .*",
         setup=(*ONE_MODULE, put("docs/papers/zeta.md", exported("Demo.py", title="Z")))),
    Case("extract-note-a-folder", "extract", (), r"docs/papers/x\.md: .*",
         setup=(*ONE_MODULE, folder("docs/papers/x.md"))),
    Case("extract-disk-full-on-the-second-module", "extract", (), r"snippets/zeta\.py: cannot write: No space left on device",
         setup=(*TWO_MODULES, put(DEMO, exported("demo.py", "y = 2\n")), put("docs/papers/zeta.md", exported("zeta.py", "z = 3\n", "Z"))),
         patches=(("tempfile.mkstemp", refuses_temporary_for("zeta.py", disk_full())),)),
    Case("extract-folder-refuses", "extract", (), r"snippets/demo\.py: cannot write: Permission denied",
         setup=(*ONE_MODULE, put(DEMO, exported("demo.py", "y = 2\n"))),
         patches=(("tempfile.mkstemp", fails(denied())),)),
    Case("extract-disk-full-at-fsync", "extract", (), r"snippets/demo\.py: cannot write: No space left on device",
         setup=(*ONE_MODULE, put(DEMO, exported("demo.py", "y = 2\n"))), patches=(("os.fsync", fails(disk_full())),)),
    Case("extract-ctrl-c", "extract", (), r"tools/extract: interrupted; nothing written", code=130,
         setup=(*TWO_MODULES, put(DEMO, exported("demo.py", "y = 2\n")), put("docs/papers/zeta.md", exported("zeta.py", "z = 3\n", "Z"))),
         patches=(("os.fsync", interrupt_after(os.fsync)),)),
]

CASES: list[Case] = NEW_WEEK_CASES + NEW_PAPER_CASES + IMPORT_CASES + BUILD_CASES + NOTE_CASES + EXTRACT_CASES


# -- running a row ------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def _argv(case: Case, inputs: Path) -> list[str]:
    return [arg.replace("{in}", str(inputs)) for arg in case.argv]


def _stdin(case: Case):
    if isinstance(case.stdin, bytes):
        return io.TextIOWrapper(io.BytesIO(case.stdin), encoding="utf-8")
    return io.StringIO(case.stdin or "")


def _main(function: Callable[[], int], capsys) -> Outcome:
    try:
        code = function()
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    out, err = capsys.readouterr()
    return Outcome(code, out, err)


def run_new_week(case: Case, root: Path, inputs: Path, capsys) -> Outcome:
    return _main(lambda: new_week.main(_argv(case, inputs), today=TODAY, root=root), capsys)


def run_new_paper(case: Case, root: Path, inputs: Path, capsys) -> Outcome:
    return _main(lambda: new_paper.main(_argv(case, inputs), today=TODAY, root=root, stdin=_stdin(case)), capsys)


def run_import_post(case: Case, root: Path, inputs: Path, capsys) -> Outcome:
    return _main(lambda: import_post.main(_argv(case, inputs), root=root), capsys)


def _config(root: Path):
    return types.SimpleNamespace(docs_dir=str(root / "docs"), config_file_path=str(root / "mkdocs.yml"), plugins={})


def _hook(function: Callable[[], object]) -> Outcome:
    """A hook's refusal as a command's: the PluginError's message on 'stderr', exit status 1."""
    from mkdocs.exceptions import PluginError

    try:
        function()
    except PluginError as exc:
        return Outcome(1, "", f"{exc}\n")
    return Outcome(0, "", "")


def run_papers_hook(case: Case, root: Path, inputs: Path, capsys) -> Outcome:
    from tools.site.hooks import papers

    files = types.SimpleNamespace(documentation_pages=lambda: [])
    return _hook(lambda: papers.on_files(files, _config(root)))


def run_extract(case: Case, root: Path, inputs: Path, capsys) -> Outcome:
    from tools import extract

    return _main(lambda: extract.main(["--root", str(root), *_argv(case, inputs)]), capsys)


def run_papers_notes(case: Case, root: Path, inputs: Path, capsys) -> Outcome:
    """The build's reading of every page's front matter: its warnings as a command's one line each."""
    import logging

    from tools.site.hooks import papers

    docs = root / "docs"
    pages = [
        types.SimpleNamespace(src_uri=path.relative_to(docs).as_posix(), content_string=path.read_text(encoding="utf-8"),
                              url=path.relative_to(docs).with_suffix("").as_posix() + "/")
        for path in sorted(docs.rglob("*.md"))
    ]
    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    papers.log.addHandler(handler)
    try:
        outcome = _hook(lambda: papers.on_files(types.SimpleNamespace(documentation_pages=lambda: pages), _config(root)))
    finally:
        papers.log.removeHandler(handler)
    if outcome.code or not warnings:
        return outcome
    return Outcome(1, "", "".join(f"{line}\n" for line in warnings))


class _Post:
    """What tools/site/hooks/blog.py reads of Material's blog post: its file and its date."""

    def __init__(self, path: Path, root: Path):
        source = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(source.split("---\n")[1]) or {}
        created = meta["date"]
        self.config = types.SimpleNamespace(date=types.SimpleNamespace(created=created))
        self.file = types.SimpleNamespace(abs_src_path=str(path), src_path=path.relative_to(root / "docs").as_posix(),
                                          content_string=source)


def run_blog_hook(case: Case, root: Path, inputs: Path, capsys) -> Outcome:
    from tools.site.hooks import blog

    posts = [_Post(path, root) for path in sorted((root / "docs/weekly/posts").rglob("*.md"))]
    return _hook(lambda: blog.check_one_report_a_week(posts, _config(root)))


RUNNERS: dict[str, Callable[..., Outcome]] = {
    "new_week": run_new_week,
    "new_paper": run_new_paper,
    "import_post": run_import_post,
    "papers-hook": run_papers_hook,
    "papers-notes": run_papers_notes,
    "extract": run_extract,
    "blog-hook": run_blog_hook,
}
PROGRAMS = {"new_week", "new_paper", "import_post"}  # their messages start "<name>: "


def run_script(case: Case, root: Path, inputs: Path) -> Outcome:
    """tools/<command> as a user runs it, on the log at root (copy_tools has given it the tools)."""
    tools = root / "tools"
    stdin = case.stdin.encode("utf-8") if isinstance(case.stdin, str) else (case.stdin or b"")
    result = subprocess.run([str(tools / case.command), *_argv(case, inputs)], input=stdin, capture_output=True,
                            cwd=inputs, env={**script_env(), "PYTHONDONTWRITEBYTECODE": "1"})
    return Outcome(result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace"))


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under folder."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def _changes(before: dict, after: dict) -> list[str]:
    added = [f"new: {name}" for name in after if name not in before]
    gone = [f"gone: {name}" for name in before if name not in after]
    changed = [f"changed: {name}" for name in before if name in after and before[name] != after[name]]
    return added + gone + changed


def _racing_plan(case: Case, root: Path):
    """For paper-references-changed-meanwhile: someone edits references.bib while new_paper runs."""
    plan = papers.plan_paper

    def racing(*args, **kwargs):
        planned = plan(*args, **kwargs)
        bib_file = root / BIB
        bib_file.write_text(bib_file.read_text(encoding="utf-8") + "\n% someone else's edit\n", encoding="utf-8")
        return planned
    return racing


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_bad_input_is_one_located_line_and_changes_nothing(case: Case, tmp_path: Path, capsys, monkeypatch):
    root = make_tree(tmp_path / "log")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for step in case.setup:
        step(root, inputs)
    if case.subprocess:
        copy_tools(root, case.command)
        before = snapshot(tmp_path)
        outcome = run_script(case, root, inputs)
    else:
        before = snapshot(tmp_path)
        with monkeypatch.context() as patched:
            for target, value in case.patches:
                if value is None:  # the one row whose replacement needs the root
                    value = _racing_plan(case, root)
                    before = None  # references.bib is edited by "someone else": checked below
                patched.setattr(target, value)
            outcome = RUNNERS[case.command](case, root, inputs, capsys)
    prefix = re.escape(f"{case.command}: ") if case.command in PROGRAMS else ""
    expected = prefix + case.message.replace("{in}", re.escape(str(inputs)))
    lines = [line for line in outcome.err.splitlines() if line.strip()]
    assert len(lines) == 1 and outcome.err == lines[0] + "\n", f"not one line on stderr:\n{outcome.err[:3000]}"
    assert re.fullmatch(expected, lines[0]), f"\n  got:      {lines[0]}\n  expected: {expected}"
    assert outcome.code == case.code, outcome
    assert outcome.out == ""
    after = snapshot(tmp_path)
    if before is None:  # only the other writer's edit, nothing of ours
        assert sorted(p.name for p in (root / "docs/papers").iterdir()) == ["index.md", "mae.md", "moco.md", "simclr.md"]
        assert (root / BIB).read_text(encoding="utf-8").endswith("% someone else's edit\n")
        assert not [name for name in after if name.endswith(".tmp")]
    else:
        assert _changes(before, after) == []


def test_the_table_has_a_hundred_rows_with_distinct_ids():
    assert len(CASES) >= 100
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.command for case in CASES} <= set(RUNNERS)


# -- what the table cannot say ---------------------------------------------------


@pytest.mark.parametrize("number, code, message", [
    (signal.SIGINT, 130, b"new_paper: interrupted; nothing written\n"),
    (signal.SIGTERM, 143, b"new_paper: terminated; nothing written\n"),
], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_for_real(tmp_path: Path, number: int, code: int, message: bytes):
    """A signal to tools/new_paper while it waits on standard input: one line, its status, nothing written."""
    root = make_tree(tmp_path / "log")
    tools = copy_tools(root, "new_paper")
    before = snapshot(tmp_path)
    child = subprocess.Popen([str(tools / "new_paper"), "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=tmp_path, env={**script_env(), "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        child.stdin.write(VIT.encode("utf-8")[:40])  # part of an entry; the rest never comes
        child.stdin.flush()
        deadline = time.monotonic() + 30
        while not _reading_stdin(child.pid):  # imports done, blocked in read(0, ...)
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.skip("cannot see the child wait on standard input (/proc/PID/syscall)")
            time.sleep(0.05)
        child.send_signal(number)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert (child.returncode, out, err) == (code, b"", message)
    assert _changes(before, snapshot(tmp_path)) == []


def _reading_stdin(pid: int) -> bool:
    """Whether the process is blocked in read() on file descriptor 0 (Linux x86-64 and arm64)."""
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return len(fields) > 1 and fields[0] in ("0", "63") and fields[1] == "0x0"


def test_a_full_disk_for_real(tmp_path: Path, capsys):
    """The log on a 64 KiB tmpfs, filled up: the message names the report, and nothing is left behind."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        root = make_tree(mount / "log")
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(filler, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(filler)
        before = snapshot(mount)
        assert new_week.main([], today=TODAY, root=root) == 1
        assert capsys.readouterr() == ("", f"new_week: {REPORT}: cannot write: No space left on device\n")
        assert _changes(before, snapshot(mount)) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_two_reports_in_a_week_fail_a_quiet_strict_build(tmp_path: Path):
    """mkdocs build --strict -q with tools/site/hooks/blog.py: the build fails and says why in one line."""
    root = make_tree(tmp_path / "log")
    (root / "docs/weekly/posts/2026-11-17.md").write_text(report("2026-11-17"), encoding="utf-8")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8") + f"hooks:\n  - {ROOT / 'tools/site/hooks/blog.py'}\n"
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "--site-dir", str(tmp_path / "site")],
                            cwd=root, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode != 0
    assert ("docs/weekly/posts/2026-11-17.md:2: a second report for the week of 2026-11-16 "
            "(docs/weekly/posts/2026-11-16.md:2)") in result.stderr


def test_one_report_a_week_is_accepted():
    """Reports in consecutive weeks, a Sunday next to the following Monday: no problem."""
    from tools.site.hooks.blog import second_reports

    day = dt.date
    assert second_reports([("a.md", day(2026, 11, 22), 2), ("b.md", day(2026, 11, 23), 2),
                           ("c.md", day(2026, 12, 28), 2), ("d.md", day(2027, 1, 4), 2)]) == []
    assert second_reports([("a.md", day(2026, 12, 28), 2), ("b.md", day(2027, 1, 3), 3)]) == [
        "b.md:3: a second report for the week of 2026-12-28 (a.md:2)"]


def test_without_hard_links_a_failed_run_still_leaves_nothing(tmp_path: Path, capsys, monkeypatch):
    """A file system without os.link: the note is copied into place, and removed when references.bib fails."""
    root = make_tree(tmp_path / "log")
    before = snapshot(tmp_path)
    monkeypatch.setattr("os.link", fails(OSError(errno.EPERM, os.strerror(errno.EPERM))))
    monkeypatch.setattr("os.replace", fails(disk_full()))
    assert new_paper.main(["-"], today=TODAY, root=root, stdin=io.StringIO(VIT)) == 1
    assert capsys.readouterr() == ("", "new_paper: docs/references.bib: cannot write: No space left on device\n")
    assert _changes(before, snapshot(tmp_path)) == []


def test_without_hard_links_the_note_is_still_written_once(tmp_path: Path, capsys, monkeypatch):
    root = make_tree(tmp_path / "log")
    monkeypatch.setattr("os.link", fails(OSError(errno.EPERM, os.strerror(errno.EPERM))))
    assert new_week.main([], today=TODAY, root=root) == 0
    assert capsys.readouterr() == (f"{REPORT}\n", "")
    assert new_week.main(["--date", "2026-11-24"], today=TODAY, root=root) == 1
    assert "already exists" in capsys.readouterr().err
    assert not [p for p in root.rglob("*.tmp")]


def test_ctrl_c_while_the_names_are_given_waits_for_them(tmp_path: Path, capsys, monkeypatch):
    """SIGINT between the note's link and references.bib's replace: both are written, and the command says so."""
    root = make_tree(tmp_path / "log")
    link = os.link

    def link_then_ctrl_c(*args, **kwargs):
        link(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # held: the handler records it, nothing is raised here

    monkeypatch.setattr("os.link", link_then_ctrl_c)
    assert new_paper.main(["-"], today=TODAY, root=root, stdin=io.StringIO(VIT)) == 0
    assert capsys.readouterr() == ("added 'dosovitskiy2021vit' to docs/references.bib\n"
                                   "docs/papers/an-image-is-worth-16x16.md\n", "")
    assert "dosovitskiy2021vit" in bib.load(root / BIB)
    assert not [p for p in root.rglob("*.tmp")]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
