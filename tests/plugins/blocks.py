"""Every plain ```` ```python ```` block of docs/ runs as a test, in a process of its own.

pytest-codeblocks (0.18) reads the notes: which fences are blocks (info string
exactly ``python``), their marks (``<!--pytest.mark.skip(reason="...")-->`` on
the lines above), ``<!--pytest-codeblocks:cont-->``, ``expected-output`` and
``importorskip``. Its own collector is switched off (``-p no:codeblocks``)
because of how it runs a block: ``exec`` of the text in the pytest process, so
a traceback says ``<string>``, a failure keeps only the exception's message,
and a block that calls ``os._exit(0)`` ends the whole session with exit status
0 and nothing reported. Here a block:

- runs in a child process: a fork of a small server process that imported
  torch and this module once (multiprocessing's "forkserver"; "spawn" where
  there is none). It is never a fork of the pytest process: once that process
  has run a multi-threaded torch operation (the tests in tests/ run first), a
  forked child that computes with more than one thread hangs in OpenMP, and
  once it has initialised CUDA (``--device cuda``) a forked child cannot use
  CUDA. The server started clean, so its children can do both;
- whatever it does to its process is a failure at its note line, and the run
  goes on: ``os._exit``, ``sys.exit``/``SystemExit``, ``pytest.exit``,
  ``KeyboardInterrupt``, a crash (faulthandler's dump names the line), a
  signal, closing its standard output, exiting from a thread, hanging;
- is compiled with the note's file name and line numbers: a failure reads
  ``docs/papers/moco.md:44: ZeroDivisionError`` and shows the block's lines
  (the child formats the traceback with pytest's own formatter and sends it
  back); a SyntaxError is one line at the note line of the bad line;
- runs in a new temporary working directory, removed afterwards, and may not
  write into the checkout: an audit hook in the child refuses a write-mode
  ``open``, ``os.remove``, ``os.rename``, ``os.mkdir``, ``shutil.rmtree`` and
  the like under the root outside that directory (a PermissionError naming the
  path, and the block fails even if it catches it). For what a subprocess or
  native code wrote (the hook cannot see it), a block that started a process
  or called ctypes is followed by a stat of the checkout's files (git's tracked
  and untracked-not-ignored ones, about 2 ms): the block fails, a new file or
  folder is moved out of the checkout (the message says where), a changed or
  deleted file is named (git diff shows the change; it is not restored);
- runs once per device asked for (``--device``), with
  ``torch.set_default_device`` around it, and CUDA synchronised before it ends;
- runs as ``__main__`` (``if __name__ == "__main__":`` runs, classes it
  defines can be pickled while it runs);
- is stopped after 60 s (DEFAULT_TIMEOUT); ``<!--pytest.mark.timeout(120)-->``
  above the fence sets another limit. The child's faulthandler ends it at its
  limit and says where it was; the parent kills it (and what it started) if
  it is still there a few seconds later. pytest-timeout's own timer is not
  used for blocks.

Marks are read with ``ast``, not ``eval``: ``pytest.mark.<name>(...)`` with
literal arguments only. A condition for ``skipif`` is a string that pytest
evaluates: ``<!--pytest.mark.skipif("sys.platform == 'win32'", reason="...")-->``.
Shell blocks (``sh``, ``bash``) are not run: they install and serve things.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import errno
import faulthandler
import multiprocessing
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_codeblocks import CodeBlock, extract_from_file

from tests.plugins.devices import ieee_float32, selected_devices
from tools.log.snippets import DOCS, Fence, NoteError, parse_fences, read_note, relocate

DEFAULT_TIMEOUT = 60.0
CONT = "pytest-codeblocks:cont"
# How long after its limit the parent waits for a block's own watchdog to end it
# before it kills the process group itself.
KILL_GRACE = 5.0
# What the fork server imports once, so that a block's process does not import it
# again: torch, and torch._dynamo, which an optimizer's first step imports (about
# 900 modules, 0.9 s per block without it).
PRELOAD = ("torch", "torch._dynamo")


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


def joined_lines(parts: tuple[tuple[int, str], ...]) -> list[str]:
    """A block's lines from its first line on, blank where the note has text between its fences."""
    first = parts[0][0]
    lines: list[str] = []
    for start, code in parts:
        lines += [""] * (start - first - len(lines))
        lines += code.splitlines()
    return lines


