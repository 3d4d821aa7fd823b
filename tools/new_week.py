"""Start this week's report: docs/weekly/posts/<Monday>.md.

    tools/new_week                      the week that contains today
    tools/new_week --date 2026-11-25    the week (Monday to Sunday) that contains that day
    tools/new_week --author lin         an author id from docs/weekly/.authors.yml (default: the first)
    tools/new_week --category CV        a category allowed in mkdocs.yml (repeatable)
    tools/new_week --dry-run            print the report; write nothing
    python -m tools.new_week            the same command

The report has the blog front matter (date, authors, categories, tags), the
title "Weekly report from YYYY.MM.DD to YYYY.MM.DD", the sections of the
existing reports (本周代码, 论文阅读, 下周计划), the papers whose notes say
``status: reading`` or ``status: queued``, and the unchecked ``- [ ]`` items of
the latest earlier report's 下周计划 (next week) section, carried over.

It never overwrites: a report whose front matter ``date`` falls in the same
ISO week, under any file name, is a refusal. So is anything wrong in what it
reads: front matter that is not YAML or has a field of the wrong kind
(``tags`` as a mapping, ``status`` not queued/reading/read), a control
character (line:column) or text that is not UTF-8 (the byte), in the reports
and paper notes as in .authors.yml and mkdocs.yml. Every refusal is one line
on stderr naming the file (and line), exit status 1; a bad command line (an
unknown option, a date that does not exist, one whose week ends after
9999-12-31) exits with 2; Ctrl-C is "new_week: interrupted; nothing
written", exit status 130. Nothing is written then: a folder that refuses
the file or a full disk is a refusal naming the report
(``docs/weekly/posts/2026-11-23.md: cannot write: Permission denied``), and
the temporary file it was written to is gone.
"""

# The helpers below (command lines, files, front matter, the blog's settings)
# are shared by tools/new_paper.py and tools/import_post.py.

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import os
import re
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from tools.log import files

ROOT = Path(__file__).resolve().parent.parent
POSTS = Path("docs/weekly/posts")
AUTHORS = Path("docs/weekly/.authors.yml")
PAPERS = Path("docs/papers")
MKDOCS = Path("mkdocs.yml")
STATUSES = ("queued", "reading", "read")

# The sections of a report, as the existing reports write them.
CODE_HEADING = "## 本周代码"
PAPERS_HEADING = "## 论文阅读"
NEXT_HEADING = "## 下周计划"
# A heading that opens the "next week" section of an earlier report.
NEXT_WEEK = re.compile(r"下周|next\s+week", re.IGNORECASE)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Refusal(Exception):
    """Why a command does nothing; str() is one line naming the file (and line)."""


class UsageError(Exception):
    """A bad value on the command line (exit status 2)."""


