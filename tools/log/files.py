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

import os
import re
import tempfile
from pathlib import Path

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
