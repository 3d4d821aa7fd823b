"""Every plain ```` ```python ```` block of docs/ runs as a test.

pytest-codeblocks (0.18) reads the notes: which fences are blocks (info string
exactly ``python``), their marks (``<!--pytest.mark.skip(reason="...")-->`` on
the lines above), ``<!--pytest-codeblocks:cont-->``, ``expected-output`` and
``importorskip``. Its own collector is switched off (``-p no:codeblocks``)
because of how it runs a block: ``exec`` of the text, so a traceback says
``<string>``, and a failure keeps only the exception's message. Here a block:

- is compiled with the note's file name and line numbers: a failure reads
  ``docs/papers/moco.md:44: ZeroDivisionError`` and shows the block's lines;
- runs in a new temporary working directory, removed afterwards;
- runs once per device asked for (``--device``), with
  ``torch.set_default_device`` around it, and CUDA synchronised before it ends;
- runs as ``__main__`` (``if __name__ == "__main__":`` runs, classes it
  defines can be pickled while it runs);
- fails after 60 s (DEFAULT_TIMEOUT); ``<!--pytest.mark.timeout(120)-->`` above
  the fence sets another limit (pytest-timeout).

Marks are read with ``ast``, not ``eval``: ``pytest.mark.<name>(...)`` with
literal arguments only. A condition for ``skipif`` is a string that pytest
evaluates: ``<!--pytest.mark.skipif("sys.platform == 'win32'", reason="...")-->``.
Shell blocks (``sh``, ``bash``) are not run: they install and serve things.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_codeblocks import CodeBlock, extract_from_file

from tests.plugins.devices import ieee_float32, selected_devices
from tools.extract import DOCS, Fence, NoteError, parse_fences, read_note, relocate

DEFAULT_TIMEOUT = 60.0
CONT = "pytest-codeblocks:cont"


def parse_mark(text: str, where: str) -> pytest.MarkDecorator:
    """``pytest.mark.skip(reason="x")`` -> the mark, reading literals only."""
    problem = f"{where}: cannot use <!--{text}-->: write pytest.mark.<name>(<literal arguments>)"
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise NoteError(problem) from None
    call = node if isinstance(node, ast.Call) else None
    name = ast.unparse(call.func if call else node)
    if not re.fullmatch(r"pytest\.mark\.[A-Za-z_]\w*", name):
        raise NoteError(problem)
    try:
        args = [ast.literal_eval(arg) for arg in call.args] if call else []
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords} if call else {}
    except ValueError:
        raise NoteError(f"{problem}; a skipif condition is a string, e.g. \"sys.platform == 'win32'\"") from None
    try:
        mark = getattr(pytest.mark, name.removeprefix("pytest.mark."))
    except pytest.fail.Exception as error:  # unknown under --strict-markers
        raise NoteError(f"{where}: {error}") from None
    return mark(*args, **kwargs) if call else mark


def _lines(code: str) -> list[str]:
    return [line for line in code.splitlines() if line.strip()]


def block_parts(block: CodeBlock, fences: list[Fence], where: str) -> tuple[tuple[int, str], ...]:
    """(first line in the note, code) of each fence that makes up a block.

    A block is one fence, or several when ``<!--pytest-codeblocks:cont-->``
    continues it; pytest-codeblocks gives only the joined code. The code run
    is the Markdown parser's: pytest-codeblocks 0.18 drops the blank lines of
    an indented fence (in an admonition), so only non-blank lines are compared.
    """
    after = [fence for fence in fences if fence.line >= block.lineno]
    if not after or after[0].line != block.lineno:
        raise NoteError(f"{where}: pytest-codeblocks reads a block here that is not a fence (inside another one?)")
    wanted = _lines(block.code)
    parts = [(after[0].line + 1, after[0].code)]
    for fence in after[1:]:
        if len(_lines("".join(code for _, code in parts))) >= len(wanted) or CONT not in fence.comments:
            break
        parts.append((fence.line + 1, fence.code))
    if _lines("".join(code for _, code in parts)) != wanted:
        raise NoteError(f"{where}: the Markdown parser and pytest-codeblocks disagree about this block's code")
    return tuple(parts)


def compile_parts(parts: tuple[tuple[int, str], ...], filename: str) -> types.CodeType:
    """Compile a block so that each line has its line number in the note."""
    first = parts[0][0]
    lines: list[str] = []
    for start, code in parts:
        lines += [""] * (start - first - len(lines))
        lines += code.splitlines()
    return relocate(compile("\n".join(lines) + "\n", filename, "exec", dont_inherit=True), first - 1)


def device_less_generators(parts: tuple[tuple[int, str], ...]) -> list[int]:
    """Note lines where a block makes ``torch.Generator()`` without naming a device.

    Such a generator is a CPU one even while the block runs with CUDA as the
    default device, and ``torch.rand(..., generator=g)`` then fails there
    ("Expected a 'cuda' device type for generator"). CI has no GPU, so this is
    checked on every run: ``torch.Generator(torch.get_default_device())`` is a
    generator on the block's device, ``torch.Generator("cpu")`` a CPU one on purpose.
    """
    found = []
    for start, code in parts:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # compile_parts reports it, at its line
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) in ("torch.Generator", "Generator")
                and not node.args
                and not node.keywords
            ):
                found.append(start + node.lineno - 1)
    return sorted(found)


@contextlib.contextmanager
def working_directory(path: str) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def default_device(device: str) -> Iterator[None]:
    """torch's default device is ``device`` inside (with TF32 off on CUDA, as for the
    tests: devices.ieee_float32); afterwards it is the CPU again."""
    try:
        import torch
    except ImportError:
        if device != "cpu":
            raise
        yield
        return
    if device != "cpu":
        torch.set_default_device(device)
    try:
        with ieee_float32() if device == "cuda" else contextlib.nullcontext():
            yield
            if device == "cuda":
                torch.cuda.synchronize()
    finally:
        torch.set_default_device(None)


@contextlib.contextmanager
def as_main(module: types.ModuleType) -> Iterator[None]:
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "codeblocks", False):
        raise pytest.UsageError(
            "--codeblocks would run every block twice: tests/plugins/blocks.py runs them "
            "(pyproject.toml's addopts switch pytest-codeblocks' collector off with -p no:codeblocks)"
        )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    docs = parent.config.rootpath / DOCS
    if file_path.suffix == ".md" and file_path.is_relative_to(docs):
        if not any(part.startswith(".") for part in file_path.relative_to(docs).parts):
            return NoteFile.from_parent(parent, path=file_path)
    return None


class NoteFile(pytest.File):
    """A note: one test per plain Python block and device."""

    def collect(self) -> Iterator[ExampleBlock]:
        try:
            path, text = read_note(self.path, self.config.rootpath)
            fences = parse_fences(text, path)
        except NoteError as error:
            raise self.CollectError(str(error)) from None
        try:
            blocks = extract_from_file(self.path)
        except RuntimeError as error:
            raise self.CollectError(f"{path}: pytest-codeblocks: {error}") from None
        for block in blocks:
            if block.syntax != "python":
                continue
            where = f"{path}:{block.lineno}"
            try:
                marks = [parse_mark(mark, where) for mark in block.marks]
                parts = block_parts(block, fences, where)
            except NoteError as error:
                raise self.CollectError(str(error)) from None
            for device in selected_devices(self.config):
                item = ExampleBlock.from_parent(
                    self, name=f"line {block.lineno}[{device}]", block=block, parts=parts, device=device, where=where
                )
                for mark in marks:
                    item.add_marker(mark)
                if device == "cuda":
                    item.add_marker(pytest.mark.cuda)
                if item.get_closest_marker("timeout") is None:
                    item.add_marker(pytest.mark.timeout(DEFAULT_TIMEOUT))
                yield item


class ExampleBlock(pytest.Item):
    """One example block of a note, run on one device."""

    def __init__(self, *, block: CodeBlock, parts, device: str, where: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.block = block
        self.parts = parts
        self.device = device
        self.where = where

    def runtest(self) -> None:
        if self.block.importorskip:
            pytest.importorskip(self.block.importorskip)
        code = compile_parts(self.parts, str(self.path))
        generators = device_less_generators(self.parts)
        if generators:
            note = self.where.rpartition(":")[0]
            pytest.fail(
                f"{note}:{generators[0]}: torch.Generator() is a CPU generator even when the block runs on CUDA "
                "(--device cuda); write torch.Generator(torch.get_default_device()), "
                'or torch.Generator("cpu") where the CPU is meant',
                pytrace=False,
            )
        main = types.ModuleType("__main__")
        captured = _Tee()
        with (
            tempfile.TemporaryDirectory(prefix="papernotes-block-") as cwd,
            working_directory(cwd),
            default_device(self.device),
            as_main(main),
            contextlib.redirect_stdout(captured),
        ):
            exec(code, main.__dict__)
        if self.block.expected_output is not None:
            self.check_output(captured.getvalue())

    def check_output(self, got: str) -> None:
        expected = self.block.expected_output
        same = (
            re.sub(r"\s+", "", got) == re.sub(r"\s+", "", expected)
            if self.block.expected_output_ignore_whitespace
            else got == expected
        )
        if not same:
            raise AssertionError(f"{self.where}: the block printed\n{got}\nbut the note expects\n{expected}")

    def repr_failure(self, excinfo, style=None):
        # Start the traceback at the note (the plugin's frames say nothing) and
        # drop frames that hide themselves (pytest-timeout's, pytest's).
        if not self.config.getoption("fulltrace", False):
            cut = excinfo.traceback.cut(path=self.path)
            excinfo.traceback = (cut if len(cut) else excinfo.traceback).filter(excinfo)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.block.lineno - 1, f"{self.where} [{self.device}]"


class _Tee:
    """Collects what a block prints and passes it on to pytest's capture."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.stream = sys.stdout

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def getvalue(self) -> str:
        return "".join(self.parts)