# -- command lines ------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line: ``new_week: error: unrecognized arguments: --x``."""

    def __init__(self, *args, **kwargs):
        # --help shows the module's docstring as written (usage lines, refusals).
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # noqa: D401 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parse_day(text: str) -> dt.date:
    """A calendar date written YYYY-MM-DD; UsageError for anything else."""
    if not DATE.fullmatch(text):
        raise UsageError(f"invalid date '{text}': write it as YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"invalid date '{text}': {exc}") from None
    if not week_fits(day):
        raise UsageError(f"invalid date '{text}': {WEEK_PAST_THE_CALENDAR}")
    return day


def one_line(message: str) -> str:
    """A message as one printable line: a line end or an escape in a file name or a value shows as \\n, \\x1b."""
    return re.sub("[\x00-\x1f\x7f-\x9f]", lambda m: repr(m[0])[1:-1], message)


class Terminated(BaseException):
    """SIGTERM, as an exception: the command stops as after Ctrl-C, leaving nothing behind."""


def _terminate(number, frame):
    raise Terminated


def run(prog: str, work) -> int:
    """Call work(); turn a Refusal or UsageError into one line on stderr and an exit status.

    Ctrl-C is one line too (exit status 130), and so is SIGTERM (143): whatever
    the command was doing, it had not written anything yet, and its temporary
    files are gone.
    """
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        work()
    except Refusal as exc:
        print(f"{prog}: {one_line(str(exc))}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"{prog}: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be read, say: still one line
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"{prog}: {one_line(name + str(exc.strerror or exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; nothing written", file=sys.stderr)
        return 130
    except Terminated:
        print(f"{prog}: terminated; nothing written", file=sys.stderr)
        return 143
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    return 0


# -- files ----------------------------------------------------------------------


def shown(path: Path, root: Path) -> str:
    """A path as messages show it: relative to the repository root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def control_character(text: str, where: str) -> None:
    """Refusal naming line and column of the first control character in text, if any."""
    found = files.control_at(text)
    if found is not None:
        line, column, character = found
        raise Refusal(f"{where}:{line}:{column}: control character U+{ord(character):04X}; "
                      "remove it (only tabs and line ends belong in text)")


def decode(data: bytes, where: str) -> str:
    """UTF-8 text without control characters; Refusal naming the byte or line:column otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(f"{where}: not UTF-8 (byte {exc.start})") from None
    control_character(text, where)
    return text


# What a file the commands read should have been, for one over files.FILE_LIMIT.
READABLE = "a note, a post or a .bib file"


def read_text(path: Path, root: Path, where: str | None = None) -> str:
    """A file's text; where (default: the path from the root) names it in a refusal."""
    where = where or shown(path, root)
    return decode(files.read_bytes(path, where, Refusal, READABLE), where)


def cannot_write(path: Path, root: Path, exc: OSError) -> Refusal:
    """A file system's refusal, naming the file we meant to write (not a temporary one)."""
    return Refusal(f"{shown(path, root)}: cannot write: {exc.strerror or os.strerror(exc.errno or errno.EIO)}")


def _make_folders(folder: Path, path: Path, root: Path) -> list[Path]:
    """Create folder and its missing parents; return those made, deepest first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    made: list[Path] = []
    for new in reversed(missing):
        try:
            new.mkdir()
        except FileExistsError:
            continue  # made meanwhile: not ours to remove
        except OSError as exc:
            _remove_folders(made)
            raise cannot_write(path, root, exc) from None
        made.insert(0, new)
    return made


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _temporary(path: Path, data: bytes, root: Path, mode: int | None = None) -> str:
    """data in a new temporary file next to path; Refusal naming path when the folder refuses it."""
    try:
        return files.write_temporary(path, data, files.new_file_mode() if mode is None else mode, ".tmp")
    except OSError as exc:
        raise cannot_write(path, root, exc) from None


@contextlib.contextmanager
def _held_interrupts():
    """Ctrl-C and SIGTERM wait while the files are put in place: yields a list
    of the signals that came meanwhile (the caller decides what they mean)."""
    caught: list[int] = []
    held = {}
    if threading.current_thread() is threading.main_thread():
        for number, ours in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, _terminate)):
            if signal.getsignal(number) is ours:
                held[number] = signal.signal(number, lambda number, frame: caught.append(number))
    try:
        yield caught
    finally:
        for number, handler in held.items():
            signal.signal(number, handler)


def _link(temp: str, path: Path, root: Path) -> None:
    """Give temp the name path, never replacing a file: os.link, or O_EXCL without hard links."""
    try:
        os.link(temp, path)
        return
    except FileExistsError:
        raise Refusal(f"{shown(path, root)}: already exists; not overwriting it") from None
    except OSError:
        pass  # a file system without hard links
    try:
        with open(temp, "rb") as source, open(path, "xb") as out:
            try:
                out.write(source.read())
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                out.close()
                os.unlink(path)
                raise
    except FileExistsError:
        raise Refusal(f"{shown(path, root)}: already exists; not overwriting it") from None
    except OSError as exc:
        raise cannot_write(path, root, exc) from None


def write_files(root: Path, new: list[tuple[Path, str]], replace: tuple[Path, str, str] | None = None) -> None:
    """Write new files and replace at most one, all or nothing.

    new: (path, text) for files that must not exist; replace: (path, old, new)
    for a file whose text must still be old. Every text goes first to a
    temporary file next to its target; only then are the targets given their
    names (os.link, which fails when the name is taken; os.replace for the one
    replaced). A refusal, a full disk or Ctrl-C before that leaves nothing
    behind, temporary files and new folders included. Readers see no file or
    the whole file, never a part of it.
    """
    temps: list[str] = []
    folders: list[Path] = []
    placed: list[Path] = []
    done = False
    targets = [(path, text, None) for path, text in new]
    if replace is not None:
        path, old, text = replace
        targets.append((path, text, old))
    try:
        for path, text, old in targets:
            folders += _make_folders(path.parent, path, root)
            mode = None
            if old is not None:
                try:
                    mode = path.stat().st_mode & 0o777 if path.exists() else None
                except OSError as exc:
                    raise cannot_write(path, root, exc) from None
            temps.append(_temporary(path, text.encode("utf-8"), root, mode))
        with _held_interrupts() as interrupted:
            if interrupted:  # it came while the last temporary file was written: stop here
                raise Terminated if signal.SIGTERM in interrupted else KeyboardInterrupt
            if replace is not None:
                path, old, _ = replace
                try:
                    current = path.read_bytes().decode("utf-8") if path.exists() else ""
                except (OSError, UnicodeDecodeError):
                    current = None
                if current != old:
                    raise Refusal(f"{shown(path, root)}: changed while this command ran; run it again")
            for (path, _, _), temp in zip(targets[:len(new)], temps):
                _link(temp, path, root)
                placed.append(path)
            if replace is not None:
                try:
                    os.replace(temps[-1], replace[0])
                except OSError as exc:
                    raise cannot_write(replace[0], root, exc) from None
            # A Ctrl-C that came while the names were given is too late to undo:
            # everything is written, and the command says so.
        done = True
    except BaseException:
        # Ours to remove: each new name that is one of our temporary files, whether
        # or not the link was seen to succeed (Ctrl-C may come just after it).
        for (path, _, _), temp in zip(targets[:len(new)], temps):
            with contextlib.suppress(OSError):
                if path in placed or os.path.samefile(temp, path):
                    path.unlink()
        raise
    finally:
        for temp in temps:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        if not done:  # a failure: the folders made for it go too
            _remove_folders(folders)


def create_file(path: Path, text: str, root: Path) -> None:
    """Write a new file atomically; never replace one that exists (even one made meanwhile)."""
    write_files(root, [(path, text)])


def replace_file(path: Path, old: str, new: str, root: Path) -> None:
    """Replace a file's text atomically, unless it changed since it was read as ``old``."""
    write_files(root, [], (path, old, new))


# -- front matter -----------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML as MkDocs reads front matter (safe; dates become datetime.date)."""


@dataclass(frozen=True)
class FrontMatter:
    data: dict
    lines: dict[str, int]  # field -> 1-based line in the file
    body: str  # everything after the closing '---' line, as written
    body_line: int  # 1-based line where the body starts

    def line(self, name: str) -> int:
        return self.lines.get(name, 1)


FENCE = re.compile(r"---[ \t]*\r?\n")


def split_front_matter(text: str, where: str) -> tuple[str, str, int] | None:
    """(YAML text, body, body's first line) or None when the text has no front matter."""
    if not FENCE.match(text):
        return None
    start = FENCE.match(text).end()
    closing = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE).search(text, start)
    if closing is None:
        raise Refusal(f"{where}:1: front matter is not closed (no second '---' line)")
    yaml_text = text[start:closing.start()]
    body = text[closing.end():]
    return yaml_text, body, text.count("\n", 0, closing.end()) + 1


