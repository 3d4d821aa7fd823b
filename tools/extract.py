"""Extract the exported code of the notes into the importable package snippets/.

    tools/extract              write snippets/<name>.py from the notes
    tools/extract --check      exit 1 and list every stale, missing or orphaned file
    tools/extract --show       print what would change (a diff); write nothing
                               (--dry-run is the same)
    python -m tools.extract    the same command

A Python fence with a title naming a file under snippets/ is exported:

    ```python title="snippets/moco.py"

Several fences of one note may name the same module; they are concatenated in
page order. One note per module. The generated file starts with a banner that
names the note and, above each block, a comment with the note's path and the
line of the fence (``# docs/papers/moco.md:42``); snippets/__init__.py reads
those comments back so that a traceback from exported code points at the note.

Notes are parsed with markdown-it-py (CommonMark), extended with what this
site's Markdown has that changes where a fence is: front matter, footnotes,
definition lists, and Material's indented containers (admonitions ``!!!``,
collapsible blocks ``???``, content tabs ``===``), whose bodies are indented
four spaces and would otherwise read as indented code.

Every problem in the notes is one line, ``docs/x.md:12: <problem>``, and the
command then exits 1 without writing anything. Files in snippets/ that were not
generated (no banner) are never overwritten or removed.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from types import CodeType

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

ROOT = Path(__file__).resolve().parent.parent
DOCS = "docs"
PACKAGE = "snippets"
# Files of snippets/ that the extractor does not generate but expects.
STATIC_FILES = ("__init__.py", "verified.json")
# Language names that make a fence Python (Pygments' aliases).
PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3"})
BANNER = "# Generated from {source} by tools/extract; edit the note, not this file."
GENERATED = re.compile(r"# Generated from (?P<source>\S+) by tools/extract;")
MODULE_TITLE = re.compile(r"snippets/(?P<name>[A-Za-z_][A-Za-z0-9_]*)\.py")
# Material's containers: admonitions, collapsible details, content tabs.
# As Python-Markdown reads them: "!!! note", "!!!note", "???+ tip "Title"", "=== "Tab"".
CONTAINER = re.compile(r'(?:!!!|\?\?\?\+?)[ \t]*[\w"-]|===[!+]{0,2}[ \t]+"')


def code_digest(text: str) -> str:
    """The sha256 a verification record names: of a generated module without its block-line
    comments (``# docs/x.md:12``), which move when text above a block changes in its note
    although the code does not. Any other text, generated or not, is hashed whole."""
    banner = GENERATED.match(text)
    if banner:
        marker = re.compile(rf"# {re.escape(banner['source'])}:\d+")
        text = "\n".join(line for line in text.split("\n") if not marker.fullmatch(line))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    return path, text.replace("\r\n", "\n")


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
    for module in modules.values():
        marker = re.compile(rf"# {re.escape(module.source)}:\d+")
        for fence in module.fences:
            for number, text in enumerate(fence.code.split("\n")):
                if marker.fullmatch(text):
                    errors.append(
                        f"{module.source}:{fence.line + 1 + number}: this line looks like the block markers "
                        "of the generated file; reword the comment"
                    )
    return modules, errors


def render(source: str, fences: tuple[Fence, ...] | list[Fence]) -> str:
    """The text of a generated module."""
    parts = [BANNER.format(source=source), ""]
    for fence in fences:
        parts += [f"# {source}:{fence.line}", fence.code.rstrip("\n"), ""]
    return "\n".join(parts).rstrip("\n") + "\n"


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
    kind: str  # "missing", "stale", "orphan"
    new: str | None  # what it should hold (None: remove it)
    why: str


def is_generated(file: Path) -> bool:
    try:
        with file.open(encoding="utf-8") as handle:
            return bool(GENERATED.match(handle.readline()))
    except (OSError, UnicodeDecodeError):
        return False


def plan(root: Path) -> tuple[dict[str, Module], list[Change], list[str]]:
    """What snippets/ should hold, how it differs, and the problems found."""
    fences, errors = all_fences(root)
    modules, module_errors = modules_of(fences)
    errors = sorted(errors + module_errors, key=_location)
    package = root / PACKAGE
    changes: list[Change] = []
    for module in modules.values():
        file = root / module.path
        text = module.render()
        if not file.exists():
            changes.append(Change(module.path, "missing", text, f"exported by {module.source}"))
        elif file.read_text(encoding="utf-8", errors="replace") != text:
            changes.append(Change(module.path, "stale", text, f"differs from what {module.source} exports"))
    wanted = {f"{module.name}.py" for module in modules.values()} | set(STATIC_FILES)
    if package.is_dir():
        for file in sorted(package.iterdir()):
            if file.name == "__pycache__" or file.name in wanted:
                continue
            changes.append(Change(f"{PACKAGE}/{file.name}", "orphan", None, "no note exports it"))
    if modules and not (package / "__init__.py").exists():
        changes.append(
            Change(f"{PACKAGE}/__init__.py", "missing", None, "the package's static loader; restore it from git")
        )
    return modules, changes, errors


def _location(error: str) -> tuple[str, int]:
    path, _, rest = error.partition(":")
    line = rest.partition(":")[0]
    return path, int(line) if line.isdigit() else 0


def refusals(root: Path, changes: list[Change]) -> list[str]:
    """Changes the extractor will not make: files it did not generate."""
    found = []
    for change in changes:
        file = root / change.path
        if change.kind == "stale" and not is_generated(file):
            found.append(f"{change.path}: written by hand (no tools/extract banner); move it away, it will not be overwritten")
        elif change.kind == "orphan" and not (file.is_file() and is_generated(file)):
            found.append(f"{change.path}: not generated by tools/extract; remove it or move it out of {PACKAGE}/")
        elif change.kind == "missing" and change.new is None:
            found.append(f"{change.path}: missing ({change.why})")
    return found


def apply(root: Path, changes: list[Change]) -> list[str]:
    """Write and remove files; return one line per change."""
    done = []
    for change in changes:
        file = root / change.path
        if change.new is None:
            file.unlink()
            done.append(f"{change.path}: removed ({change.why})")
        else:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(change.new, encoding="utf-8")
            done.append(f"{change.path}: written ({change.why})")
    return done


def show(root: Path, changes: list[Change]) -> str:
    """A unified diff of what writing would change."""
    out = []
    for change in changes:
        file = root / change.path
        old = file.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True) if file.is_file() else []
        new = (change.new or "").splitlines(keepends=True)
        if change.kind == "missing" and change.new is None:
            out.append(f"{change.path}: missing ({change.why})\n")
            continue
        out.append(f"# {change.path}: {change.kind} ({change.why})\n")
        out += difflib.unified_diff(old, new, f"a/{change.path}", f"b/{change.path}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools/extract",
        description="Write snippets/<name>.py from the fences of docs/**/*.md titled snippets/<name>.py.",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: this one)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 listing stale, missing and orphaned files")
    mode.add_argument("--show", "--dry-run", dest="show", action="store_true", help="print a diff; write nothing")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    modules, changes, errors = plan(root)
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        return 1
    if args.check:
        for change in changes:
            print(f"{change.path}: {change.kind} ({change.why})", file=sys.stderr)
        if changes:
            print("snippets/ is out of date: run tools/extract", file=sys.stderr)
            return 1
        print(f"snippets/ is up to date ({count(len(modules), 'module')})")
        return 0
    if args.show:
        print(show(root, changes) or f"snippets/ is up to date ({count(len(modules), 'module')})", end="" if changes else "\n")
        return 0
    refused = refusals(root, changes)
    if refused:
        for line in refused:
            print(line, file=sys.stderr)
        return 1
    for line in apply(root, changes):
        print(line)
    if not changes:
        print(f"snippets/ is up to date ({count(len(modules), 'module')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