def compile_parts(parts: tuple[tuple[int, str], ...], filename: str) -> types.CodeType:
    """Compile a block so that each line has its line number in the note."""
    source = "\n".join(joined_lines(parts)) + "\n"
    return relocate(compile(source, filename, "exec", dont_inherit=True), parts[0][0] - 1)


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


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the fork server as soon as blocks are known to run: it imports torch
    while the tests before them run, instead of when the first block starts."""
    if not session.config.option.collectonly and any(isinstance(item, ExampleBlock) for item in session.items):
        _context()


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
    """One example block of a note, run on one device, in a child process."""

    def __init__(self, *, block: CodeBlock, parts, device: str, where: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.block = block
        self.parts = parts
        self.device = device
        self.where = where

    @property
    def note(self) -> str:
        return self.where.rpartition(":")[0]

    def limit(self) -> float:
        """The block's time limit in seconds (its ``timeout`` mark); 0 is none."""
        mark = self.get_closest_marker("timeout")
        if mark is None:
            return DEFAULT_TIMEOUT
        value = mark.args[0] if mark.args else mark.kwargs.get("timeout", DEFAULT_TIMEOUT)
        return float(value or 0)

    def runtest(self) -> None:
        if self.block.importorskip:
            pytest.importorskip(self.block.importorskip)
        bad = None
        try:
            compile_parts(self.parts, str(self.path))
        except SyntaxError as error:
            bad = syntax_error_message(error, self.parts, self.note)
        if bad:
            pytest.fail(bad, pytrace=False)
        generators = device_less_generators(self.parts)
        if generators:
            pytest.fail(
                f"{self.note}:{generators[0]}: torch.Generator() is a CPU generator even when the block runs on CUDA "
                "(--device cuda); write torch.Generator(torch.get_default_device()), "
                'or torch.Generator("cpu") where the CPU is meant',
                pytrace=False,
            )
        config = self.config
        job = Job(
            path=str(self.path),
            note=self.note,
            parts=self.parts,
            device=self.device,
            limit=self.limit(),
            root=os.path.realpath(config.rootpath),
            invocation_dir=str(config.invocation_params.dir),
            env=dict(os.environ),
            fulltrace=bool(config.getoption("fulltrace", False)),
            tbstyle=config.getoption("tbstyle", "auto") or "auto",
            showlocals=bool(config.getoption("showlocals", False)),
            verbosity=config.get_verbosity(),
        )
        ran = run_isolated(job, checkout(config))
        if ran.stdout:
            sys.stdout.write(ran.stdout)
        if ran.stderr:
            sys.stderr.write(ran.stderr)
        if ran.outcome == "skipped":
            pytest.skip(ran.message)
        if ran.outcome == "xfailed":
            pytest.xfail(ran.message)
        if ran.outcome == "failed":
            if ran.longrepr is not None:
                raise BlockFailure(ran.longrepr)
            pytest.fail(ran.message, pytrace=False)
        if self.block.expected_output is not None:
            self.check_output(ran.stdout)

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
        if isinstance(excinfo.value, BlockFailure):
            return excinfo.value.longrepr  # formatted by the child, at the note's lines
        # Start the traceback at the note (the plugin's frames say nothing) and
        # drop frames that hide themselves (pytest-timeout's, pytest's).
        if not self.config.getoption("fulltrace", False):
            cut = excinfo.traceback.cut(path=self.path)
            excinfo.traceback = (cut if len(cut) else excinfo.traceback).filter(excinfo)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.block.lineno - 1, f"{self.where} [{self.device}]"


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings) -> bool | None:
    """pytest-timeout's timer would fire in the parent, which only waits: a block's
    limit is kept by its child's watchdog and by run_isolated instead."""
    return True if isinstance(item, ExampleBlock) else None