def parse_front_matter(text: str, where: str, loader=_Loader, required: bool = False) -> FrontMatter:
    """The front matter of a Markdown file; Refusal with file:line for bad YAML."""
    parts = split_front_matter(text, where)
    if parts is None:
        if required:
            raise Refusal(f"{where}:1: no front matter (the file must start with a '---' line)")
        return FrontMatter({}, {}, text, 1)
    yaml_text, body, body_line = parts
    data, lines = load_mapping(yaml_text, where, 2, loader)
    return FrontMatter(data, lines, body, body_line)


def load_mapping(yaml_text: str, where: str, first_line: int, loader=_Loader) -> tuple[dict, dict[str, int]]:
    """Front matter YAML (starting on first_line of the file): its fields and each field's line."""
    try:
        node = yaml.compose(yaml_text, Loader=loader)
        alias = _alias(node)
        if alias is not None:
            raise Refusal(f"{where}:{alias + first_line}: front matter uses a YAML alias "
                          "(&name ... *name); write the value out")
        data = yaml.load(yaml_text, Loader=loader) if node is not None else {}
    except RecursionError:
        raise Refusal(f"{where}:{first_line}: front matter is nested too deeply") from None
    except yaml.YAMLError as exc:
        # Where the construct began (an unclosed quote) says more than where reading stopped.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        problem = f"{context}, {problem}" if context else problem
        raise Refusal(f"{where}:{line}: front matter is not valid YAML: {problem}") from None
    except ValueError as exc:  # a value YAML reads but cannot build: date: 2026-02-30
        line, name, value = _bad_value(node, loader, first_line)
        raise Refusal(f"{where}:{line}: {name}: '{value}' is not valid: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, (yaml.MappingNode, type(None))):
        raise Refusal(f"{where}:{first_line}: front matter must be 'name: value' lines")
    lines: dict[str, int] = {}
    if node is not None:
        for key, _ in node.value:
            name = str(key.value)
            if name in lines:
                raise Refusal(f"{where}:{key.start_mark.line + first_line}: '{name}' appears twice in the front matter")
            lines[name] = key.start_mark.line + first_line
    return data, lines


def _alias(node) -> int | None:
    """0-based line of the field where a node is met a second time (a YAML alias), or None."""
    seen: set[int] = set()
    stack = [(node, 0)] if node is not None else []
    while stack:
        current, line = stack.pop()
        if id(current) in seen:
            return line
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack += [(item, line) for item in reversed(current.value)]
        elif isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                stack += [(value, key.start_mark.line), (key, key.start_mark.line)]
    return None


def _bad_value(node, loader, first_line: int) -> tuple[int, str, str]:
    """Line, field and text of the first value that YAML cannot build."""
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        try:
            loader("").construct_object(value, deep=True)
        except ValueError:
            text = value.value if isinstance(value, yaml.ScalarNode) else "..."
            return value.start_mark.line + first_line, str(key.value), text
    return first_line, "front matter", "..."


TEXT, NAMES = "text", "names"  # what a front matter field holds: one value, or a list of them


def described(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    return f"'{value}'"


def is_scalar(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def field_problems(data: dict, line_of, where: str, kinds: dict[str, str]):
    """(field, located problem ``where:line: ...``) per field of data whose value is not of
    its kind; line_of(name) is the field's line.

    TEXT: a string (or a number, which YAML reads from `title: 1984`); NAMES: a
    list of those ([CV, NLP]). An empty field is fine: it means nothing.
    """
    for name, kind in kinds.items():
        value = data.get(name)
        if value is None:
            continue
        at = f"{where}:{line_of(name)}"
        if kind == TEXT and not is_scalar(value):
            yield name, f"{at}: {name} must be text, not {described(value)}"
        elif kind == NAMES:
            if not isinstance(value, list):
                yield name, f"{at}: {name} must be a list ({name}: [a, b]), not {described(value)}"
            else:
                holding = next((item for item in value if not is_scalar(item)), None)
                if holding is not None:
                    yield name, f"{at}: {name} must be a list of names, not one holding {described(holding)}"


def check_fields(front: FrontMatter, where: str, kinds: dict[str, str]) -> None:
    """Refusal naming file:line of the first field whose value is not of its kind (field_problems)."""
    for _, problem in field_problems(front.data, front.line, where, kinds):
        raise Refusal(problem)


REPORT_FIELDS = {"title": TEXT, "description": TEXT, "authors": NAMES, "categories": NAMES, "tags": NAMES}
NOTE_FIELDS = {"title": TEXT, "bib": TEXT, "tags": NAMES}


def read_front_matter(path: Path, root: Path, **kwargs) -> FrontMatter:
    return parse_front_matter(read_text(path, root), shown(path, root), **kwargs)


def to_date(value, where: str, name: str = "date") -> dt.date:
    """A front matter date (a YAML date, a datetime, a string, or Material's {created: ...})."""
    if isinstance(value, dict) and "created" in value:
        value = value["created"]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", value.strip())
        if match:
            try:
                return dt.date.fromisoformat(match[1])
            except ValueError:
                pass
    raise Refusal(f"{where}: {name} must be a date YYYY-MM-DD, not {described(value)}")


def yaml_value(value) -> str:
    """One front matter value, written on one line (quoted only where YAML needs it)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def front_matter_text(fields: dict) -> str:
    return "---\n" + "".join(f"{name}: {yaml_value(value)}\n" for name, value in fields.items()) + "---\n"


# -- the blog's settings -------------------------------------------------------------


def field_line(source: str, name: str) -> int:
    """1-based line of a front-matter field in a page's source (1 when it is missing)."""
    match = re.search(rf"^{re.escape(name)}\s*:", source, re.MULTILINE)
    return source.count("\n", 0, match.start()) + 1 if match else 1


def yaml_line(exc: yaml.YAMLError) -> int:
    """1-based line of a YAML error: where the construct began (an unclosed '['), else where reading stopped."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else 1


def author_ids(root: Path) -> list[str]:
    """The author ids of docs/weekly/.authors.yml, in file order."""
    path = root / AUTHORS
    matter = read_text(path, root)
    try:
        data = yaml.safe_load(matter)
    except yaml.YAMLError as exc:
        raise Refusal(f"{AUTHORS}:{yaml_line(exc)}: not valid YAML") from None
    except (ValueError, RecursionError):  # a date that does not exist, nesting without end
        raise Refusal(f"{AUTHORS}:1: not valid YAML") from None
    authors = data.get("authors") if isinstance(data, dict) else None
    if not isinstance(authors, dict) or not authors:
        raise Refusal(f"{AUTHORS}:1: no authors (expected 'authors:' with one id per author)")
    return [str(name) for name in authors]


def choose_author(root: Path, author: str | None) -> str:
    ids = author_ids(root)
    if author is None:
        return ids[0]
    if author not in ids:
        raise Refusal(f"{AUTHORS}: unknown author '{author}' (known: {', '.join(ids)})")
    return author


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml with its !ENV and !!python tags read as nothing: we only want plain settings."""


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def allowed_categories(root: Path) -> list[str] | None:
    """The blog plugin's categories_allowed in mkdocs.yml; None when any category is allowed."""
    path = root / MKDOCS
    if not path.exists():
        return None
    try:
        config = yaml.load(read_text(path, root), Loader=_ConfigLoader) or {}
    except yaml.YAMLError as exc:
        raise Refusal(f"{MKDOCS}:{yaml_line(exc)}: not valid YAML") from None
    except (ValueError, RecursionError):
        raise Refusal(f"{MKDOCS}:1: not valid YAML") from None
    if not isinstance(config, dict):
        raise Refusal(f"{MKDOCS}:1: not a mapping of settings")
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("blog"), dict):
            allowed = plugin["blog"].get("categories_allowed")
            if allowed and (not isinstance(allowed, list) or not all(is_scalar(c) for c in allowed)):
                raise Refusal(f"{MKDOCS}: the blog's categories_allowed must be a list of names")
            return [str(c) for c in allowed] if allowed else None
    return None


def check_categories(root: Path, categories: list[str]) -> None:
    allowed = allowed_categories(root)
    for category in categories:
        if allowed is not None and category not in allowed:
            raise Refusal(f"{MKDOCS}: category '{category}' is not in the blog's categories_allowed ({', '.join(allowed)})")


# -- weeks and reports ----------------------------------------------------------------


WEEK_PAST_THE_CALENDAR = "its week ends after 9999-12-31, the last day there is"


def week_fits(day: dt.date) -> bool:
    """Whether the Sunday of day's week is a date (the week of 9999-12-31 ends in the year 10000)."""
    return (dt.date.max - day).days >= 6 - day.weekday()


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week that contains day."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def title_of_week(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    return f"Weekly report from {monday:%Y.%m.%d} to {sunday:%Y.%m.%d}"


@dataclass(frozen=True)
class Report:
    path: Path
    date: dt.date
    front: FrontMatter


def reports(root: Path) -> list[Report]:
    """Every weekly report under docs/weekly/posts, oldest first."""
    found = []
    folder = root / POSTS
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        front = read_front_matter(path, root)
        check_fields(front, shown(path, root), REPORT_FIELDS)
        where = f"{shown(path, root)}:{front.line('date')}"
        if "date" not in front.data:
            raise Refusal(f"{where}: a weekly report needs 'date' in its front matter")
        found.append(Report(path, to_date(front.data["date"], where), front))
    return sorted(found, key=lambda r: (r.date, r.path))


def report_in_week(root: Path, monday: dt.date) -> Report | None:
    """The report whose date falls in the ISO week starting on monday, if any."""
    sunday = monday + dt.timedelta(days=6)
    return next((r for r in reports(root) if monday <= r.date <= sunday), None)


MARKDOWN = MarkdownIt("commonmark").use(front_matter_plugin)


def open_items(body: str) -> list[str]:
    """The unchecked task items ('- [ ] ...') of a report's next-week section."""
    tokens = MARKDOWN.parse(body)
    items: list[str] = []
    inside = False
    level = 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = tokens[i + 1].content
            if inside and int(token.tag[1]) <= level:
                inside = False
            if not inside and NEXT_WEEK.search(heading):
                inside, level = True, int(token.tag[1])
        elif inside and token.type == "inline" and tokens[i - 1].type == "paragraph_open" and i >= 2 \
                and tokens[i - 2].type == "list_item_open":
            match = re.match(r"\[ \][ \t]+(.+)", token.content, re.DOTALL)
            if match:
                item = " ".join(match[1].split())
                if item not in items:
                    items.append(item)
    return items


# -- the reading queue -----------------------------------------------------------------


@dataclass(frozen=True)
class QueuedPaper:
    path: Path
    title: str
    status: str
    since: dt.date | None  # started (reading) or added (queued)


def paper_title(front: FrontMatter, path: Path, root: Path) -> str:
    if front.data.get("title"):
        return str(front.data["title"])
    tokens = MARKDOWN.parse(front.body)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return tokens[i + 1].content
    key = front.data.get("bib")
    if key:
        from tools.new_paper import references

        papers = references(root)
        if str(key) in papers:
            return papers[str(key)].title
    return path.stem


def reading_queue(root: Path) -> list[QueuedPaper]:
    """Paper notes with status reading, then queued; by date, then path."""
    queue = []
    folder = root / PAPERS
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        front = read_front_matter(path, root)
        check_fields(front, shown(path, root), NOTE_FIELDS)
        status = front.data.get("status")
        if status is None:
            continue
        if not isinstance(status, str) or status not in STATUSES:
            raise Refusal(f"{shown(path, root)}:{front.line('status')}: status must be one of "
                          f"{', '.join(STATUSES)}, not {described(status)}")
        if status == "read":
            continue
        name = "started" if status == "reading" else "added"
        since = None
        if front.data.get(name) is not None:
            since = to_date(front.data[name], f"{shown(path, root)}:{front.line(name)}", name)
        queue.append(QueuedPaper(path, paper_title(front, path, root), status, since))
    order = {"reading": 0, "queued": 1}
    return sorted(queue, key=lambda p: (order[p.status], p.since or dt.date.max, p.path))


# -- the report -------------------------------------------------------------------------


def render_report(monday: dt.date, author: str, categories: list[str], queue: list[QueuedPaper],
                  carried: list[str], previous: Report | None, root: Path) -> str:
    post_folder = root / POSTS
    lines = [
        front_matter_text({"date": monday, "authors": [author], "categories": categories, "tags": []}),
        f"# {title_of_week(monday)}",
        "",
        "<!-- 一段话：这周做了什么。博客首页只显示 more 标记以上的部分。 -->",
        "",
        "<!-- more -->",
        "",
        CODE_HEADING,
        "",
        "<!-- ### 每件事一个小节：做了什么、结果、代码（```python 块会被测试运行）。 -->",
        "",
        PAPERS_HEADING,
        "",
    ]
    if queue:
        for status, label in (("reading", "正在读"), ("queued", "待读")):
            group = [p for p in queue if p.status == status]
            if not group:
                continue
            lines.append(f"{label}：")
            lines.append("")
            for paper in group:
                link = os.path.relpath(paper.path, post_folder).replace(os.sep, "/")
                since = f"（{'开始于' if status == 'reading' else '加入于'} {paper.since.isoformat()}）" if paper.since else ""
                lines.append(f"- [{paper.title}]({link}){since}")
            lines.append("")
    else:
        lines += ["<!-- 没有 status: reading 或 queued 的论文笔记；用 tools/new_paper 加一篇。 -->", ""]
    lines += [NEXT_HEADING, ""]
    if carried:
        source = os.path.relpath(previous.path, post_folder).replace(os.sep, "/")
        lines.append(f"<!-- 从上周（{source}）延续的未完成项 -->")
        lines += [f"- [ ] {item}" for item in carried]
    else:
        lines.append("<!-- - [ ] 下周要做的事；没勾掉的会被下一份周报带过去 -->")
    lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class NewWeek:
    path: Path
    text: str


def plan_week(root: Path, day: dt.date, author: str | None = None,
              categories: list[str] | None = None) -> NewWeek:
    """The report for the week containing day: where it goes and what it says. Writes nothing."""
    categories = list(categories or [])
    monday, _ = week_of(day)
    chosen = choose_author(root, author)
    check_categories(root, categories)
    known = reports(root)
    sunday = monday + dt.timedelta(days=6)
    existing = next((r for r in known if monday <= r.date <= sunday), None)
    if existing is not None:
        raise Refusal(f"{shown(existing.path, root)}:{existing.front.line('date')}: the report for the week of "
                      f"{monday.isoformat()} already exists (date: {existing.date.isoformat()}); not writing another")
    path = root / POSTS / f"{monday.isoformat()}.md"
    if path.exists():
        raise Refusal(f"{shown(path, root)}: already exists; not overwriting it")
    earlier = [r for r in known if r.date < monday]
    previous = earlier[-1] if earlier else None
    carried = open_items(previous.front.body) if previous else []
    queue = reading_queue(root)
    return NewWeek(path, render_report(monday, chosen, categories, queue, carried, previous, root))


def new_week(root: Path, day: dt.date, author: str | None = None, categories: list[str] | None = None,
             dry_run: bool = False) -> NewWeek:
    """Create the report for the week containing day (unless dry_run); return it."""
    week = plan_week(root, day, author, categories)
    if not dry_run:
        create_file(week.path, week.text, root)
    return week


def main(argv: list[str] | None = None, today: dt.date | None = None, root: Path = ROOT) -> int:
    parser = Parser(prog="new_week", description=__doc__)
    parser.add_argument("--date", help="a day of the week, YYYY-MM-DD (default: today)")
    parser.add_argument("--author", help="author id from docs/weekly/.authors.yml (default: the first)")
    parser.add_argument("--category", action="append", default=[],
                        help="a category from mkdocs.yml's categories_allowed (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="print the report; write nothing")
    args = parser.parse_args(argv)

    def work():
        day = parse_day(args.date) if args.date is not None else (today or dt.date.today())
        week = new_week(root, day, args.author, args.category, dry_run=args.dry_run)
        if args.dry_run:
            print(f"would write {shown(week.path, root)}:")
            print(week.text, end="")
        else:
            print(shown(week.path, root))

    return run("new_week", work)


if __name__ == "__main__":
    sys.exit(main())
