"""What every command does with its command line and its errors.

A command is thin: its main() parses the arguments with Parser, hands a
function to run(), and returns the exit status run() gives. A Refusal is one
line on stderr naming the file (and line), exit status 1; a UsageError is a
bad command line, exit status 2; Ctrl-C and SIGTERM are one line too (130,
143), after nothing was written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import signal
import sys
import threading

DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Refusal(Exception):
    """Why a command does nothing; str() is one line naming the file (and line)."""


class UsageError(Exception):
    """A bad value on the command line (exit status 2)."""


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
    return day


def one_line(message: str) -> str:
    """A message as one printable line: a line end or an escape in a file name or a value shows as \\n, \\x1b."""
    return re.sub("[\x00-\x1f\x7f-\x9f]", lambda m: repr(m[0])[1:-1], message)


class Terminated(BaseException):
    """SIGTERM, as an exception: the command stops as after Ctrl-C, leaving nothing behind."""


def raise_terminated(number, frame):
    """The SIGTERM handler run() sets: Terminated, raised where the command is."""
    raise Terminated


def run(prog: str, work) -> int:
    """Call work(); turn a Refusal or UsageError into one line on stderr and an exit status.

    Ctrl-C is one line too (exit status 130), and so is SIGTERM (143): whatever
    the command was doing, it had not written anything yet, and its temporary
    files are gone.
    """
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, raise_terminated) if main_thread else None
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