def syntax_error_message(error: SyntaxError, parts: tuple[tuple[int, str], ...], note: str) -> str:
    """``docs/x.md:57: SyntaxError: invalid syntax`` and the bad line, at its line in the note."""
    line = parts[0][0] - 1 + (error.lineno or 1)
    message = f"{note}:{line}: {type(error).__name__}: {error.msg}"
    lines = joined_lines(parts)
    # error.text is not used: when the file exists, Python reads it from the note at the block's own line number
    text = lines[error.lineno - 1] if error.lineno and error.lineno <= len(lines) else ""
    if text.strip():
        stripped = text.lstrip()
        message += f"\n    {stripped}"
        if error.offset:
            start = max(error.offset - 1 - (len(text) - len(stripped)), 0)
            end = (error.end_offset or error.offset + 1) - 1 - (len(text) - len(stripped))
            if (error.end_lineno or error.lineno) != error.lineno or end <= start:
                end = start + 1
            message += "\n    " + " " * start + "^" * (end - start)
    return message


class BlockFailure(Exception):
    """A block failed in its child; ``longrepr`` is pytest's report of it, made there."""

    def __init__(self, longrepr) -> None:
        super().__init__(str(getattr(getattr(longrepr, "reprcrash", None), "message", "the block failed")))
        self.longrepr = longrepr


# --------------------------------------------------------------------------
# Isolation: each block runs in a child process
# --------------------------------------------------------------------------


def start_method(available: list[str] | None = None) -> str:
    """How a block's process is made: "forkserver" where the platform has it, else "spawn".

    Never "fork" of the pytest process, whatever the device: its children
    inherit what the session did before. After a multi-threaded torch operation
    (any test of tests/) a forked child that computes with two threads hangs in
    OpenMP, and after CUDA was initialised (``--device cuda``) a forked child
    cannot initialise it again. The fork server is a fresh interpreter that
    imported torch (and this module) and ran nothing, so its forks can do both,
    on the CPU and on CUDA alike.
    """
    available = multiprocessing.get_all_start_methods() if available is None else available
    return "forkserver" if "forkserver" in available else "spawn"


_CONTEXT: multiprocessing.context.BaseContext | None = None


