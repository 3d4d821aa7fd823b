"""The code a note exports: its fences titled ``snippets/<name>.py``, and the modules made of them.

parse_fences reads a note's Python fences with markdown-it-py (what the site's
Markdown has that moves a fence included), modules_of groups the exported ones
by module, render writes a module with its banner and per-block source lines,
and plan / refusals / apply are the steps of tools/extract: what would change,
what must not be overwritten (a hand-edited module), and the all-or-nothing
write. code_digest is the hash that the verified badges compare.
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import os
import re
import shlex
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING

from tools.log import files

if TYPE_CHECKING:  # markdown-it is imported where it is used, so that Ctrl-C while it loads reaches main()
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.token import Token

ROOT = Path(__file__).resolve().parents[2]
DOCS = "docs"
PACKAGE = "snippets"
# Files of snippets/ that the extractor does not generate but expects.
STATIC_FILES = ("__init__.py", "verified.json")
# Language names that make a fence Python (Pygments' aliases).
PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3"})
BANNER = "# Generated from {source} by tools/extract; edit the note, not this file."
GENERATED = re.compile(r"# Generated from (?P<source>\S+) by tools/extract;")
# The end of the banner: what tools/extract wrote below it, as a hash (see body_digest).
RECORD = " (sha256 of the lines below: {digest})"
RECORDED = re.compile(r" \(sha256 of the lines below: (?P<digest>[0-9a-f]{16})\)$")
MODULE_TITLE = re.compile(r"snippets/(?P<name>[A-Za-z_][A-Za-z0-9_]*)\.py")
# The temporary file a module is written to before it is renamed over the module
# (files.write_temporary names it .<module>.<random><suffix>).
TEMPORARY_SUFFIX = ".extract-tmp"
LEFTOVER = re.compile(r"\..+\.py\..+\.extract-tmp")
# Characters exported code may not hold: control characters other than the tab (invisible
# on the page; a form feed, vertical tab, file separator, NEL, U+2028 or U+2029 would also
# break the module's lines, as str.splitlines reads them, from the note's).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Material's containers: admonitions, collapsible details, content tabs.
# As Python-Markdown reads them: "!!! note", "!!!note", "???+ tip "Title"", "=== "Tab"".
CONTAINER = re.compile(r'(?:!!!|\?\?\?\+?)[ \t]*[\w"-]|===[!+]{0,2}[ \t]+"')


def code_digest(text: str) -> str:
    """The sha256 a verification record names: of a generated module without its block-line
    comments (``# docs/x.md:12``), which move when text above a block changes in its note
    although the code does not, and without the record at the end of its banner (which
    follows every change of the file, block lines included). Any other text, generated or
    not, is hashed whole."""
    banner = GENERATED.match(text)
    if banner:
        text = unrecorded(text)
        marker = re.compile(rf"# {re.escape(banner['source'])}:\d+")
        text = "\n".join(line for line in text.split("\n") if not marker.fullmatch(line))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def body_digest(body: str) -> str:
    """What a generated module's banner records: the start of the sha256 of the lines below it."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def provenance(text: str) -> str:
    """Who wrote a file of snippets/, as far as it tells: "hand" (no banner), "older" (a banner
    without a record, from an older tools/extract), "generated" (its lines are those its banner
    records) or "edited" (they are not: changed by hand since)."""
    first, _, body = text.partition("\n")
    if not GENERATED.match(first):
        return "hand"
    record = RECORDED.search(first)
    if record is None:
        return "older"
    return "generated" if record["digest"] == body_digest(body) else "edited"


def unrecorded(text: str) -> str:
    """A module's text with its banner as an older tools/extract wrote it: without the record."""
    first, newline, body = text.partition("\n")
    return RECORDED.sub("", first, count=1) + newline + body


class NoteError(Exception):
    """A problem in a note: the message is one line, ``path:line: problem``."""


@dataclass(frozen=True)
class Fence:
    """One fenced code block of a note."""

    path: str  # the note, relative to the root: docs/papers/moco.md
    line: int  # 1-based line of the opening fence
    info: str  # the info string as written: python title="snippets/moco.py"
    language: str  # lower case: python, py, text, ... ("" when none)
    attributes: tuple[tuple[str, str], ...]
    code: str
    comments: tuple[str, ...]  # HTML comments on the lines just above, inner text

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON_LANGUAGES

    @property
    def title(self) -> str | None:
        return dict(self.attributes).get("title")

    @property
    def module(self) -> str | None:
        """The module this fence exports to, or None. Raises on a bad target."""
        title = self.title
        if not self.is_python or title is None or not title.endswith(".py"):
            return None
        match = MODULE_TITLE.fullmatch(title)
        if match is None or match["name"] == "__init__":
            raise NoteError(
                f"{self.path}:{self.line}: title {title!r} is not snippets/<name>.py "
                "(exported code goes to a module directly inside snippets/)"
            )
        if keyword.iskeyword(match["name"]):
            raise NoteError(
                f"{self.path}:{self.line}: title {title!r} names a module that cannot be imported "
                f"({match['name']} is a Python keyword)"
            )
        return match["name"]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Module:
    """A module of snippets/ and the fences of the one note it comes from."""

    name: str
    source: str  # the note: docs/papers/moco.md
    fences: tuple[Fence, ...]

    @property
    def path(self) -> str:
        return f"{PACKAGE}/{self.name}.py"

    def render(self) -> str:
        return render(self.source, self.fences)

    def note_line(self, index: int) -> int:
        """The line of the note that holds line ``index`` (0-based) of render(): a block's
        code line is its line in the note; its comment, its fence; the blank line after it,
        and anything past the end, the fence that closes it; the banner, the first fence."""
        lines = [self.fences[0].line] * 2
        for fence in self.fences:
            lines.append(fence.line)
            lines += range(fence.line + 1, fence.line + 1 + len(fence.code.rstrip("\n").split("\n")))
            lines.append(fence.line + fence.code.count("\n") + 1)
        return lines[min(index, len(lines) - 1)]


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def _container(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Material's ``!!! type``, ``??? type`` and ``=== "tab"`` blocks.

    As in Python-Markdown, the body is every following line indented four
    spaces more than the marker, blank lines included, up to the first
    non-blank line indented less. The body is parsed as Markdown.
    """
    if state.is_code_block(start):
        return False
    first = state.bMarks[start] + state.tShift[start]
    if not CONTAINER.match(state.src, first, state.eMarks[start]):
        return False
    if silent:
        return True
    indent = state.sCount[start] + 4
    line, last = start + 1, start
    while line < end:
        if not state.isEmpty(line):
            if state.sCount[line] < indent:
                break
            last = line
        line += 1
    close = last + 1
    saved = state.parentType, state.lineMax, state.blkIndent
    token = state.push("container_open", "div", 1)
    token.info = state.src[first : state.eMarks[start]]
    token.map = [start, close]
    state.parentType, state.lineMax, state.blkIndent = "container", close, indent
    state.md.block.tokenize(state, start + 1, close)
    state.push("container_close", "div", -1)
    state.parentType, state.lineMax, state.blkIndent = saved
    state.line = close
    return True


def markdown_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark")
    md.use(front_matter_plugin).use(footnote_plugin).use(deflist_plugin)
    md.block.ruler.before(
        "fence", "material_container", _container, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    return md


def split_info(info: str, where: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Language and attributes of an info string.

    ``python title="a.py" hl_lines="1 2"`` and ``{ .python title="a.py" }``
    both give ("python", (("title", "a.py"), ("hl_lines", "1 2"))).
    """
    try:
        words = shlex.split(info)
    except ValueError as error:
        raise NoteError(f"{where}: cannot read the fence's attributes {info!r}: {error}") from None
    language, attributes = "", []
    for word in words:
        word = word.strip("{}")
        if not word:
            continue
        key, equals, value = word.partition("=")
        if equals:
            attributes.append((key, value))
        elif not language and not attributes:
            language = word.removeprefix(".").lower()
    return language, tuple(attributes)


def _is_closing(text: str, markup: str) -> bool:
    text = text.strip()
    return len(text) >= len(markup) and text == markup[0] * len(text)


def _comments_above(tokens: list[Token], index: int) -> tuple[str, ...]:
    """Inner text of the one-line HTML comments directly above token ``index``."""
    found: list[str] = []
    index -= 1
    while index >= 0 and tokens[index].type == "html_block":
        for text in reversed(tokens[index].content.strip().splitlines()):
            text = text.strip()
            if not (text.startswith("<!--") and text.endswith("-->")):
                return tuple(reversed(found))
            found.append(text[4:-3].strip())
        index -= 1
    return tuple(reversed(found))


def parse_fences(text: str, path: str) -> list[Fence]:
    """Every fenced code block of a note, in page order."""
    lines = text.split("\n")
    tokens = markdown_parser().parse(text)
    fences = []
    for index, token in enumerate(tokens):
        if token.type != "fence" or token.map is None:
            continue
        start, end = token.map
        where = f"{path}:{start + 1}"
        if end - start < 2 or not _is_closing(lines[end - 1], token.markup):
            raise NoteError(f"{where}: the fence {token.markup}{token.info} is never closed")
        language, attributes = split_info(token.info, where)
        fences.append(
            Fence(
                path=path,
                line=start + 1,
                info=token.info.strip(),
                language=language,
                attributes=attributes,
                code=token.content,
                comments=_comments_above(tokens, index),
            )
        )
    return fences


def read_note(file: Path, root: Path) -> tuple[str, str]:
    """The note's path relative to root and its text; a file that is not UTF-8 raises."""
    path = file.relative_to(root).as_posix()
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # as MkDocs reads it: a BOM is not text
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise NoteError(f"{path}:{line}: not UTF-8 (byte 0x{data[error.start]:02x}); save the note as UTF-8") from None
    text = text.replace("\r\n", "\n")
    for character, problem in (
        ("\x00", "a NUL character (U+0000), which Markdown reads as U+FFFD; remove it"),
        ("\r", "a carriage return without a line feed, which Markdown reads as a line end; save the note with \\n line ends"),
    ):
        found = text.find(character)
        if found >= 0:
            raise NoteError(f"{path}:{text.count(chr(10), 0, found) + 1}: {problem}")
    return path, text


def note_files(root: Path) -> list[Path]:
    """docs/**/*.md in path order, without hidden files and folders."""
    docs = root / DOCS
    if not docs.is_dir():
        return []
    return sorted(
        file for file in docs.rglob("*.md") if not any(part.startswith(".") for part in file.relative_to(docs).parts)
    )


def all_fences(root: Path) -> tuple[list[Fence], list[str]]:
    """Every fence of every note, and the problems found (one line each)."""
    fences: list[Fence] = []
    errors: list[str] = []
    for file in note_files(root):
        try:
            path, text = read_note(file, root)
            fences += parse_fences(text, path)
        except NoteError as error:
            errors.append(str(error))
        except OSError as error:
            errors.append(f"{file.relative_to(root).as_posix()}: cannot read: {error.strerror or error}")
    return fences, errors


def modules_of(fences: list[Fence]) -> tuple[dict[str, Module], list[str]]:
    """The modules the fences export, and the problems found."""
    found: dict[str, list[Fence]] = {}
    errors: list[str] = []
    for fence in fences:
        try:
            name = fence.module
        except NoteError as error:
            errors.append(str(error))
            continue
        if name is None:
            if fence.title and fence.title.startswith(f"{PACKAGE}/"):
                errors.append(f"{fence.where}: only a Python fence can export to {fence.title}")
            continue
        owner = found.setdefault(name, [fence])[0]
        if owner.path != fence.path:
            errors.append(
                f"{fence.where}: {PACKAGE}/{name}.py is already exported by {owner.where} (one note per module)"
            )
        elif owner is not fence:
            found[name].append(fence)
    modules = {name: Module(name, group[0].path, tuple(group)) for name, group in sorted(found.items())}
    folded: dict[str, Module] = {}
    for module in sorted(modules.values(), key=lambda module: module.fences[0].where):
        other = folded.setdefault(module.name.casefold(), module)
        if other is not module:
            errors.append(
                f"{module.fences[0].where}: {module.path} and {other.path} (exported by {other.fences[0].where}) "
                "differ only in case: one file on macOS and Windows; rename one"
            )
    for module in modules.values():
        marker = re.compile(rf"# {re.escape(module.source)}:\d+")
        for fence in module.fences:
            for number, text in enumerate(fence.code.split("\n")):
                where = f"{module.source}:{fence.line + 1 + number}"
                if marker.fullmatch(text):
                    errors.append(f"{where}: this line looks like the block markers of the generated file; reword the comment")
                control = CONTROL.search(text)
                if control:
                    errors.append(
                        f"{where}: exported code holds the control character U+{ord(control[0]):04X}; "
                        f"remove it, or write it as an escape ({ascii(control[0])[1:-1]}) in a string"
                    )
    return modules, errors


def render(source: str, fences: tuple[Fence, ...] | list[Fence]) -> str:
    """The text of a generated module: its banner, recording the lines below it, and its blocks."""
    parts = [""]
    for fence in fences:
        parts += [f"# {source}:{fence.line}", fence.code.rstrip("\n"), ""]
    body = "\n".join(parts).rstrip("\n") + "\n"
    return BANNER.format(source=source) + RECORD.format(digest=body_digest(body)) + "\n" + body


def modules_in_note(text: str, path: str) -> dict[str, str]:
    """Module name -> generated text, for the modules one note exports."""
    modules, errors = modules_of(parse_fences(text, path))
    if errors:
        raise NoteError(errors[0])
    return {name: module.render() for name, module in modules.items()}


# --------------------------------------------------------------------------
# Planning and writing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: str  # snippets/moco.py
    kind: str  # "missing", "stale", "edited", "orphan"
    new: str | None  # what it should hold (None: remove it)
    why: str
    old: bytes | None = None  # what it held when planned (None: no file)
    # Writing would lose what it holds: the one-line refusal, unless --force.
    loses: str | None = None


class ExtractError(Exception):
    """A run that stopped before changing anything: one line naming the file."""


def is_generated(file: Path) -> bool:
    try:
        with file.open(encoding="utf-8") as handle:
            return bool(GENERATED.match(handle.readline()))
    except (OSError, UnicodeDecodeError):
        return False


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def first_edit(module: Module, text: str, new: str) -> tuple[int, int]:
    """(line of the file, line of the note) where a module's text first differs from what
    its note exports, after the banner. Block comments are compared without their line
    numbers, so prose added above a block in the note does not count as the difference."""
    marker = re.compile(rf"# {re.escape(module.source)}:\d+")

    def lines(text: str) -> list[str]:
        return [f"# {module.source}:" if marker.fullmatch(line) else line for line in text.split("\n")]

    have, want = lines(text), lines(new)
    index = 1
    while index < min(len(have), len(want)) and have[index] == want[index]:
        index += 1
    last = text.count("\n") + (not text.endswith("\n"))
    return max(1, min(index + 1, last)), module.note_line(index)


def _module_change(module: Module, old: bytes) -> Change | None:
    """How one module's file differs from what its note exports (None: not at all)."""
    new = module.render()
    text = _decoded(old)
    if text == new:
        return None
    exports = f"differs from what {module.source} exports"
    state = provenance(text)
    if state in ("hand", "generated"):  # refused (see refusals), or tools/extract's own text
        return Change(module.path, "stale", new, exports, old)
    if text.partition("\n")[2] == new.partition("\n")[2]:  # nothing to lose: an edit made in the note too
        return Change(module.path, "stale", new, f"only its banner differs from what {module.source} exports", old)
    line, note_line = first_edit(module, text, new)
    holds = f"{module.source}:{note_line} holds this code"
    if state == "edited":
        return Change(
            module.path,
            "edited",
            new,
            f"by hand since tools/extract wrote it, first at line {line}",
            old,
            f"{module.path}:{line}: edited by hand since tools/extract wrote it ({holds}): make the edit in "
            "the note, or run tools/extract --force to discard it; tools/extract --show shows the difference",
        )
    return Change(
        module.path,
        "stale",
        new,
        f"{exports}; its banner (from an older tools/extract) cannot show a hand edit",
        old,
        f"{module.path}:{line}: {exports}, and its banner (from an older tools/extract) has no record that "
        f"would show a hand edit ({holds}): make any edit in the note, or run tools/extract --force to regenerate "
        "it; tools/extract --show shows the difference",
    )


def _orphan_change(path: str, old: bytes) -> Change:
    """A file of snippets/ that no note exports (removed only if tools/extract wrote it as it is)."""
    state = provenance(_decoded(old))
    why = "no note exports it"
    if state == "edited":
        return Change(
            path, "orphan", None, f"{why}; edited by hand since tools/extract wrote it", old,
            f"{path}: edited by hand since tools/extract wrote it, and no note exports it any more: move it out "
            f"of {PACKAGE}/ or into a note, or run tools/extract --force to remove it",
        )
    if state == "older":
        return Change(
            path, "orphan", None, f"{why}; its banner (from an older tools/extract) cannot show a hand edit", old,
            f"{path}: no note exports it any more, and its banner (from an older tools/extract) has no record that "
            f"would show a hand edit: move it out of {PACKAGE}/, or run tools/extract --force to remove it",
        )
    return Change(path, "orphan", None, why, old)


def plan(root: Path) -> tuple[dict[str, Module], list[Change], list[str]]:
    """What snippets/ should hold, how it differs, and the problems found."""
    fences, errors = all_fences(root)
    modules, module_errors = modules_of(fences)
    errors = sorted(errors + module_errors, key=_location)
    package = root / PACKAGE
    changes: list[Change] = []
    for module in modules.values():
        file = root / module.path
        if not file.exists() and not file.is_symlink():
            changes.append(Change(module.path, "missing", module.render(), f"exported by {module.source}"))
            continue
        try:
            old = file.read_bytes()
        except OSError as error:
            errors.append(f"{module.path}: cannot read: {error.strerror or error}; move it out of {PACKAGE}/")
            continue
        change = _module_change(module, old)
        if change is not None:
            changes.append(change)
    wanted = {f"{module.name}.py" for module in modules.values()} | set(STATIC_FILES)
    if package.is_dir():
        for file in sorted(package.iterdir()):
            if file.name == "__pycache__" or file.name in wanted:
                continue
            try:
                old = file.read_bytes() if file.is_file() else b""
            except OSError:
                old = b""
            changes.append(_orphan_change(f"{PACKAGE}/{file.name}", old))
    if modules and not (package / "__init__.py").exists():
        changes.append(
            Change(f"{PACKAGE}/__init__.py", "missing", None, "the package's static loader; restore it from git")
        )
    return modules, changes, errors


def _location(error: str) -> tuple[str, int]:
    path, _, rest = error.partition(":")
    line = rest.partition(":")[0]
    return path, int(line) if line.isdigit() else 0


def refusals(root: Path, changes: list[Change], force: bool = False) -> list[str]:
    """Changes the extractor will not make: files it did not generate, and (unless force)
    hand edits of files it did."""
    found = []
    for change in changes:
        file = root / change.path
        if change.kind == "stale" and not is_generated(file):
            found.append(f"{change.path}: written by hand (no tools/extract banner); move it away, it will not be overwritten")
        elif change.kind == "orphan" and LEFTOVER.fullmatch(file.name):
            found.append(f"{change.path}: left by a tools/extract that was killed while writing; remove it")
        elif change.kind == "orphan" and not (file.is_file() and is_generated(file)):
            found.append(f"{change.path}: not generated by tools/extract; remove it or move it out of {PACKAGE}/")
        elif change.kind == "missing" and change.new is None:
            found.append(f"{change.path}: missing ({change.why})")
        elif change.loses and not force:
            found.append(change.loses)
    return found


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM, raised where the run can stop without having changed anything."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


class _Interrupts:
    """While open, SIGINT and SIGTERM are noted instead of acted on; ``pending()`` then raises
    Interrupted where stopping is safe. Outside the main thread (where no handler can be set)
    it does nothing."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.caught: int | None = None
        self.previous: dict[int, object] = {}

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                if signal.getsignal(signum) not in (None, signal.SIG_IGN):
                    self.previous[signum] = signal.signal(signum, self._note)
        return self

    def _note(self, signum, frame) -> None:
        self.caught = self.caught or signum

    def pending(self) -> None:
        if self.caught:
            raise Interrupted(self.caught)

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def _temporary(target: Path, data: bytes, shown: str, mode: int) -> str:
    """``data`` written whole and flushed to disk in a new temporary file beside ``target``;
    a failure removes it and names ``shown``, the target, not the temporary file."""
    try:
        return files.write_temporary(target, data, mode, TEMPORARY_SUFFIX)
    except OSError as error:
        raise ExtractError(f"{shown}: cannot write: {_reason(error)}") from None


def _current(file: Path) -> bytes | None:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        return None


def apply(root: Path, changes: list[Change], written: list[str] | None = None) -> list[str]:
    """Make every change or none; return one line per change.

    Every new text goes whole to a temporary file beside its module first; only when all
    are on disk, and no module changed meanwhile, are they renamed over the modules, and
    then orphans removed. Until then a failure, Ctrl-C or SIGTERM removes the temporary
    files and raises, having changed nothing (ExtractError names the module). A signal
    during the renames is held until they are done, then raised. ``written`` (when given) gets the
    lines as soon as the changes are made.
    """
    done: list[str] = []
    temps: dict[str, str] = {}
    default_mode = files.new_file_mode()
    with _Interrupts() as interrupts:
        try:
            for change in changes:
                if change.new is None:
                    if change.kind != "orphan":
                        raise ExtractError(f"{change.path}: {change.kind} ({change.why})")
                    continue
                file = root / change.path
                try:
                    mode = file.stat().st_mode & 0o7777 if change.old is not None else default_mode
                except OSError:
                    mode = default_mode
                temps[change.path] = _temporary(file, change.new.encode("utf-8"), change.path, mode)
                interrupts.pending()
            for change in changes:
                if _current(root / change.path) != change.old:
                    raise ExtractError(f"{change.path}: changed while tools/extract ran; nothing written, run it again")
            interrupts.pending()
            # From here on nothing can stop halfway: Ctrl-C waits until the end.
            for change in changes:
                file = root / change.path
                if change.new is None:
                    continue
                try:
                    os.replace(temps[change.path], file)
                except OSError as error:
                    made = ", ".join(line.partition(":")[0] for line in done) or "none"
                    raise ExtractError(
                        f"{change.path}: cannot write: {_reason(error)} (modules already replaced: {made})"
                    ) from None
                del temps[change.path]
                discarding = ", discarding its hand edit" if change.kind == "edited" else ""
                done.append(f"{change.path}: written{discarding} ({change.why})")
            for change in changes:
                if change.new is None:
                    try:
                        (root / change.path).unlink()
                    except FileNotFoundError:
                        pass
                    except OSError as error:
                        raise ExtractError(
                            f"{change.path}: cannot remove: {_reason(error)} (every module was written)"
                        ) from None
                    done.append(f"{change.path}: removed ({change.why})")
            _sync_folder(root / PACKAGE)
            if written is not None:
                written += done
        finally:
            for temp in temps.values():
                try:
                    os.unlink(temp)
                except OSError:
                    pass
        interrupts.pending()
    return done


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entries (the renames) to disk, where the system can."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def show(root: Path, changes: list[Change]) -> str:
    """A unified diff of what writing would change: ``-`` lines are what the file holds (a
    hand edit among them), ``+`` lines what the note exports."""
    out = []
    for change in changes:
        old = _decoded(change.old).splitlines(keepends=True) if change.old is not None else []
        new = (change.new or "").splitlines(keepends=True)
        if change.kind == "missing" and change.new is None:
            out.append(f"{change.path}: missing ({change.why})\n")
            continue
        out.append(f"# {change.path}: {change.kind} ({change.why})\n")
        if change.loses:
            out.append(f"# writing with --force discards the - lines of {change.path}\n")
        for line in difflib.unified_diff(old, new, f"a/{change.path}", f"b/{change.path}"):
            out.append(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n")
    return "".join(out)


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def relocate(code: CodeType, offset: int) -> CodeType:
    """The same code, its line numbers (and those of the code inside it) moved by offset.

    Compiling a block alone and moving it to the note's lines gives tracebacks
    and pytest's source excerpts that start at the block, not at line 1.
    (snippets/__init__.py has its own copy: the package does not need tools/.)
    """
    consts = tuple(relocate(const, offset) if isinstance(const, CodeType) else const for const in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + offset, co_consts=consts)
