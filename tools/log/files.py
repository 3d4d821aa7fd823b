"""Reading and writing the log's files, the way every command and the build do it.

Each caller turns the OSError or the finding into its own one-line error
(new_week's Refusal, bib's BibError, extract's ExtractError), so these
functions only say what happened and where.

- read_bytes, read_limited: a file's (a stream's) bytes, at most FILE_LIMIT
  of them, or one line saying why not (no such file, a folder, unreadable,
  too large);
- control_at: where the first control character of a text stands;
- new_file_mode, write_temporary: a file's whole new text on disk beside it,
  under a temporary name, before anything is renamed over the real one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import tempfile
import threading
from pathlib import Path

from tools.log.cli import Refusal, Terminated, raise_terminated

# bytes: no note, post or .bib comes near this; /dev/zero given as a file stops here
FILE_LIMIT = 64 * 1024 * 1024
# C0 controls but tab, line feed and carriage return; DEL; C1 controls. None of
# them belongs in a note or an entry, and an escape sequence reaches the terminal.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def read_limited(stream, where: str, error: type[Exception], what: str):
    """At most FILE_LIMIT bytes (or characters) of stream; ``error(message)`` naming ``where``
    when there are more. ``what`` says what it should have been."""
    data = stream.read(FILE_LIMIT + 1)
    if len(data) > FILE_LIMIT:
        raise error(f"{where}: over {FILE_LIMIT // (1024 * 1024)} MiB; not {what}")
    return data


def read_bytes(path: Path, where: str, error: type[Exception], what: str) -> bytes:
    """At most FILE_LIMIT bytes of the file at path (read_limited); ``error(message)`` naming
    ``where`` when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return read_limited(stream, where, error, what)
    except FileNotFoundError:
        raise error(f"{where}: no such file") from None
    except IsADirectoryError:
        raise error(f"{where}: is a folder, not a file") from None
    except NotADirectoryError:
        raise error(f"{where}: no such file (a part of the path is a file, not a folder)") from None
    except OSError as exc:
        raise error(f"{where}: cannot read: {exc.strerror or exc}") from None


def control_at(text: str) -> tuple[int, int, str] | None:
    """(line, column, the character), 1-based, of the first control character in text; None if none."""
    found = CONTROL.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return line, column, found[0]


def new_file_mode() -> int:
    """What open() gives a new file: 0o666 less the umask (mkstemp gives 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_temporary(target: Path, data: bytes, mode: int, suffix: str) -> str:
    """The path of a new file beside target, named ``.<target's name>.<random><suffix>``, that
    holds data whole, with the given mode, flushed to disk. A failure (OSError, Ctrl-C)
    removes it and raises; the caller names the target."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            if hasattr(os, "fchmod"):
                os.fchmod(handle, mode)
            else:
                os.chmod(temp, mode)
            os.fsync(handle)
        finally:
            os.close(handle)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    return temp


# -- the commands' reads and writes: Refusal naming the file ----------------------


def shown(path: Path, root: Path) -> str:
    """A path as messages show it: relative to the repository root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def control_character(text: str, where: str) -> None:
    """Refusal naming line and column of the first control character in text, if any."""
    found = control_at(text)
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


# What a file the commands read should have been, for one over FILE_LIMIT.
READABLE = "a note, a post or a .bib file"


def read_text(path: Path, root: Path, where: str | None = None) -> str:
    """A file's text; where (default: the path from the root) names it in a refusal."""
    where = where or shown(path, root)
    return decode(read_bytes(path, where, Refusal, READABLE), where)


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
        return write_temporary(path, data, new_file_mode() if mode is None else mode, ".tmp")
    except OSError as exc:
        raise cannot_write(path, root, exc) from None


@contextlib.contextmanager
def _held_interrupts():
    """Ctrl-C and SIGTERM wait while the files are put in place: yields a list
    of the signals that came meanwhile (the caller decides what they mean)."""
    caught: list[int] = []
    held = {}
    if threading.current_thread() is threading.main_thread():
        for number, ours in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, raise_terminated)):
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


def write_files(root: Path, new: list[tuple[Path, str | bytes]],
                replace: tuple[Path, str | bytes, str | bytes] | list | None = None) -> None:
    """Write new files and replace some, all or nothing.

    new: (path, text) for files that must not exist, text as UTF-8 or bytes
    as they are (an image); replace: (path, old, new), or a list of them,
    for a file whose text (or bytes) must still be old. Every text goes first to a
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
    replaces = [] if replace is None else [replace] if isinstance(replace, tuple) else list(replace)
    for path, old, text in replaces:
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
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            temps.append(_temporary(path, data, root, mode))
        with _held_interrupts() as interrupted:
            if interrupted:  # it came while the last temporary file was written: stop here
                raise Terminated if signal.SIGTERM in interrupted else KeyboardInterrupt
            for path, old, _ in replaces:
                try:
                    current = path.read_bytes() if path.exists() else b""
                    if isinstance(old, str):
                        current = current.decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    current = None
                if current != old:
                    raise Refusal(f"{shown(path, root)}: changed while this command ran; run it again")
            for (path, _, _), temp in zip(targets[:len(new)], temps):
                _link(temp, path, root)
                placed.append(path)
            for (path, _, _), temp in zip(replaces, temps[len(new):]):
                try:
                    os.replace(temp, path)
                except OSError as exc:
                    raise cannot_write(path, root, exc) from None
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