def _context() -> multiprocessing.context.BaseContext:
    global _CONTEXT
    if _CONTEXT is None:
        context = multiprocessing.get_context(start_method())
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload([*PRELOAD, __name__])  # the server skips what it cannot import
            # The server is a new interpreter: it finds this module (for its preload)
            # through PYTHONPATH, whatever the directory pytest was started in.
            # PYTORCH_NVML_BASED_CUDA_CHECK: should anything the server imports ask
            # torch.cuda.is_available(), NVML answers, not the CUDA driver, which
            # would then be unusable in every fork of it (PyTorch's advice for forks).
            from multiprocessing import forkserver

            with pytest.MonkeyPatch.context() as server_env:
                server_env.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]), prepend=os.pathsep)
                server_env.setenv("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
                forkserver.ensure_running()
        _CONTEXT = context
    return _CONTEXT


@dataclasses.dataclass(frozen=True)
class Job:
    """What a child needs to run one block (pickled to it)."""

    path: str  # the note, absolute: the code's file name
    note: str  # the note as reports name it, docs/...
    parts: tuple[tuple[int, str], ...]
    device: str
    limit: float  # seconds; 0: none
    root: str  # the checkout, which the block may not write into
    invocation_dir: str
    env: dict[str, str]
    fulltrace: bool = False
    tbstyle: str = "auto"
    showlocals: bool = False
    verbosity: int = 0
    cwd: str = ""  # set by run_isolated
    channel: str = ""


@dataclasses.dataclass
class Ran:
    """How a block's run ended, as the parent saw it."""

    outcome: str  # passed, failed, skipped, xfailed
    message: str = ""
    longrepr: object = None
    stdout: str = ""
    stderr: str = ""


def run_isolated(job: Job, tree: Checkout | None = None) -> Ran:
    """Run a block in a child process and say how it ended; whatever the child
    did to itself, the answer is an outcome here."""
    channel = tempfile.mkdtemp(prefix="papernotes-run-")
    cwd = tempfile.mkdtemp(prefix="papernotes-block-")
    job = dataclasses.replace(job, cwd=cwd, channel=channel)
    process = _context().Process(target=_child_main, args=(job,), name="papernotes-block", daemon=False)
    try:
        before = tree.snapshot() if tree else None
        started = time.time_ns()
        backstop = False
        try:
            # multiprocessing would have the child import the parent's __main__ again
            # (pytest's script, or whatever called pytest.main); a block needs none of it.
            with as_main(types.ModuleType("__main__")):
                process.start()
            process.join(job.limit + KILL_GRACE if job.limit > 0 else None)
            if process.exitcode is None:
                backstop = True
                _kill_group(process)
                process.join()
        except BaseException:  # KeyboardInterrupt: nothing the block started outlives the session
            _kill_group(process)
            raise
        finally:
            if process.pid is not None:
                _kill_group(process, only_others=True)  # what the block left running
        words = [entry.split("\t", 2) for entry in _read(Path(channel) / "words").splitlines() if entry.count("\t") == 2]
        ran = _verdict(job, process.exitcode, backstop, words)
        # Python's own writes were refused by the child's audit hook; only a process it
        # started or native code can have written into the checkout. Changes made by
        # anything else meanwhile (an editor) are not the block's.
        spawned = [line for kind, line, _ in words if kind == "spawn"]
        if tree is not None and spawned:
            stray = tree.strays(before, tree.snapshot(), started)
            if stray:
                line = next((line for line in reversed(spawned) if line), job.parts[0][0])
                ran = dataclasses.replace(ran, outcome="failed", longrepr=None, message=f"{job.note}:{line}: {stray}")
        return ran
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
        shutil.rmtree(channel, ignore_errors=True)
        with contextlib.suppress(Exception):
            process.close()


def _kill_group(process, only_others: bool = False) -> None:
    """SIGKILL the block's process group (the child made one of its own: what it started is in it)."""
    with contextlib.suppress(Exception):  # gone already (or no process groups here)
        os.killpg(process.pid, signal.SIGKILL)
    if not only_others:
        with contextlib.suppress(Exception):
            process.kill()


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def _dump_line(dump: str, path: str) -> int | None:
    """The innermost note line in a faulthandler dump (most recent call first)."""
    found = re.search(r'File "' + re.escape(path) + r'", line (\d+)', dump)
    return int(found.group(1)) if found else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _verdict(job: Job, exitcode: int | None, backstop: bool, words: list[list[str]]) -> Ran:
    """How the block ended, from its exit code and what it left in its channel; ``words``:
    the channel's (kind, line, how) entries."""
    channel = Path(job.channel)
    stdout, stderr = _read(channel / "stdout"), _read(channel / "stderr")
    first = job.parts[0][0]
    result = None
    with contextlib.suppress(Exception):
        result = pickle.loads((channel / "result").read_bytes())
    timeout = _read(channel / "timeout")
    ends = [entry for entry in words if entry[0] in ("exit", "kill")]
    last = ends[-1] if ends else None  # kind, line, how

    def failed(message: str) -> Ran:
        return Ran("failed", message=message, stdout=stdout, stderr=stderr)

    if timeout.strip() or backstop:
        line = _dump_line(timeout, job.path) or first
        shown = "\n".join(
            l.replace(job.path, job.note) for l in timeout.splitlines() if job.path in l or "most recent call first" in l
        )
        return failed(
            f"{job.note}:{line}: the block ran past its {job.limit:g} s limit and was stopped "
            f"(<!--pytest.mark.timeout(N)--> above the fence gives it N seconds)"
            + (f"\nwhere it was:\n{shown}" if shown else "")
        )
    if last and last[0] == "exit":
        return failed(f"{job.note}:{last[1] or first}: the block ended its process ({last[2]}); a block must finish")
    if result is None:
        crash = _read(channel / "crash")
        if exitcode is not None and exitcode < 0:
            name = _signal_name(-exitcode)
            if last and last[0] == "kill":
                return failed(f"{job.note}:{last[1] or first}: the block ended its process ({last[2]}: {name})")
            line = _dump_line(crash, job.path) or first
            detail = f"\n{crash.strip()}" if crash.strip() else ""
            return failed(f"{job.note}:{line}: the block's process died of {name} (a crash?){detail}")
        return failed(
            f"{job.note}:{first}: the block ended its process (exit status {exitcode}) before it finished"
        )
    outcome, message, longrepr = result["outcome"], result.get("message", ""), result.get("longrepr")
    if outcome == "failed" and longrepr is None and not message:
        message = f"{job.note}:{first}: the block failed"
    return Ran(outcome, message=message, longrepr=longrepr, stdout=stdout, stderr=stderr)


# ---- in the child ----------------------------------------------------------

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# audit event -> (positions of the paths it writes, position of its dir_fd or None)
WRITES = {
    "os.remove": ((0,), 1),
    "os.rmdir": ((0,), 1),
    "os.mkdir": ((0,), 2),
    "os.rename": ((0, 1), 2),
    "os.link": ((1,), 3),
    "os.symlink": ((1,), 2),
    "os.truncate": ((0,), None),
    "os.chmod": ((0,), 2),
    "os.chown": ((0,), 3),
    "os.utime": ((0,), 3),
    "os.mkfifo": ((0,), 2),
    "os.mknod": ((0,), 3),
    "os.setxattr": ((0,), None),
    "os.removexattr": ((0,), None),
    "shutil.rmtree": ((0,), 1),
    "shutil.copyfile": ((1,), None),
    "shutil.copytree": ((1,), None),
    "shutil.move": ((0, 1), None),
}
KILLS = {"os.kill", "os.killpg", "signal.pthread_kill"}
# Ways to start a process, whose writes no audit hook sees (the parent's stat of the checkout does).
SPAWNS = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork", "os.forkpty", "pty.spawn"}
# Native code that could write without an audit event; recorded once per kind.
NATIVE = {"ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "sqlite3.connect"}


class _Child:
    """The child's own state: where it reports, what it refused."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.pid = os.getpid()
        self.allowed = [os.path.realpath(job.cwd), os.path.realpath(job.channel)]
        self.refused: list[str] = []
        self.native: set[str] = set()
        self.busy = threading.local()

    def line(self) -> str:
        """The innermost line of the note on the calling thread's stack."""
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.job.path:
                return str(frame.f_lineno)
            frame = frame.f_back
        return ""

    def last_words(self, kind: str, how: str) -> None:
        if os.getpid() != self.pid:  # a process the block forked (a DataLoader worker) ends as it likes
            return
        with contextlib.suppress(Exception):
            fd = os.open(os.path.join(self.job.channel, "words"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.write(fd, f"{kind}\t{self.line()}\t{how}\n".encode())
            os.close(fd)

    def in_checkout(self, path, dir_fd=None) -> str | None:
        """``path`` relative to the root when it is inside the checkout and outside the block's folders."""
        if isinstance(path, int) or path is None:
            return None
        try:
            path = os.fsdecode(os.fspath(path))
            base = os.getcwd()
            if dir_fd not in (None, -1) and not os.path.isabs(path):
                base = os.readlink(f"/proc/self/fd/{dir_fd}")
            full = os.path.realpath(os.path.join(base, path))
        except (OSError, TypeError, ValueError):
            return None
        root = self.job.root

        def under(folder: str) -> bool:
            return full == folder or full.startswith(folder.rstrip(os.sep) + os.sep)

        if not under(root) or any(under(folder) for folder in self.allowed):
            return None
        return os.path.relpath(full, root)

    def audit(self, event: str, args: tuple) -> None:
        if getattr(self.busy, "on", False):
            return
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS
            )
            paths = [(path, None)] if writes else []
        elif event in WRITES:
            positions, dir_fd_at = WRITES[event]
            dir_fd = args[dir_fd_at] if dir_fd_at is not None and dir_fd_at < len(args) else None
            paths = [(args[i], dir_fd) for i in positions if i < len(args)]
        elif event in KILLS:
            self.last_words("kill", f"{event}{tuple(args)!r}")
            return
        elif event in SPAWNS or (event in NATIVE and event not in self.native):
            self.native.add(event)
            self.last_words("spawn", event)
            return
        else:
            return
        self.busy.on = True
        try:
            for path, dir_fd in paths:
                inside = self.in_checkout(path, dir_fd)
                if inside is not None:
                    what = f"{inside} ({event}{', mode ' + repr(args[1]) if event == 'open' and args[1] else ''})"
                    self.refused.append(f"{self.line() or self.job.parts[0][0]}\t{what}")
                    raise PermissionError(
                        errno.EACCES,
                        f"a block may not write into the checkout: {what}; "
                        "write into its working directory, a temporary folder",
                        os.fsdecode(os.fspath(path)),
                    )
        finally:
            self.busy.on = False


def _child_main(job: Job) -> None:
    """Run one block; write its outcome to the channel; end without returning."""
    real_exit = os._exit
    with contextlib.suppress(Exception):  # a group of its own: the parent can stop what it starts
        os.setpgid(0, 0)
    os.environ.clear()
    os.environ.update(job.env)
    sys.dont_write_bytecode = True  # importing the checkout's modules writes nothing there
    channel = Path(job.channel)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        opened = os.open(channel / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    stdout_inode = os.fstat(1).st_ino
    sys.stdout = out = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    crash = open(channel / "crash", "w")
    faulthandler.enable(crash, all_threads=True)
    if job.limit > 0:
        watchdog = open(channel / "timeout", "w")
        faulthandler.dump_traceback_later(job.limit, exit=True, file=watchdog)
    child = _Child(job)

    def _exit(status):
        child.last_words("exit", f"os._exit({status!r})")
        real_exit(status)

    os._exit = _exit
    closed_at: list[str] = []
    real_close, out_close = os.close, out.close

    def _close(fd):
        if fd in (1, 2):
            closed_at.append(child.line())
        real_close(fd)

    def _close_out():
        closed_at.append(child.line())
        out_close()

    os.close, out.close = _close, _close_out
    sys.addaudithook(child.audit)

    result: dict = {"outcome": "passed"}
    try:
        code = compile_parts(job.parts, job.path)
        main = types.ModuleType("__main__")
        main.__file__ = job.path
        os.chdir(job.cwd)
        with default_device(job.device), as_main(main):
            exec(code, main.__dict__)
            for thread in threading.enumerate():  # as at the end of a script
                if thread is not threading.current_thread() and not thread.daemon:
                    thread.join()
    except BaseException as error:  # noqa: BLE001: everything a block raises is its outcome
        result = _outcome_of(error, job)
    if os.getpid() != child.pid:  # a process the block forked finished it: it does not report
        real_exit(0)
    with contextlib.suppress(Exception):
        out.flush()
        sys.stderr.flush()
    line = job.parts[0][0]
    try:
        closed = out.closed or os.fstat(1).st_ino != stdout_inode
    except OSError:
        closed = True
    if closed and result["outcome"] != "failed":
        result = {
            "outcome": "failed",
            "message": f"{job.note}:{(closed_at or [''])[0] or line}: the block closed its standard output "
            "(sys.stdout.close() or os.close(1)); what it printed after that was lost",
        }
    if child.refused and result["outcome"] != "failed":
        where, what = child.refused[0].split("\t", 1)
        result = {
            "outcome": "failed",
            "message": f"{job.note}:{where}: the block tried to write into the checkout: {what} (refused)",
        }
    try:
        data = pickle.dumps(result)
    except Exception:  # a repr that does not pickle: its text
        result["longrepr"] = str(result.get("longrepr"))
        data = pickle.dumps(result)
    fd = os.open(channel / "result.tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, data)
    os.close(fd)
    os.replace(channel / "result.tmp", channel / "result")
    real_exit(0)


def _outcome_of(error: BaseException, job: Job) -> dict:
    from _pytest._code import ExceptionInfo
    from _pytest.outcomes import Exit, Failed, Skipped, XFailed

    if isinstance(error, XFailed):
        return {"outcome": "xfailed", "message": str(error.msg)}
    if isinstance(error, Skipped):
        return {"outcome": "skipped", "message": str(error.msg)}
    excinfo = ExceptionInfo.from_exception(error)
    style, tbfilter = job.tbstyle, True
    if job.fulltrace:
        style, tbfilter = "long", False
    else:
        cut = excinfo.traceback.cut(path=Path(job.path))
        excinfo.traceback = cut if len(cut) else excinfo.traceback
        if style not in ("long", "short", "native"):
            style = "long"
    if isinstance(error, Failed) and not error.pytrace:
        style = "value"
    with contextlib.suppress(OSError):
        os.chdir(job.invocation_dir)  # paths relative to where pytest was started, as pytest shows them
    try:
        longrepr = excinfo.getrepr(
            funcargs=True,
            abspath=False,
            showlocals=job.showlocals,
            style=style,
            tbfilter=tbfilter,
            truncate_locals=job.verbosity <= 1,
        )
    except Exception:  # noqa: BLE001
        import traceback

        return {"outcome": "failed", "message": "".join(traceback.format_exception(error))}
    ended = {
        SystemExit: lambda e: f"SystemExit({e.code!r}): the block ended its process (sys.exit or raise SystemExit)",
        Exit: lambda e: f"pytest.exit({e.msg!r}): the block stopped the test session",
        KeyboardInterrupt: lambda e: "KeyboardInterrupt raised in the block",
    }
    for kind, say in ended.items():
        if isinstance(error, kind):
            text = say(error)
            crash = getattr(longrepr, "reprcrash", None)
            if crash is not None:
                crash.message = text
            chain = getattr(longrepr, "chain", None)
            if chain and chain[-1][0].reprentries and getattr(chain[-1][0].reprentries[-1], "reprfileloc", None):
                chain[-1][0].reprentries[-1].reprfileloc.message = text
            break
    return {"outcome": "failed", "longrepr": longrepr}


# ---- the checkout, before and after a block --------------------------------

_CHECKOUTS: dict[str, Checkout] = {}


def checkout(config: pytest.Config) -> Checkout:
    root = os.path.realpath(config.rootpath)
    if root not in _CHECKOUTS:
        _CHECKOUTS[root] = Checkout(Path(root))
    return _CHECKOUTS[root]


class Checkout:
    """The checkout's files as stat sees them, to find what a block's subprocess wrote.

    The files are git's (tracked, and untracked but not ignored; outside git:
    every file not under a dot folder or __pycache__), listed once; a snapshot
    stats each of them and lists each of their folders (about 0.2 ms for 200
    files), so it sees a changed, deleted or new file without reading any.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git = (root / ".git").exists()
        files: list[str] = []
        if self.git:
            with contextlib.suppress(OSError, subprocess.CalledProcessError):
                listed = subprocess.run(
                    ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                    cwd=root, capture_output=True, check=True,
                ).stdout
                files = [name for name in listed.decode("utf-8", "surrogateescape").split("\0") if name]
        else:
            for folder, dirs, names in os.walk(root):
                dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
                files += [os.path.relpath(os.path.join(folder, name), root) for name in names]
        self.files = files
        dirs = {""}
        for name in files:
            while name:
                name = os.path.dirname(name)
                dirs.add(name)
        self.dirs = sorted(dirs)

    def snapshot(self) -> dict:
        state: dict = {}
        for name in self.files:
            try:
                info = os.stat(self.root / name)
                state[name] = (info.st_mtime_ns, info.st_size, info.st_ino)
            except OSError:
                state[name] = None
        for folder in self.dirs:
            with contextlib.suppress(OSError):
                state[folder + "/"] = frozenset(os.listdir(self.root / folder))
        return state

    def ignored(self, relative: str) -> bool:
        name = os.path.basename(relative)
        if name == "__pycache__":
            return True
        if not self.git:
            return name.startswith(".")
        return subprocess.run(["git", "check-ignore", "-q", "--", relative], cwd=self.root).returncode == 0

    def strays(self, before: dict, after: dict, since_ns: int) -> str:
        """What changed in the checkout between two snapshots, moved out or named; "" when nothing."""
        new, changed, gone = [], [], []
        for key, value in after.items():
            if key.endswith("/"):
                folder = key[:-1]
                for name in sorted(value - before.get(key, value)):
                    relative = os.path.join(folder, name)
                    path = self.root / relative
                    with contextlib.suppress(OSError):
                        if os.lstat(path).st_ctime_ns >= since_ns - 1_000_000_000 and not self.ignored(relative):
                            new.append(relative)
            elif before.get(key) != value:
                (gone if value is None else changed).append(key)
        if not (new or changed or gone):
            return ""
        parts = []
        if new:
            quarantine = Path(tempfile.mkdtemp(prefix="papernotes-stray-"))
            for relative in new:
                target = quarantine / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(self.root / relative), str(target))
            parts.append(f"wrote {', '.join(new)} (moved out of the checkout, to {quarantine})")
        if changed:
            parts.append(f"changed {', '.join(changed)} (git diff shows how)")
        if gone:
            parts.append(f"deleted {', '.join(gone)}")
        return "the block (or a process it started) wrote into the checkout: " + "; ".join(parts)


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
    from tools.log.snippets import all_fences, note_files

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