# --------------------------------------------------------------------------
# No silent skip: how each Python fence of docs/ is covered
# --------------------------------------------------------------------------


def skip_reason_of(marks: list[str] | tuple[str, ...], where: str) -> str | None:
    """The reason of an unconditional skip among marks; "" when it gives none; None when no skip."""
    for text in marks:
        if not re.match(r"\s*pytest\.mark\.skip\b(?!if)", text):
            continue
        mark = parse_mark(text, where).mark
        reason = mark.kwargs.get("reason", mark.args[0] if mark.args else "")
        return reason.strip() if isinstance(reason, str) else ""
    return None


def coverage(root: Path) -> tuple[list[tuple[Fence, str, str]], list[str]]:
    """Every Python fence of docs/ with how it is covered, and the problems.

    Coverage is "exported" (detail: the module), "executed" (a test runs it;
    detail says how) or "skipped" (detail: the reason). A problem is one line,
    ``docs/x.md:12: ...``: a fence that is none of these, a skip without a
    reason, or a block that pytest-codeblocks would run but the Markdown
    parser does not see (its line-based reading and a real parser disagree,
    e.g. a ```python line inside a ~~~ fence or an HTML comment).
    """
    from tools.extract import all_fences, note_files

    fences, problems = all_fences(root)
    covered: list[tuple[Fence, str, str]] = []
    for file in note_files(root):
        path = file.relative_to(root).as_posix()
        try:
            blocks = {block.lineno: block for block in extract_from_file(file) if block.syntax == "python"}
        except (RuntimeError, UnicodeDecodeError) as error:
            problems.append(f"{path}: pytest-codeblocks cannot read it: {error}")
            continue
        mine = [fence for fence in fences if fence.path == path]
        seen = {fence.line for fence in mine if fence.info == "python"}
        for line in sorted(set(blocks) - seen):
            problems.append(
                f"{path}:{line}: pytest-codeblocks runs a block here that the Markdown parser does not see as a "
                "```python fence (is it inside another fence, an indented code block or a comment?)"
            )
        for fence in (fence for fence in mine if fence.is_python):
            try:
                module = fence.module
                if module:
                    covered.append((fence, "exported", f"snippets/{module}.py"))
                    continue
                block = blocks.get(fence.line)
                if block is not None:
                    marks, how = block.marks, "example block"
                elif CONT in fence.comments:
                    marks, how = [], "continues the block above"
                else:
                    marks, how = list(fence.comments), None
                reason = skip_reason_of(marks, fence.where)
            except NoteError as error:
                problems.append(str(error))
                continue
            if reason:
                covered.append((fence, "skipped", reason))
            elif reason == "":
                problems.append(f'{fence.where}: skipped without a reason: write <!--pytest.mark.skip(reason="...")-->')
            elif how:
                covered.append((fence, "executed", how))
            else:
                problems.append(
                    f"{fence.where}: ```{fence.info} is neither exported (title=\"snippets/<name>.py\"), "
                    "executed (info string exactly `python`) nor skipped "
                    '(<!--pytest.mark.skip(reason="...")--> on the line above)'
                )
    return covered, problems
